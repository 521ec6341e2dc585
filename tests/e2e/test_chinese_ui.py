"""The UI is Chinese: the document language, and the side navigation's labels.

test_pages_declare_chinese does not depend on the translation catalog (sqdj/locale/zh_Hans);
test_side_navigation_is_chinese does (it needs the compiled zh_Hans catalog).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_pages_declare_chinese(page, demo, login):
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    login("sq_admin")
    for url in ("/", "/orgs/tree/", "/orgs/", "/orgs/import/"):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_side_navigation_is_chinese(page, demo, login, base_url):
    login("sq_admin")
    nav = page.locator("aside.sqdj-sidebar")
    expect(nav).to_be_visible()
    links = nav.locator("a.nav-link")
    expect(links.first).to_be_visible()
    labels = [t.strip() for t in links.all_inner_texts()]
    titles = [t.strip() for t in nav.locator(".sqdj-nav-title").all_inner_texts()]
    untranslated = [t for t in labels + titles if not CJK.search(t)]
    assert not untranslated, f"side navigation entries not in Chinese: {untranslated}"
    expect(nav.locator(".sqdj-nav-title").first).to_have_text("工作台")

    # The org tree is one click away through its Chinese label.
    # Not exact=True: the link's accessible name starts with the icon font's glyph (the <i> is not aria-hidden).
    nav.get_by_role("link", name="组织树").click()
    expect(page).to_have_url(f"{base_url}/orgs/tree/")
    expect(page.locator("#org-tree")).to_be_visible()
    expect(nav.locator("a.nav-link.active")).to_have_text("组织树")
    expect(page.locator("main h1")).to_have_text("组织树")
