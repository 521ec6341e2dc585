"""In the browser (issue 14, items 5 and 12): a page that does not exist, or lies outside the user's scope, is a
Chinese page with a way home; a page with personal data is never kept by the browser (Cache-Control: no-store)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from sqdj.members.models import Member


def test_not_found_is_chinese_with_a_way_home(page, demo, login, base_url):
    login("sq_admin")
    outside = Member.objects.filter(org__path__startswith=demo.sibling.path).order_by("pk").first()
    assert outside is not None  # the sibling community has members: out of scope answers 404, like no page at all
    for url in ("/no-such-page/", outside.get_absolute_url()):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.locator("body")).not_to_contain_text("Not Found")
        expect(page.locator("h1")).to_contain_text(re.compile("[\u4e00-\u9fff]"))
        page.locator("#error-home").click()
        expect(page).to_have_url(re.compile("^" + re.escape(base_url) + "/$"))


def test_pages_with_personal_data_are_not_stored(page, demo, login):
    login("sq_admin")
    member = Member.objects.filter(org__path__startswith=demo.own.path).order_by("pk").first()
    for url in ("/members/", member.get_absolute_url()):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert "no-store" in (response.headers.get("cache-control") or ""), url
