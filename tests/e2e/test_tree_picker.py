"""The tree picker (issue 14, item 3) and never asking twice (item 7), in the browser: a receiving org found by its
pinyin initials and by walking down the tree, with the keyboard too, at phone width; a new member's birth date and
sex read from the ID number as it is typed."""

from __future__ import annotations

import datetime
import re

from playwright.sync_api import expect

from sqdj.members.services import do_create_member
from sqdj.orgs.choices import RECEIVING_TYPES
from sqdj.orgs.models import Org
from sqdj.testing.members import make_id_number, member_data
from sqdj.transfers.models import Transfer


def _receiving_target(demo) -> Org:
    """A branch of another community whose initials no other org shares (typing them finds it first)."""
    sending = demo.orgs["zb_admin"]
    for org in Org.objects.filter(type="branch").exclude(path__startswith=demo.own.path).order_by("path"):
        if Org.objects.filter(name_initials__contains=org.name_initials).count() == 1 and org != sending:
            return org
    raise AssertionError("the small city has no branch with distinct initials")


def test_receiving_org_by_pinyin_initials_on_a_phone(page, demo, login, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    member = do_create_member(acting_user=None, **member_data(demo.orgs["zb_admin"], seq=961, name="欧阳树选"))
    target = _receiving_target(demo)
    assert target.name_initials  # the synthetic city's orgs have their pinyin (bulk writes fill it)

    login("zb_admin")
    page.goto(f"/transfers/new/{member.pk}/")
    box = page.locator("#id_to_org_search")
    expect(box).to_be_visible()
    assert box.bounding_box()["width"] <= 390
    box.fill(target.name_initials)
    pick = page.locator(f'#id_to_org_results .sqdj-pick-item[data-code="{target.code}"]')
    expect(pick).to_be_visible()
    # what may be chosen can all receive a membership: no 党小组, no 街道党工委
    codes = page.locator("#id_to_org_results .sqdj-pick-item").evaluate_all("els => els.map(e => e.dataset.code)")
    assert set(Org.objects.filter(code__in=codes).values_list("type", flat=True)) <= RECEIVING_TYPES
    # the keyboard: ↓ into the results, Enter takes the focused one
    box.press("ArrowDown")
    expect(page.locator("#id_to_org_results .sqdj-pick-item").first).to_be_focused()
    pick.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_to_org")).to_have_value(target.code)
    expect(box).to_have_value(target.name_with_code)
    expect(page.locator("#id_to_org_results .sqdj-pick-item")).to_have_count(0)
    screenshot(page, "tree-picker-phone.png")

    page.select_option("#id_reason", "work")
    page.locator("#save-draft").click()
    expect(page).to_have_url(re.compile(r"/transfers/\d+/$"))
    assert Transfer.objects.get(member=member).to_org == target


def test_receiving_org_by_walking_down_the_tree(page, demo, login):
    member = do_create_member(acting_user=None, **member_data(demo.orgs["zb_admin"], seq=962, name="端木行走"))
    district = demo.orgs["qu_admin"]
    street = demo.orgs["jd_admin"]
    community = demo.orgs["sq2_admin"]  # the neighbouring community's own org: it can receive a membership

    login("zb_admin")
    page.goto(f"/transfers/new/{member.pk}/")
    page.locator("#id_to_org_browse").click()
    results = page.locator("#id_to_org_results")
    # the top of the deployment: the district committee is no choice, only the way down
    expect(results.get_by_text(district.name_with_code, exact=True)).to_be_visible()
    expect(results.locator(f'.sqdj-pick-item[data-code="{district.code}"]')).to_have_count(0)
    results.locator(".sqdj-pick-expand").first.click()
    expect(results.get_by_text(street.name_with_code, exact=True)).to_be_visible()
    street_row = results.locator("li", has=page.get_by_text(street.name_with_code, exact=True)).last
    street_row.locator(".sqdj-pick-expand").first.click()
    item = results.locator(f'.sqdj-pick-item[data-code="{community.code}"]')
    expect(item).to_be_visible()
    # folding and unfolding again keeps what was loaded
    toggle = street_row.locator(".sqdj-pick-expand").first
    toggle.click()
    expect(item).to_be_hidden()
    toggle.click()
    expect(item).to_be_visible()
    item.click()
    expect(page.locator("#id_to_org")).to_have_value(community.code)
    expect(page.locator("#id_to_org_search")).to_have_value(community.name_with_code)


def test_new_member_birth_date_and_sex_from_the_id_number(page, demo, login):
    login("sq_admin")
    page.goto("/members/add/")
    number = make_id_number(datetime.date(1981, 2, 28), 36, female=True)
    page.fill("#id_new_id_number", number)
    expect(page.locator("#id_birth_date")).to_have_value("1981-02-28")
    expect(page.locator("#id_sex")).to_have_value("female")
    # a corrected number replaces what was filled, not what the user chose themselves
    page.select_option("#id_sex", "male")
    page.fill("#id_new_id_number", make_id_number(datetime.date(1979, 12, 1), 37, female=True))
    expect(page.locator("#id_birth_date")).to_have_value("1979-12-01")
    expect(page.locator("#id_sex")).to_have_value("male")
