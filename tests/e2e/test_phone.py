"""Phones (issue 14): at 390×844 the side menu is an off-canvas panel behind the top bar's menu button; the page never
scrolls sideways (a wide table scrolls inside its card) and its content starts within the first screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sqdj.accounts.models import User
from sqdj.demo.mobility import generate_mobility
from sqdj.transfers.models import Transfer

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def assert_fits(page, what):
    widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{what}: the page scrolls sideways ({widths[0]} px > {widths[1]} px)"
    top = page.evaluate("document.querySelector('main').getBoundingClientRect().top")
    assert top < 200, f"{what}: the content starts at {top} px"


def test_login_page_fits(phone, demo):
    phone.goto("/login/")
    assert_fits(phone, "login")
    expect(phone.locator("#id_username")).to_be_in_viewport()


def test_pages_fit_and_the_menu_opens_and_closes(phone, demo, login, screenshot):
    generate_mobility()
    login("qu_admin")  # the district: it sees transfer cases of the whole demo city
    sidebar = phone.locator("#sqdj-sidebar")
    menu = phone.locator("#sqdj-menu-button")
    expect(sidebar).to_be_hidden()
    expect(menu).to_be_visible()
    assert_fits(phone, "home")
    screenshot(phone, "phone-home.png")

    menu.click()
    expect(sidebar).to_be_visible()
    expect(sidebar.get_by_role("link").first).to_be_in_viewport()
    phone.locator("#sqdj-menu-close").click()
    expect(sidebar).to_be_hidden()
    # the menu leads somewhere: open it again and follow an entry
    menu.click()
    sidebar.locator('a[href="/members/"]').click()
    phone.wait_for_url("**/members/")
    expect(sidebar).to_be_hidden()
    assert_fits(phone, "member list")
    # the filters fold under one button: the list's first rows are on the first screen, the filters one tap away
    expect(phone.locator("#filters")).to_be_hidden()
    expect(phone.locator("main table a[href^='/members/']").first).to_be_in_viewport()
    screenshot(phone, "phone-members.png")
    phone.locator("#filters-toggle").click()
    expect(phone.locator("#filters")).to_be_visible()
    phone.locator("#filters-toggle").click()

    link = phone.locator("main table a[href^='/members/']").first
    link.click()
    phone.wait_for_url("**/members/*/")
    assert_fits(phone, "member detail")
    screenshot(phone, "phone-member.png")

    user = User.objects.get(username="qu_admin")
    case = Transfer.objects.restrict(user, "view").order_by("pk").first()
    assert case is not None
    assert phone.goto(f"/transfers/{case.pk}/").status == 200
    assert_fits(phone, "transfer case")
    assert phone.goto("/transfers/").status == 200
    assert_fits(phone, "transfer list")


def test_desktop_keeps_the_side_menu(page, demo, login):
    login("sq_admin")
    expect(page.locator("#sqdj-sidebar")).to_be_visible()
    expect(page.locator("#sqdj-menu-button")).to_be_hidden()
    page.goto("/members/")
    expect(page.locator("#filters")).to_be_visible()  # the filters stay open beside or above the list
    expect(page.locator("#filters-toggle")).to_be_hidden()
