"""Issue 17 in the browser ("Done when"): a resident on a 390×844 phone, not signed in, files a request on the public
page of sq_admin's community (answering the form's sum from the page) and gets a tracking code; the tracking page
shows 已接收 and no contact; sq_admin finds it in 群众诉求, sees the contact masked (and in full once, with a reason),
accepts it with a public note and assigns it to a party member with an account; the member, on the phone, finds it
among the requests assigned to them, starts and resolves it; the tracking page then shows 已办结 and the public notes,
never the internal ones. The community's public list shows the request only once it is marked public. No public
page ever holds the resident's name or phone, no URL ever holds them (nor the tracking code), and the resident's
pages never scroll sideways at the phone's width."""

from __future__ import annotations

import re
from urllib.parse import quote

from playwright.sync_api import expect

from sqdj.accounts.models import User
from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.pii import mask_phone
from sqdj.members.self_service import do_link_user
from sqdj.members.services import do_create_member
from sqdj.services.choices import RequestState, Source
from sqdj.services.models import Request
from sqdj.testing.members import member_data

from .steps import PHONE, as_admin, as_member, pick, saved, submit_action

MEMBER_NAME = "司徒办理"
RESIDENT = "欧阳晓岚"  # the resident's contact: never on a public page, never in a URL
RESIDENT_PHONE = "13987654329"
SUMMARY = "北门路灯夜间不亮"
PUBLIC_ACCEPTED = "已受理，已安排党员跟进"
PUBLIC_RESOLVED = "路灯已修复，夜间照明恢复"
INTERNAL = "内部：联系物业电工周二上门"


# ---- helpers ----------------------------------------------------------------------------------------------------


def _no_sideways_scroll(page, what):
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{what}: the page scrolls sideways ({widths[0]} px > {widths[1]} px)"


def _public_page_ok(page, what):
    """A public page at the phone's width: no sideways scroll, and neither the resident's name nor phone anywhere
    in its HTML (attributes and hidden parts included)."""
    _no_sideways_scroll(page, what)
    html = page.content()
    assert RESIDENT not in html, f"{what}: the resident's name is on a public page"
    assert RESIDENT_PHONE not in html, f"{what}: the resident's phone is on a public page"
    assert mask_phone(RESIDENT_PHONE) not in html, f"{what}: even masked, a public page shows no phone"
    return html


def _as_resident(page):
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)


def _track(page, code):
    """The resident looks the code up (POSTed: the code never in a URL); the answer card."""
    page.goto("/services/public/track/")
    page.fill("#id_code", code)
    page.locator("#track-form button[type=submit]").click()
    answer = page.locator("#track-answer")
    expect(answer).to_be_visible()
    return answer


# ---- the test ---------------------------------------------------------------------------------------------------


def test_resident_request_from_phone_form_to_resolution_on_the_public_status_page(page, demo, login, base_url):
    community_org = demo.own  # sq_admin's community party organization
    community = community_org.area
    assert community is not None
    sq_admin = User.objects.get(username="sq_admin")

    # a party member of the community org with an account (self-only role), to whom the request is assigned
    member = do_create_member(acting_user=None, **member_data(community_org, seq=971, name=MEMBER_NAME))
    account = do_create_user("situbanli", password=demo.password, display_name=MEMBER_NAME, validate=False)
    do_grant_role(account, role="member", org=community_org, descendants=True)
    do_link_user(member, account, acting_user=None)

    urls: list[str] = []  # every URL the browser asks for, for the whole story
    page.on("request", lambda r: urls.append(r.url))

    # ---- 1. the resident, on the phone, files a request from the community's public page -------------------------
    _as_resident(page)
    page.goto(f"/services/public/{community.code}/")
    html = _public_page_ok(page, "community page")
    assert SUMMARY not in html
    page.locator("#public-new-link").click()
    expect(page).to_have_url(re.compile(rf"/services/public/{re.escape(community.code)}/new/$"))
    _public_page_ok(page, "request form")

    form = page.locator("#public-request-form")
    category = form.locator("#id_category option:not([value=''])").first
    page.select_option("#id_category", category.get_attribute("value"))
    page.fill("#id_summary", SUMMARY)
    page.fill("#id_description", "小区北门的两盏路灯一周来夜间都不亮，老人晚上出门不方便。")
    expect(page.locator("#id_area")).to_have_value(str(community.pk))  # the community itself, by default
    page.fill("#id_location", "小区北门")
    page.fill("#id_contact_name", RESIDENT)
    page.fill("#id_contact_phone", RESIDENT_PHONE)
    page.check("#id_consent")
    question = page.locator('label[for="id_answer"]').inner_text()
    a, b = (int(n) for n in re.findall(r"\d+", question)[:2])  # "3 加 4 等于多少？": read as a person reads it
    page.fill("#id_answer", str(a + b))
    page.locator("#public-request-form button[type=submit]").click()

    expect(page.locator("#public-done")).to_be_visible()
    _public_page_ok(page, "answer page")
    code = page.locator("#public-tracking-code").inner_text().strip()
    assert code
    request = Request.objects.get(tracking_code=code)
    assert (request.summary, request.source, request.state) == (SUMMARY, Source.WEB, RequestState.RECEIVED)
    assert (request.org, request.area, request.public) == (community_org, community, False)
    assert (request.contact_name, request.contact_phone) == (RESIDENT, RESIDENT_PHONE)
    assert request.consent_at is not None

    # ---- 2. the resident tracks it: received, no contact -------------------------------------------------------
    answer = _track(page, code)
    expect(page.locator("#track-state")).to_have_text("已接收")
    expect(answer).to_contain_text(SUMMARY)
    _public_page_ok(page, "tracking page, received")

    # ---- 3. sq_admin: 群众诉求 → the request; the contact masked (in full once); accepted, assigned ----------------
    as_admin(page, login, "sq_admin")
    page.locator('a[href="/services/requests/"]').first.click()
    expect(page).to_have_url(re.compile(r"/services/requests/$"))
    row = page.locator("main table tbody tr", has_text=SUMMARY)
    expect(row).to_have_count(1)
    row.locator(f'a[href="{request.get_absolute_url()}"]').click()
    expect(page).to_have_url(re.compile(rf"{re.escape(request.get_absolute_url())}$"))
    expect(page.locator("#request-state")).to_have_text("已接收")
    pii = page.locator("#pii")
    expect(pii.locator('[data-field="contact_phone"]')).to_have_text(mask_phone(RESIDENT_PHONE))
    assert RESIDENT_PHONE not in page.content() and RESIDENT not in page.content()

    # in full once, with a reason (POSTed through htmx: nothing in a URL); masked again on the next look
    page.fill("#id_reason", "回访")
    pii.locator("button[type=submit]").click()
    expect(pii.locator('[data-field="contact_phone"]')).to_have_text(RESIDENT_PHONE)
    expect(pii.locator('[data-field="contact_name"]')).to_have_text(RESIDENT)
    page.reload()
    expect(pii.locator('[data-field="contact_phone"]')).to_have_text(mask_phone(RESIDENT_PHONE))
    assert RESIDENT_PHONE not in page.content()

    page.locator("#request-accept").click()
    page.fill("#id_public_note", PUBLIC_ACCEPTED)
    page.fill("#id_note", "内部：先核实位置")
    submit_action(page)
    saved(page)
    expect(page.locator("#request-state")).to_have_text("已受理")

    page.locator("#request-assign").click()
    pick(page, "id_member", MEMBER_NAME, f'.sqdj-pick-item[data-value="{member.pk}"]')
    submit_action(page)
    saved(page)
    request.refresh_from_db()
    assert (request.state, request.assigned_member_id) == (RequestState.ACCEPTED, member.pk)
    assert request.accepted_at is not None
    assert request.steps.filter(state=RequestState.ACCEPTED, by=sq_admin, public_note=PUBLIC_ACCEPTED).exists()

    # ---- 4. the member, on the phone: the requests assigned to them; started, resolved ----------------------------
    as_member(page, base_url, "situbanli", demo.password)
    page.goto("/services/requests/?assigned_to_me=true")
    _no_sideways_scroll(page, "member's request list")
    mine = page.locator("main table tbody tr", has_text=SUMMARY)
    expect(mine).to_have_count(1)
    mine.locator(f'a[href="{request.get_absolute_url()}"]').click()
    expect(page).to_have_url(re.compile(rf"{re.escape(request.get_absolute_url())}$"))
    _no_sideways_scroll(page, "member's request page")
    assert RESIDENT_PHONE not in page.content()
    expect(page.locator("#request-assign")).to_have_count(0)  # the assignee does not assign or close
    expect(page.locator("#request-close")).to_have_count(0)

    page.locator("#request-start").click()
    submit_action(page)
    saved(page)
    expect(page.locator("#request-state")).to_have_text("办理中")

    page.locator("#request-resolve").click()
    page.fill("#id_outcome", "联系物业更换了两盏路灯的灯泡。")
    page.fill("#id_note", INTERNAL)
    page.fill("#id_public_note", PUBLIC_RESOLVED)
    submit_action(page)
    saved(page)
    expect(page.locator("#request-state")).to_have_text("已办结")
    request.refresh_from_db()
    assert request.state == RequestState.RESOLVED and request.resolved_at is not None
    assert request.steps.filter(state=RequestState.RESOLVED, by=account, public_note=PUBLIC_RESOLVED).exists()

    # ---- 5. the resident tracks again: resolved, the public notes, no internal note ------------------------------
    _as_resident(page)
    answer = _track(page, code)
    expect(page.locator("#track-state")).to_have_text("已办结")
    notes = page.locator("#track-notes")
    expect(notes).to_contain_text(PUBLIC_ACCEPTED)
    expect(notes).to_contain_text(PUBLIC_RESOLVED)
    html = _public_page_ok(page, "tracking page, resolved")
    assert INTERNAL not in html and "内部：先核实位置" not in html and "更换了两盏路灯的灯泡" not in html

    # ---- 6. the community's public list: not public → absent; marked public → present, with its state -----------
    page.goto(f"/services/public/{community.code}/")
    assert SUMMARY not in _public_page_ok(page, "community page, request not public")
    # the community's admin puts it on the public list from its page (the resident's form does not ask)
    as_admin(page, login, "sq_admin")
    page.goto(request.get_absolute_url())
    page.locator("#request-publish").click()
    submit_action(page)
    expect(page.locator(".alert-success").first).to_be_visible()
    request.refresh_from_db()
    assert request.public
    _as_resident(page)
    page.goto(f"/services/public/{community.code}/")
    item = page.locator("#public-requests li", has_text=SUMMARY)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("已办结")
    html = _public_page_ok(page, "community page, request public")
    assert INTERNAL not in html and "老人晚上出门不方便" not in html  # summary and state only: no description, no note

    # ---- no personal data (nor the tracking code) in any URL the browser asked for --------------------------------
    for url in urls:
        for secret in (RESIDENT, quote(RESIDENT), RESIDENT_PHONE, code):
            assert secret not in url, f"{url} holds personal data or the tracking code"
