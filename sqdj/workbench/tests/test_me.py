"""我的 (issue 16 item 7): the member's own page, assembled from the cards the apps declare (mine.py). A member user
sees their own rows in every card and nothing of anyone else's; their ID number is masked; the home sends a
member-only user here; a user without a member record gets a Chinese page; every card reads a bounded number of
queries whatever the member's rows."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sqdj.core import dates
from sqdj.core.models import Notification
from sqdj.core.plugins import mine_sections
from sqdj.testing.self_service import build_self_world, leak_markers
from sqdj.volunteers.choices import ClaimState, HoursSource, HoursState
from sqdj.volunteers.models import (
    Activity,
    Certificate,
    Post,
    PostClaim,
    PostKind,
    ServiceHours,
    Signup,
    Team,
    TeamMember,
)
from sqdj.workbench.me_views import MESSAGES

DAY = datetime.timedelta(days=1)


def _volunteer_rows(sw, member, tag: str, *, community, org) -> dict:
    """A post claim, a team membership, an upcoming and a signed-up activity, hours and a certificate of `member`,
    each marked with `tag` (made directly: the services belong to the other parts)."""
    today = dates.today()
    now = timezone.now()
    kind = PostKind.objects.order_by("pk").first()
    post = Post.objects.create(org=org, community=community, kind=kind, service_area="convenience",
                               title=f"岗位{tag}", starts_on=today - 30 * DAY)  # fmt: skip
    claim = PostClaim.objects.create(post=post, member=member, state=ClaimState.APPROVED, applied_on=today - 20 * DAY)
    team = Team.objects.create(org=org, community=community, name=f"服务队{tag}", service_area="culture",
                               founded_on=today - 100 * DAY)  # fmt: skip
    tm = TeamMember.objects.create(team=team, member=member, state=ClaimState.PENDING, applied_on=today - 5 * DAY)
    open_activity = Activity.objects.create(
        org=org, community=community, service_area="convenience", title=f"活动可报{tag}", place=f"地点{tag}",
        starts_at=now + 3 * DAY, ends_at=now + 3 * DAY + datetime.timedelta(hours=2),
    )  # fmt: skip
    joined = Activity.objects.create(
        org=org, community=community, service_area="convenience", title=f"活动已报{tag}", place=f"地点{tag}",
        starts_at=now + 4 * DAY, ends_at=now + 4 * DAY + datetime.timedelta(hours=2),
    )  # fmt: skip
    signup = Signup.objects.create(activity=joined, member=member, signed_up_at=now)
    hours = [
        ServiceHours.objects.create(
            member=member, org=org, community=community, served_on=day, hours=Decimal(h), content=f"服务内容{tag}{i}",
            place=f"地点{tag}", source=HoursSource.RECORDED, state=state, recorded_at=now,
        )  # fmt: skip
        for i, (day, h, state) in enumerate([
            (today - DAY, "2.5", HoursState.VERIFIED),
            (today - 2 * DAY, "1.5", HoursState.VERIFIED),
            (today - 3 * DAY, "4.0", HoursState.PENDING),
            (datetime.date(today.year - 1, 12, 31), "7.0", HoursState.VERIFIED),  # last year: not in the total
        ])
    ]  # fmt: skip
    cert = Certificate.objects.create(
        member=member, org=org, community=community, period_start=datetime.date(today.year - 1, 1, 1),
        period_end=datetime.date(today.year - 1, 12, 31), hours=Decimal("7.0"), records=1,
        number=f"ZM{tag}", issued_on=today,
    )  # fmt: skip
    return {"post": post, "claim": claim, "team": team, "tm": tm, "open": open_activity, "joined": joined,
            "signup": signup, "hours": hours, "cert": cert}  # fmt: skip


@pytest.fixture
def sw(db):
    sw = build_self_world()
    w = sw.world
    mate, _neighbour, stranger = sw.others
    sw.mine = _volunteer_rows(sw, sw.me, "自己", community=w.community_area1, org=w.community1)
    sw.mates = _volunteer_rows(sw, mate, "同支", community=w.community_area1, org=w.community1)
    sw.strangers = _volunteer_rows(sw, stranger, "他社", community=w.community_area2, org=w.community2)
    Notification.objects.create(user=sw.user, text="消息自己已读", read_at=timezone.now())
    Notification.objects.create(user=sw.user, text="消息自己未读")
    Notification.objects.create(user=w.admin1, text="消息别人")
    return sw


def _page(user) -> str:
    client = Client()
    client.force_login(user)
    resp = client.get(reverse("me"))
    assert resp.status_code == 200
    return unescape(resp.content.decode())


def _section(html: str, key: str) -> str:
    found = re.search(rf'<section[^>]*id="me-{key}".*?</section>', html, re.S)
    assert found, key
    return found.group(0)


def test_a_member_sees_their_own_rows_in_every_card(sw):
    html = _page(sw.user)
    me = sw.me
    me.refresh_from_db()  # the outflow made them a mobile member
    record = _section(html, "record")
    assert me.name in record and sw.world.branch1.name in record
    assert me.get_category_display() in record and me.get_standing_display() in record
    registration = _section(html, "registration")
    assert sw.world.community_area1.name in registration and sw.own["registration"].get_absolute_url() in registration
    mobility = _section(html, "mobility")
    assert sw.own["transfer"].get_absolute_url() in mobility and sw.own["outflow"].destination in mobility
    claims = _section(html, "claims")
    assert "岗位自己" in claims and "服务队自己" in claims
    activities = _section(html, "activities")
    assert "活动可报自己" in activities and "活动已报自己" in activities
    hours = _section(html, "hours")
    assert 'data-total="4.0"' in hours  # this year's verified records only: 2.5 + 1.5
    assert "服务内容自己0" in hours and "服务内容自己2" in hours  # the pending one is listed with its state
    assert "ZM自己" in _section(html, "certificates")
    messages = _section(html, "messages")
    assert messages.index("消息自己未读") < messages.index("消息自己已读")  # unread first


def test_a_member_sees_nothing_of_anyone_else(sw):
    html = _page(sw.user)
    for tag in ("同支", "他社"):
        assert f"岗位{tag}" not in html and f"服务队{tag}" not in html and f"服务内容{tag}" not in html
        assert f"ZM{tag}" not in html
        assert f"活动已报{tag}" not in _section(html, "activities").split('id="me-signups"')[-1]
    # an activity of the member's own community is offered whoever else signed up; another community's is not
    assert "活动可报他社" not in html and "活动已报他社" not in html
    assert "消息别人" not in html
    for other in sw.others:
        for marker in leak_markers(other):
            assert not marker or marker not in html, marker
    assert sw.foreign["transfer"].get_absolute_url() not in html
    assert sw.foreign["outflow"].destination not in html
    assert sw.foreign["registration"].get_absolute_url() not in html


def test_the_member_own_id_number_is_masked(sw):
    html = _page(sw.user)
    assert sw.me.id_number not in html
    assert sw.me.id_number_masked in _section(html, "record")
    assert sw.me.phone not in html


def test_no_points_ranking_or_check_in_on_the_page(sw):
    html = _page(sw.user)
    for word in ("积分", "排名", "排行", "在线时长", "签到", "打卡"):
        assert word not in html, word


def test_the_home_sends_a_member_only_user_to_me_and_not_an_admin(sw):
    client = Client()
    client.force_login(sw.user)
    resp = client.get(reverse("home"))
    assert resp.status_code == 302 and resp["Location"] == reverse("me")
    client.force_login(sw.world.admin1)
    assert client.get(reverse("home")).status_code == 200


def test_a_member_who_also_administers_keeps_the_home_and_sees_only_their_own_rows(sw):
    from sqdj.accounts.services import do_grant_role

    do_grant_role(sw.user, role="community_admin", org=sw.world.community1, descendants=True)
    client = Client()
    client.force_login(sw.user)
    assert client.get(reverse("home")).status_code == 200
    html = _page(sw.user)
    assert "岗位自己" in html and "岗位同支" not in html and "服务内容同支" not in html and "ZM同支" not in html


def test_a_user_without_a_member_record_gets_a_chinese_page(sw):
    html = _page(sw.world.admin1)
    assert 'id="me-no-member"' in html and "尚未关联" in html
    assert 'id="me-record"' not in html and 'id="me-hours"' not in html
    assert 'id="me-messages"' in html  # their messages all the same


def test_the_menu_shows_mine_to_a_user_with_the_member_role_only(sw):
    """Read from the role assignments every page loads anyway (no query of its own: tests/test_query_counts.py)."""
    assert f'href="{reverse("me")}"' in _page(sw.user)
    assert f'href="{reverse("me")}"' not in _page(sw.world.admin1)


def _more_rows(sw, n: int) -> None:
    w = sw.world
    for i in range(n):
        _volunteer_rows(sw, sw.me, f"多{i}", community=w.community_area1, org=w.community1)
        Notification.objects.create(user=sw.user, text=f"更多消息{i}")


def _queries(user) -> int:
    client = Client()
    client.force_login(user)
    client.get(reverse("me"))  # warm the per-process caches (rulebook, menu)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("me")).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_reads_a_constant_number_of_queries(sw):
    before = _queries(sw.user)
    _more_rows(sw, 6)
    assert _queries(sw.user) == before
    assert before <= 40


@pytest.mark.parametrize("key", [s.key for s in mine_sections()] + [MESSAGES.key])
def test_each_card_reads_a_few_queries(sw, key, django_assert_max_num_queries):
    _more_rows(sw, 3)
    section = next(s for s in (*mine_sections(), MESSAGES) if s.key == key)
    request = RequestFactory().get("/me/")
    request.user = sw.user
    from sqdj.members.mine import own_member

    own_member(request)  # the page reads the member once for all cards
    with django_assert_max_num_queries(8):
        assert section.context(request) is not None


def test_the_member_requests_to_change_contact_details_from_here(sw):
    contact_changes = pytest.importorskip("sqdj.members.contact_changes")
    html = _section(_page(sw.user), "registration")
    link = reverse("members:member_contact_change")
    assert f'href="{link}"' in html and 'id="me-contact-changes"' not in html
    sw.me.refresh_from_db()  # linked to the user after it was made
    contact_changes.do_request_contact_change(sw.me, acting_user=sw.user, phone="13912345678")
    html = _section(_page(sw.user), "registration")
    assert 'id="me-contact-changes"' in html and "13912345678" not in html  # its state only, never the number
