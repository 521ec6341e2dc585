"""Issue 16 in the browser: an in-service member registered with sq_admin's community, on a 390×844 phone, claims a
post (the community approves), signs up for an activity and declares service hours (the community verifies them);
the community drafts and signs off the feedback letters of the quarter, which the admin of the member's own org
reads (and prints); the community issues a certificate, which the member downloads from 我的 and which the public
verification page accepts — and refuses when its number is mistyped. The member's pages never scroll sideways at
the phone's width and show no points, rankings or check-in (2023 guidance)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.utils import timezone
from playwright.sync_api import expect

from sqdj.accounts.models import User
from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core import dates
from sqdj.members.self_service import do_link_user
from sqdj.members.services import do_confirm_registration, do_create_member, do_register
from sqdj.testing.members import member_data
from sqdj.testing.pdf import assert_cjk_fonts_embedded, read_pdf
from sqdj.volunteers import activities as activity_services
from sqdj.volunteers.choices import ClaimState, FeedbackState, HoursState
from sqdj.volunteers.feedback import period_bounds
from sqdj.volunteers.feedback_forms import last_quarter
from sqdj.volunteers.models import Activity, Certificate, Feedback, Post, PostClaim, ServiceHours, Signup
from sqdj.volunteers.posts import open_q

from .steps import as_admin, as_member, pick, saved, submit_action

NAME = "司徒新报"
FORBIDDEN = ("积分", "排名", "签到", "打卡")  # no points, rankings or check-in anywhere a member looks (2023)


# ---- helpers ----------------------------------------------------------------------------------------------------


def _member_page_ok(page, what):
    """At the phone's width: no sideways scroll, and no points / ranking / check-in words (hidden text included:
    the folded menu too)."""
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{what}: the page scrolls sideways ({widths[0]} px > {widths[1]} px)"
    text = page.evaluate(
        "(() => { const b = document.body.cloneNode(true);"
        " b.querySelectorAll('script, style, template').forEach(e => e.remove()); return b.textContent; })()"
    )
    # nothing clipped either: every button of the page within the screen (a row of actions that does not wrap)
    cut = page.evaluate(
        "[...document.querySelectorAll('main .btn')].filter(b => b.offsetParent !== null"
        " && !b.closest('.table-responsive')).filter(b => b.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(b => b.textContent.trim())"
    )
    assert not cut, f"{what}: buttons reach beyond the screen's right edge: {cut}"
    found = [word for word in FORBIDDEN if word in text]
    assert not found, f"{what}: the page shows {found}"


def _pdf(page, href):
    response = page.request.get(href)
    assert response.status == 200, (href, response.status)
    assert response.headers["content-type"] == "application/pdf"
    reader, text = read_pdf(response.body())
    assert_cjk_fonts_embedded(reader)
    return text


# ---- the test ---------------------------------------------------------------------------------------------------


def test_in_service_member_from_registration_to_a_verified_certificate(page, demo, login, base_url):
    community_org = demo.own  # sq_admin's community party organization
    sq_admin = User.objects.get(username="sq_admin")
    community = community_org.area
    assert community is not None
    today = dates.today()
    year, quarter = last_quarter(today)
    q_start, q_end = period_bounds("quarter", year, quarter)
    served_on = q_start + datetime.timedelta(days=9)  # a day of the last quarter: its letters may be drafted

    # the member's own (unit) party organization: the demo's in-service member's, and an admin of it
    unit_org = demo.orgs["zaizhi"]
    assert not unit_org.path.startswith(community_org.path)  # another line of the tree: its own admins read
    unit_admin = do_create_user("dw_admin", password=demo.password, display_name="单位党组织管理员", validate=False)
    do_grant_role(unit_admin, role="branch_admin", org=unit_org, descendants=True)

    # a fresh in-service member of that org, registered with the community before the quarter, with an account
    member = do_create_member(acting_user=None, **member_data(unit_org, seq=961, name=NAME, work_status="employed"))
    registered_on = q_start - datetime.timedelta(days=40)
    reg = do_register(member, acting_user=None, community=community, registered_on=registered_on)
    do_confirm_registration(reg, acting_user=unit_admin, on=reg.registered_on)
    account = do_create_user("xinbaodao", password=demo.password, display_name=NAME, validate=False)
    do_grant_role(account, role="member", org=unit_org, descendants=True)
    do_link_user(member, account, acting_user=None)

    # what the member will pick: an open post of the community with a place left, an upcoming activity with room
    posts = (
        Post.objects.filter(open_q(today), community=community)
        .annotate(n=Count("claims", filter=Q(claims__state=ClaimState.APPROVED)))
        .order_by("-starts_on", "pk")
    )
    post = next(p for p in posts if p.n < p.places)

    # ---- 1. 我的 on the phone; a post claimed, approved by the community; an activity signed up for ----------------
    as_member(page, base_url, "xinbaodao", demo.password)
    expect(page.locator("#me-claims-none")).to_be_visible()
    expect(page.locator("#me-hours-none")).to_be_visible()
    expect(page.locator("#me-certificates-none")).to_be_visible()
    _member_page_ok(page, "我的")

    page.locator("#me-posts-link").click()
    expect(page).to_have_url(re.compile(r"/volunteers/posts/"))
    _member_page_ok(page, "posts")
    page.goto("/volunteers/posts/?" + urlencode({"open": "true", "q": post.title}))
    page.locator(f'main a[href="{post.get_absolute_url()}"]').first.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(post.get_absolute_url())}$"))
    _member_page_ok(page, "post")
    expect(page.locator("#on-behalf")).to_have_count(0)  # a member claims for themself only
    page.locator("#claim-submit").click()
    expect(page).to_have_url(re.compile(r"/volunteers/post-claims/\d+/$"))
    saved(page)
    claim = PostClaim.objects.get(post=post, member=member)
    assert claim.state == ClaimState.PENDING
    expect(page.locator("#claim-approve")).to_have_count(0)  # the member does not decide
    _member_page_ok(page, "claim")

    as_admin(page, login, "sq_admin")
    page.goto("/volunteers/post-claims/?to_decide=true")
    page.locator(f'main a[href="{claim.get_absolute_url()}"]').first.click()
    page.locator("#claim-approve").click()
    page.fill("#id_note", "欢迎参加")
    submit_action(page)
    saved(page)
    claim.refresh_from_db()
    assert (claim.state, claim.decided_by_id) == (ClaimState.APPROVED, sq_admin.pk)

    as_member(page, base_url, "xinbaodao", demo.password)
    mine = page.locator(f'#me-claims [data-state="{ClaimState.APPROVED}"]')
    expect(mine).to_contain_text(post.title)
    now = timezone.now()
    shown = [int(pk) for pk in page.locator("#me-upcoming [data-pk]").evaluate_all("els => els.map(e => e.dataset.pk)")]
    taken = dict(activity_services.with_taken(Activity.objects.filter(pk__in=shown)).values_list("pk", "taken"))
    candidates = Activity.objects.filter(pk__in=shown, community=community, cancelled_on__isnull=True)
    activity = next(
        a
        for a in sorted(candidates, key=lambda a: shown.index(a.pk))
        if a.starts_at > now and (a.capacity is None or taken[a.pk] < a.capacity)
    )
    page.locator(f'#me-upcoming [data-pk="{activity.pk}"]').click()
    expect(page).to_have_url(re.compile(rf"{re.escape(activity.get_absolute_url())}$"))
    _member_page_ok(page, "activity")
    page.locator("#activity-signup").click()
    saved(page)
    expect(page.locator("#activity-withdraw")).to_be_visible()
    assert Signup.objects.filter(activity=activity, member=member, withdrawn_at__isnull=True).exists()
    _member_page_ok(page, "activity signed up")
    page.goto("/me/")
    expect(page.locator(f'#me-signups [data-pk]:has-text("{activity.title}")')).to_have_count(1)

    # ---- 2. hours declared on the phone, verified by the community on the web ------------------------------------
    page.locator("#me-hours-declare").click()
    expect(page).to_have_url(re.compile(r"/volunteers/hours/declare/$"))
    _member_page_ok(page, "declare form")
    # the records' list is 志愿服务记录, not "the number of service records" (a msgid shared with a certificate's count)
    expect(page.locator("ol.breadcrumb")).to_contain_text("志愿服务记录")
    page.select_option("#id_community", str(community.pk))
    page.fill("#id_served_on", served_on.isoformat())
    page.fill("#id_hours", "2.5")
    page.fill("#id_content", "为独居老人读报")
    page.fill("#id_place", "社区老年活动室")
    page.locator("#declare-submit").click()
    expect(page).to_have_url(re.compile(r"/volunteers/hours/\d+/$"))
    saved(page)
    record = ServiceHours.objects.get(member=member, served_on=served_on)
    assert (record.state, record.hours, record.community) == (HoursState.PENDING, Decimal("2.5"), community)
    expect(page.locator("#hours-verify")).to_have_count(0)  # the member does not verify their own
    _member_page_ok(page, "service record")

    as_admin(page, login, "sq_admin")
    page.goto(record.get_absolute_url())
    page.locator("#hours-verify").click()
    saved(page)
    expect(page.locator("#hours-state")).to_have_text("已核验")
    record.refresh_from_db()
    assert (record.state, record.verified_by_id) == (HoursState.VERIFIED, sq_admin.pk)

    # ---- 3. the quarter's feedback letters: drafted, evaluated, signed; the unit org's admin reads it -------------
    page.goto("/volunteers/feedback/")
    draft = page.locator("#feedback-draft-form")
    pick(page, "id_org", community_org.code, f'.sqdj-pick-item[data-code="{community_org.code}"]')
    draft.locator("#id_period_kind").select_option("quarter")
    draft.locator("#id_year").fill(str(year))
    draft.locator("#id_quarter").select_option(str(quarter))
    page.locator("#feedback-draft").click()
    expect(page).to_have_url(re.compile(r"/volunteers/feedback/\?to_sign=true$"))
    saved(page)
    letter = Feedback.objects.get(member=member, period_start=q_start)
    assert (letter.state, letter.hours) == (FeedbackState.DRAFT, Decimal("2.5"))
    assert (letter.org, letter.unit_org) == (community_org, unit_org)
    page.locator(f'main a[href="{letter.get_absolute_url()}"]').first.click()
    page.locator(f'main a[href="/volunteers/feedback/{letter.pk}/edit/"]').click()
    page.select_option("#id_evaluation", "good")
    page.fill("#id_note", "积极参加社区志愿服务。")
    submit_action(page)
    saved(page)
    page.locator("#feedback-sign").click()
    submit_action(page)
    saved(page)
    letter.refresh_from_db()
    assert letter.state == FeedbackState.SIGNED and letter.number
    expect(page.locator("#feedback-final")).to_be_visible()

    as_admin(page, login, "dw_admin")
    page.goto(f"/volunteers/feedback/?q={NAME}")
    row = page.locator("main table tbody tr", has_text=NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(letter.number)
    row.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(re.compile(rf"{re.escape(letter.get_absolute_url())}$"))
    main = page.locator("main")
    expect(main).to_contain_text(letter.number)
    expect(main).to_contain_text("积极参加社区志愿服务。")
    expect(page.locator("#feedback-sign")).to_have_count(0)  # the unit side reads, never writes
    text = _pdf(page, page.locator("#feedback-pdf").get_attribute("href"))
    assert NAME in text and letter.number in text

    # ---- 4. a certificate: issued by the community, downloaded from 我的, accepted by the public page -------------
    as_admin(page, login, "sq_admin")
    page.goto("/volunteers/certificates/")
    page.locator('main a[href="/volunteers/certificates/issue/"]').first.click()
    pick(page, "id_member", NAME, f'.sqdj-pick-item[data-value="{member.pk}"]')
    pick(page, "id_org", community_org.code, f'.sqdj-pick-item[data-code="{community_org.code}"]')
    page.fill("#id_period_start", q_start.isoformat())
    page.fill("#id_period_end", q_end.isoformat())
    page.locator("#certificate-issue-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/volunteers/certificates/\d+/$"))
    saved(page)
    cert = Certificate.objects.get(member=member)
    assert (cert.hours, cert.records, cert.org) == (Decimal("2.5"), 1, community_org)

    as_member(page, base_url, "xinbaodao", demo.password)
    expect(page.locator("#me-hours [data-state]").first).to_have_attribute("data-state", HoursState.VERIFIED)
    link = page.locator(f'#me-certificates [data-number="{cert.number}"]')
    expect(link).to_contain_text(cert.number)
    _member_page_ok(page, "我的 with a certificate")
    # saved from the link (Alt+click: Chromium saves the link's target instead of opening its PDF viewer, whose
    # extension's requests would leave 127.0.0.1)
    with page.expect_download() as download:
        link.click(modifiers=["Alt"])
    reader, text = read_pdf(download.value.path().read_bytes())
    assert_cjk_fonts_embedded(reader)
    assert NAME in text and cert.number in text
    assert _pdf(page, link.get_attribute("href")) == text  # served as application/pdf

    page.context.clear_cookies()  # the verification page is public
    page.goto("/volunteers/verify/")
    _member_page_ok(page, "verification page")
    page.fill("#id_number", cert.number)
    page.fill("#id_name", NAME)
    page.locator("#verify-form button[type=submit]").click()
    expect(page.locator("#verify-verdict")).to_have_text("该证明真实有效。")
    answer = page.locator("#verify-answer")
    expect(answer).to_contain_text(NAME)
    expect(answer).to_contain_text("2.5")
    expect(answer).to_contain_text(cert.number)

    last = cert.number[-1]
    mistyped = cert.number[:-1] + ("0" if last != "0" else "1")
    page.fill("#id_number", mistyped)
    page.fill("#id_name", NAME)
    page.locator("#verify-form button[type=submit]").click()
    expect(page.locator("#verify-answer")).to_have_count(0)
    expect(page.locator("#verify-form")).to_contain_text("证明编号有误，请核对")
