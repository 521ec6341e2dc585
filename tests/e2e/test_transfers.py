"""A member's membership goes from a branch in one subdistrict to a branch in another, through every step, each
done in the browser by the person whose turn it is: the sending branch submits, the sending subdistrict's 街道党工委
approves and the receiving one accepts — each directly, the nearest org with the authority to approve probationary
members on its side (rules.md 6.3; before issue 13 the district did both) — and the receiving branch completes. The
member appears on the receiving side only at completion."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.models import Notification
from sqdj.members.choices import EventKind
from sqdj.members.models import Member
from sqdj.members.services import do_create_member
from sqdj.orgs.models import Org
from sqdj.testing.members import member_data
from sqdj.transfers import services as T
from sqdj.transfers.models import Transfer


def _as(page, login, username):
    page.context.clear_cookies()
    login(username)


def _state(page, state):
    expect(page.locator("#transfer")).to_have_attribute("data-state", state)


def _roster_has(page, name) -> bool:
    page.goto("/members/")
    page.fill("#id_q", name)
    page.locator("#filters button[type=submit]").click()
    table = page.locator("main")
    expect(table).to_be_visible()
    return table.get_by_role("link", name=name).count() > 0


def test_member_carried_across_subdistricts(page, demo, login, screenshot):
    sending = demo.orgs["zb_admin"]
    street = demo.orgs["jd_admin"]
    district = demo.orgs["qu_admin"]
    receiving = (
        Org.objects.filter(type="branch", path__startswith=district.path)
        .exclude(path__startswith=street.path)
        .order_by("path")
        .first()
    )
    assert receiving is not None  # the small city has a second subdistrict with branches
    street2 = Org.objects.get(path=receiving.path[: len(street.path)])  # the receiving side's 街道党工委
    street2_admin = do_create_user("jd_other", password=demo.password, display_name="外街道管理员", validate=False)
    do_grant_role(street2_admin, role="subdistrict_admin", org=street2, descendants=True)
    receiver = do_create_user("zb_other", password=demo.password, display_name="外街道支部管理员", validate=False)
    do_grant_role(receiver, role="branch_admin", org=receiving, descendants=True)
    member = do_create_member(acting_user=None, **member_data(sending, seq=951, name="司马转接"))

    # 1. the sending branch starts the case from the member's page and submits it
    _as(page, login, "zb_admin")
    page.goto(member.get_absolute_url())
    page.locator("#start-transfer").click()
    page.fill("#id_to_org_search", receiving.code)  # the tree picker (core.widgets.SearchSelect)
    page.locator(f'#id_to_org_results .sqdj-pick-item[data-code="{receiving.code}"]').click()
    page.select_option("#id_reason", "work")
    page.locator("#save-submit").click()
    expect(page).to_have_url(re.compile(r"/transfers/\d+/$"))
    _state(page, "submitted")
    case = Transfer.objects.get(member=member)
    assert case.sending_approver == street and case.receiving_approver == street2
    case_url = case.get_absolute_url()
    expect(page.locator("#action-approve")).to_have_count(0)  # not the sender's step
    screenshot(page, "transfer-submitted.png")

    # the receiving branch sees the case coming, but not the member yet
    _as(page, login, "zb_other")
    assert not _roster_has(page, "司马转接")
    page.goto(case_url)
    _state(page, "submitted")
    expect(page.locator("#action-complete")).to_have_count(0)

    # 2. the sending subdistrict approves: the letter is issued, numbered, with its validity
    _as(page, login, "jd_admin")
    assert Notification.objects.filter(user__username="jd_admin", url=case_url).exists()
    page.goto(case_url)
    page.locator("#action-approve").click()
    _state(page, "approved")
    case.refresh_from_db()
    assert case.letter_number and case.valid_until
    expect(page.locator("main")).to_contain_text(case.letter_number)
    letter = page.request.get(page.locator("#transfer-letter").get_attribute("href"))
    assert letter.status == 200 and letter.headers["content-type"] == "application/pdf"
    assert letter.body().startswith(b"%PDF")

    # 3. the receiving subdistrict accepts while the letter is valid (the sending one cannot)
    expect(page.locator("#action-accept")).to_have_count(0)
    _as(page, login, "jd_other")
    assert Notification.objects.filter(user__username="jd_other", url=case_url).exists()
    page.goto(case_url)
    page.locator("#action-accept").click()
    _state(page, "received")
    member.refresh_from_db()
    assert member.org == sending  # accepted, not completed: the sending branch still holds the member

    # 4. the receiving branch: the member reported; completing the case moves the membership
    _as(page, login, "zb_other")
    assert not _roster_has(page, "司马转接")
    page.goto(case_url)
    page.locator("#action-complete").click()
    page.locator("#confirm-submit").click()  # the confirmation page names what will change
    _state(page, "completed")
    expect(page.locator("#transfer-receipt")).to_be_visible()
    screenshot(page, "transfer-completed.png")
    assert _roster_has(page, "司马转接")
    member = Member.objects.get(pk=member.pk)
    assert member.org == receiving
    assert set(member.events.values_list("kind", "org")) >= {
        (EventKind.TRANSFERRED_OUT, sending.pk),
        (EventKind.TRANSFERRED_IN, receiving.pk),
    }

    # and the sending branch no longer has the member on its roster
    _as(page, login, "zb_admin")
    assert not _roster_has(page, "司马转接")
    page.goto(case_url)
    _state(page, "completed")


def test_two_tabs_acting_on_one_case_get_one_success_and_a_conflict(page, demo, login):
    """Two people (here: two tabs of the approving district) press "approve" on the same page version."""
    sending = demo.orgs["zb_admin"]
    member = do_create_member(acting_user=None, **member_data(sending, seq=952, name="欧阳冲突"))
    case = T.do_create_transfer(acting_user=None, member=member, reason="work", to_org=demo.orgs["sq2_admin"])
    case = T.do_submit(case, acting_user=None, version=case.version)

    _as(page, login, "jd_admin")  # within one subdistrict: the subdistrict approves
    page.goto(case.get_absolute_url())
    other = page.context.new_page()
    other.goto(case.get_absolute_url())
    page.locator("#action-approve").click()
    _state(page, "approved")
    other.locator("#action-approve").click()
    expect(other.locator("#transfer-conflict")).to_be_visible()
    _state(other, "approved")
    assert Transfer.objects.get(pk=case.pk).version == case.version + 1
