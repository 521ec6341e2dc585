"""Statistics you can follow (issue 14): a figure on the statistics page is a link, and clicking it lands on the
list behind it showing that many rows — for a district admin (the district's page, its table per subdistrict)
and for a community admin."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _follow(page, link, path: str) -> int:
    """Click `link` (a figure), check the list it opens counts the same; back to the statistics page."""
    shown = _number(link.inner_text())
    link.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(path)}(\?|$)"))
    counted = page.locator("main h1 small")
    expect(counted).to_be_visible()
    assert _number(counted.inner_text()) == shown, (page.url, counted.inner_text(), shown)
    page.go_back()
    return shown


def _tile(page, label: str):
    return page.locator(".sqdj-card", has=page.locator(".text-secondary", has_text=re.compile(f"^{label}$")))


def test_click_a_figure_and_land_on_its_list(page, demo, login, screenshot):
    district = demo.orgs["qu_admin"]
    login("qu_admin")
    page.goto(f"/stats/?org={district.code}")
    expect(page.locator("#stats-children")).to_be_visible()
    screenshot(page, "stats_drilldown.png")

    members = _follow(page, _tile(page, "党员总数").locator("a.stats-figure"), "/members/")
    assert members > 0
    _follow(page, _tile(page, "党组织总数").locator("a.stats-figure"), "/orgs/")
    row = page.locator("#stats-by_category-title ~ table tr", has=page.locator("th", has_text="在职党员"))
    _follow(page, row.locator("a.stats-figure"), "/members/")
    # the table per subdistrict: the first subdistrict's members, then drill into its own page
    first = page.locator("#stats-children tbody tr").first
    _follow(page, first.locator("td").nth(1).locator("a.stats-figure"), "/members/")
    first.locator("th a").click()
    expect(page.locator("#stats-children")).to_be_visible()  # a subdistrict's page: its communities

    page.context.clear_cookies()
    login("sq_admin")
    page.goto(f"/stats/?org={demo.own.code}")
    row = page.locator("#stats-by_age_band-title ~ table tr", has=page.locator("a.stats-figure")).first
    _follow(page, row.locator("a.stats-figure"), "/members/")
    _follow(page, _tile(page, "女党员").locator("a.stats-figure"), "/members/")
    assert page.goto(f"/stats/?org={district.code}&export=pdf").status == 404  # out of the community admin's scope
