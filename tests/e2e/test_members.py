"""A community admin finds a member by pinyin initials and sees only masked numbers until a logged reveal."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from sqdj.areas.models import Area
from sqdj.members.models import Member, PiiReveal
from sqdj.members.services import do_create_member
from sqdj.testing.members import member_data

FULL_ID = re.compile(r"\d{17}[\dX]")
FULL_PHONE = re.compile(r"1[3-9]\d{9}")


def test_find_member_by_initials_masked_then_revealed(page, demo, login, screenshot):
    branch = demo.own.children().order_by("code").first()
    sibling_branch = demo.sibling.children().order_by("code").first()
    mine = do_create_member(acting_user=None, **member_data(branch, seq=901, name="欧阳明轩"))
    theirs = do_create_member(acting_user=None, **member_data(sibling_branch, seq=902, name="欧阳明远"))

    login("sq_admin")
    page.goto("/members/")
    page.fill("#id_q", "oymx")
    page.locator("#filters button[type=submit]").click()
    table = page.locator("table.sqdj-table")
    expect(table.get_by_role("link", name="欧阳明轩")).to_be_visible()
    expect(table).not_to_contain_text("欧阳明远")  # same initials, but in the sibling community
    html = page.content()
    assert mine.id_number not in html and mine.phone not in html
    expect(table).to_contain_text(mine.id_number_masked)
    screenshot(page, "member-search.png")

    table.get_by_role("link", name="欧阳明轩").click()
    pii = page.locator("#pii-block")
    expect(pii.locator('[data-field="id_number"]')).to_have_text(mine.id_number_masked)
    assert not FULL_ID.search(page.locator("main").inner_text())
    assert not FULL_PHONE.search(page.locator("main").inner_text())

    pii.locator("input[name=reason]").fill("办理组织关系转接")
    pii.get_by_role("button").click()
    expect(page.locator('#pii-block [data-field="id_number"]')).to_have_text(mine.id_number)
    assert PiiReveal.objects.filter(member=mine, reason="办理组织关系转接").count() == 1

    assert page.goto(f"/members/{theirs.pk}/").status == 404
    assert Member.objects.filter(pk=theirs.pk).exists()


def test_register_with_a_community_found_by_search(page, demo, login):
    """报到: the residence community is typed and picked (the city's communities are not a select), and the
    registration is saved with the community picked."""
    branch = demo.own.children().order_by("code").first()
    member = do_create_member(acting_user=None, **member_data(branch, seq=903, name="上官在职"))
    target = Area.objects.filter(type="community").exclude(pk=member.home_area_id).order_by("code").last()

    login("sq_admin")
    page.goto(member.get_absolute_url())
    box = page.locator("#id_community_search")
    box.fill(target.code)
    pick = page.locator(f'.sqdj-pick[data-value="{target.pk}"]')
    expect(pick).to_be_visible()
    pick.click()
    expect(box).to_have_value(target.name_with_code)
    expect(page.locator("#id_community")).to_have_value(str(target.pk))
    page.fill("#id_registered_on", "2026-03-01")
    page.get_by_role("button", name="报到到该社区").click()
    expect(page.locator("main")).to_contain_text(target.name)
    assert member.registrations.get(active=True).community == target
