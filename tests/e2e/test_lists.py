"""Lists that remember (issue 14, item 4), as a community secretary meets them: filters and sort kept when she leaves
the member list and comes back through the menu, 重置, multi-selects ticked with the mouse (no Ctrl-click), a search
by the last 4 digits of a phone or ID number, and 大字 mode at 1366 px keeping the phone column in view."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from sqdj.members.services import do_create_member
from sqdj.testing.members import member_data


def _menu_link(page):
    return page.locator('aside a.nav-link[href="/members/"]').first


def _query(page) -> dict:
    return parse_qs(urlsplit(page.url).query)


def _multiselect(page, name):
    return page.locator(".sqdj-ms", has=page.locator(f"select[name={name}]"))


def test_filters_are_kept_until_reset_and_multiselect_by_clicking(page, demo, login, screenshot):
    login("sq_admin")
    page.goto("/members/")
    # 包含所有下级: a checkbox, ticked
    expect(page.locator("#filters input[type=checkbox][name=descendants]")).to_be_checked()

    education = _multiselect(page, "education")
    toggle = education.locator("button.sqdj-ms-toggle")
    expect(toggle).to_have_text("不限")
    toggle.click()
    panel = education.locator(".sqdj-ms-panel")
    expect(panel).to_be_visible()
    panel.locator("input[type=search]").fill("本科")  # the list narrows as one types
    expect(panel.get_by_label("研究生")).to_be_hidden()
    panel.get_by_label("大学本科").check()
    panel.locator("input[type=search]").fill("")
    panel.get_by_label("研究生").check()  # a second one, by a plain click: no Ctrl
    expect(toggle).to_have_text("研究生、大学本科")
    page.locator("h1").click()  # a click elsewhere closes the list
    expect(panel).to_be_hidden()
    page.select_option("#id_sex", "male")
    screenshot(page, "member-list-filters.png")
    page.locator("#filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"education=postgraduate"))
    assert _query(page)["education"] == ["postgraduate", "bachelor"] and _query(page)["sex"] == ["male"]
    page.locator("table.sqdj-table thead a", has_text="年龄").click()  # a sort, kept too
    expect(page).to_have_url(re.compile(r"sort="))
    kept = _query(page)

    page.goto("/")  # elsewhere, then back through the menu
    _menu_link(page).click()
    expect(page).to_have_url(re.compile(r"education="))
    assert _query(page) == kept
    expect(_multiselect(page, "education").locator("button.sqdj-ms-toggle")).to_have_text("研究生、大学本科")
    expect(page.locator("#id_sex")).to_have_value("male")

    page.locator("#filters-reset").click()
    expect(page).to_have_url(re.compile(r"/members/$"))
    expect(_multiselect(page, "education").locator("button.sqdj-ms-toggle")).to_have_text("不限")
    page.goto("/")
    _menu_link(page).click()
    expect(page).to_have_url(re.compile(r"/members/$"))  # nothing remembered after the reset


def test_search_by_the_last_four_digits(page, demo, login):
    branch = demo.own.children().order_by("code").first()
    sibling_branch = demo.sibling.children().order_by("code").first()
    mine = do_create_member(acting_user=None, **member_data(branch, seq=911, name="尾号甲", phone="13912347531"))
    do_create_member(acting_user=None, **member_data(sibling_branch, seq=912, name="尾号乙", phone="13712347531"))

    login("sq_admin")
    page.goto("/members/")
    page.fill("#id_q", "7531")
    page.locator("#filters button[type=submit]").click()
    table = page.locator("table.sqdj-table")
    expect(table.get_by_role("link", name="尾号甲")).to_be_visible()
    expect(table).not_to_contain_text("尾号乙")  # the same last digits, outside her scope
    assert "7531" not in page.url  # a piece of a number stays out of the URL

    page.fill("#id_q", mine.id_number[-4:])
    page.locator("#filters button[type=submit]").click()
    expect(table.get_by_role("link", name="尾号甲")).to_be_visible()
    assert mine.id_number[-4:] not in page.url


def test_large_text_keeps_every_column_in_view(page, demo, login, screenshot):
    assert page.viewport_size == {"width": 1366, "height": 900}
    login("sq_admin")
    page.goto("/members/")
    page.locator("#sqdj-large-text").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bsqdj-large\b"))
    screenshot(page, "member-list-large-text.png")
    card = page.locator(".sqdj-list-table .table-responsive")
    box = card.bounding_box()
    headers = page.locator("table.sqdj-table thead th")
    phone_header = headers.last
    expect(phone_header).to_have_text(re.compile("电话"))
    first_row = page.locator("table.sqdj-table tbody tr").first
    phone_cell = first_row.locator("td").last
    for cell in (phone_header, phone_cell):
        cell_box = cell.bounding_box()
        # fully inside the card (no scrolling needed) and inside the window
        assert cell_box["x"] >= box["x"] and cell_box["x"] + cell_box["width"] <= box["x"] + box["width"] + 0.5
        assert cell_box["x"] + cell_box["width"] <= 1366
    # its text whole, not cut by an ellipsis
    assert phone_cell.evaluate("el => el.scrollWidth <= el.clientWidth")
    # names on one line
    name_cell = first_row.locator("td").first
    assert name_cell.evaluate("el => getComputedStyle(el).whiteSpace") == "nowrap"
    # a cut cell (a long org name) carries its whole text as a tooltip — marked once the page has settled after
    # the switch (multiselect.js marks the cells 150 ms after a resize or the 大字 button): wait for that
    page.wait_for_function(
        "() => [...document.querySelectorAll('table.sqdj-table tbody td')]"
        ".every(c => c.scrollWidth <= c.clientWidth || c.title === c.textContent.trim())"
    )
    cut = page.locator("table.sqdj-table tbody td").evaluate_all(
        "cells => cells.filter(c => c.scrollWidth > c.clientWidth).map(c => [c.title, c.textContent.trim()])"
    )
    assert all(title == text for title, text in cut)
