"""Residents' requests followed to closure (issue 17 item 1): every transition both ways, bad input (Chinese, nothing
written), the rulebook's thresholds on both sides (due days by category and when urgent, the escalation delay), the
assignment, the resident's answer and the reopen, the escalation job, the catalogue, two admins at once."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.areas.services import do_create_area
from sqdj.core.models import ObjectChange
from sqdj.core.rules import param
from sqdj.core.services import Conflict, ScopeViolation
from sqdj.core.tasks import daily_jobs
from sqdj.members.self_service import do_link_user
from sqdj.members.services import do_create_member
from sqdj.services import requests as services
from sqdj.services.choices import RequestState, Satisfaction, Urgency
from sqdj.services.models import Category, Request, RequestStep
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.concurrency import race
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db
S = RequestState


class RequestWorld:
    """The shared world, a grid in 甲社区, a member of 甲社区's branch with an account (role member), a unit with a
    liaison and a council project in 甲社区, a subdistrict admin, and one request in each community."""

    def __init__(self):
        w = build_world()
        self.__dict__.update(w.__dict__)
        self.world = w
        self.grid1 = do_create_area(acting_user=None, parent=w.community_area1, code="T01001001001", name="一网格",
                                    type="grid")  # fmt: skip
        self.member = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="王五"))
        self.member_user = do_create_user("member1", password=PASSWORD, validate=False)
        do_grant_role(self.member_user, role="member", org=w.branch1, descendants=False)
        do_link_user(self.member, self.member_user, acting_user=None)
        self.other_member = do_create_member(acting_user=None, **member_data(w.branch2, seq=2, name="赵六"))
        unit_model, contact_model = apps.get_model("units", "Unit"), apps.get_model("units", "UnitContact")
        project_model = apps.get_model("units", "Project")
        self.unit = unit_model.objects.create(name="某公司", credit_code="91110000MA00000011",
                                              category="non_public_enterprise", area=w.community_area1,
                                              employees=20, party_members=2)  # fmt: skip
        self.liaison = do_create_user("liaison1", password=PASSWORD, validate=False)
        do_grant_role(self.liaison, role="unit_contact", org=w.community1, descendants=False)
        contact_model.objects.create(unit=self.unit, user=self.liaison, started_on=datetime.date(2025, 1, 1))
        self.project = project_model.objects.create(org=w.community1, title="共建项目一")
        self.sub_admin = do_create_user("sub1", password=PASSWORD, validate=False)
        do_grant_role(self.sub_admin, role="subdistrict_admin", org=w.street, descendants=True)
        self.category = Category.objects.get(code="linli")
        self.req1 = self.new(summary="楼道堆物", area=self.grid1)
        self.req2 = self.new(summary="路灯不亮", area=w.community_area2, acting_user=None)

    def new(self, *, acting_user="admin", area=None, **over):
        data = {"summary": "诉求", "description": "具体情况", "area": area or self.community_area1,
                "source": "visit", "category": self.category, "contact_name": "李四",
                "contact_phone": "13812345678", "consent": True, "consent_version": "v1"}  # fmt: skip
        data.update(over)
        user = self.admin1 if acting_user == "admin" else acting_user
        return services.do_create_request(acting_user=user, **data)


@pytest.fixture
def w():
    return RequestWorld()


def _snapshot(request):
    return (Request.objects.filter(pk=request.pk).values().first(), RequestStep.objects.count(),
            ObjectChange.objects.count())  # fmt: skip


def _refused(w, request, call, field=None):
    """`call` is refused with a Chinese message; nothing was written."""
    before = _snapshot(request)
    with pytest.raises(ValidationError) as caught:
        call()
    assert _snapshot(request) == before
    messages = caught.value.message_dict[field] if field else caught.value.messages
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages), messages
    return caught.value


def _to(w, request, *states, user=None):
    """Walk `request` through `states` as admin1."""
    steps = {S.ACCEPTED: services.do_accept, S.IN_PROGRESS: services.do_start, S.RESOLVED: services.do_resolve,
             S.CLOSED: services.do_close}  # fmt: skip
    for state in states:
        request.refresh_from_db()
        extra = {"outcome": "已清理"} if state == S.RESOLVED else {}
        request = steps[state](request, acting_user=user or w.admin1, version=request.version, **extra)
    return request


# ---- the happy path ------------------------------------------------------------------------------------------


def test_accept_start_resolve_rate_close(w):
    r = _to(w, w.req1, S.ACCEPTED)
    assert r.state == S.ACCEPTED and r.accepted_at is not None and r.version == 2
    r = _to(w, r, S.IN_PROGRESS, S.RESOLVED)
    assert r.state == S.RESOLVED and r.resolved_at is not None and r.resolution == "已清理"
    r = services.do_rate(r, acting_user=w.admin1, version=r.version, satisfaction=Satisfaction.SATISFIED)
    assert r.satisfaction == Satisfaction.SATISFIED and r.unsatisfied_streak == 0
    r = services.do_close(r, acting_user=w.admin1, version=r.version, public_note="已办结")
    assert r.state == S.CLOSED and r.closed_at is not None
    steps = list(r.steps.values_list("state", flat=True))
    assert steps == [S.RECEIVED, S.ACCEPTED, S.IN_PROGRESS, S.RESOLVED, S.RESOLVED, S.CLOSED]
    last = r.steps.last()
    assert last.by == w.admin1 and last.public_note == "已办结"


def test_resolve_straight_from_accepted(w):
    r = _to(w, w.req1, S.ACCEPTED, S.RESOLVED)
    assert r.state == S.RESOLVED


@pytest.mark.parametrize("action", ["refer", "decline"])
def test_refer_and_decline_need_a_reason(w, action):
    call = getattr(services, f"do_{action}")
    r = w.req1
    _refused(w, r, lambda: call(r, acting_user=w.admin1, version=r.version, reason="  "), "reason")
    done = call(r, acting_user=w.admin1, version=r.version, reason="属于物业职责")
    assert done.state == services.ACTION_STATES[action] and done.end_reason == "属于物业职责"
    assert done.closed_at is not None


# ---- the other way: steps a state does not allow ------------------------------------------------------------


@pytest.mark.parametrize(
    ("walk", "action"),
    [
        ((), "start"),  # received → in progress: accept first
        ((), "resolve"),
        ((), "close"),
        ((S.ACCEPTED,), "accept"),
        ((S.ACCEPTED, S.IN_PROGRESS), "decline"),
        ((S.ACCEPTED, S.RESOLVED), "start"),  # a reopen goes through the resident's answer only
        ((S.ACCEPTED, S.RESOLVED), "refer"),
        ((S.ACCEPTED, S.RESOLVED, S.CLOSED), "close"),
        ((S.ACCEPTED, S.RESOLVED, S.CLOSED), "start"),
    ],
)
def test_a_step_the_state_does_not_allow_is_refused(w, walk, action):
    r = _to(w, w.req1, *walk)
    extra = {"outcome": "x"} if action == "resolve" else {"reason": "x"} if action in ("refer", "decline") else {}
    _refused(w, r, lambda: getattr(services, f"do_{action}")(r, acting_user=w.admin1, version=r.version, **extra))


def test_resolve_needs_an_outcome_and_public_notes_hold_no_numbers(w):
    r = _to(w, w.req1, S.ACCEPTED)
    _refused(w, r, lambda: services.do_resolve(r, acting_user=w.admin1, version=r.version, outcome=""), "outcome")
    _refused(w, r, lambda: services.do_resolve(r, acting_user=w.admin1, version=r.version, outcome="好",
                                               public_note="请联系13812345678"), "public_note")  # fmt: skip
    _refused(w, r, lambda: services.do_start(r, acting_user=w.admin1, version=r.version, note="x" * 501), "note")
    done = services.do_start(r, acting_user=w.admin1, version=r.version, note="x" * 500, public_note="正在处理")
    assert done.state == S.IN_PROGRESS


def test_a_stale_version_is_a_conflict(w):
    r = w.req1
    stale = r.version
    services.do_accept(r, acting_user=w.admin1, version=stale)
    before = _snapshot(r)
    with pytest.raises(Conflict):
        services.do_refer(r, acting_user=w.admin1, version=stale, reason="别处")
    assert _snapshot(r) == before


# ---- who may act -----------------------------------------------------------------------------------------------


def test_out_of_scope_and_viewer_may_not_act(w):
    r2 = w.req2
    with pytest.raises(ScopeViolation):
        services.do_accept(r2, acting_user=w.admin1, version=r2.version)
    with pytest.raises(ScopeViolation):
        services.do_accept(w.req1, acting_user=w.viewer1, version=w.req1.version)
    assert Request.objects.get(pk=r2.pk).state == S.RECEIVED
    assert services.allowed_actions(w.req1, w.viewer1) == []


def test_the_assigned_member_starts_and_resolves_but_does_not_close(w):
    r = _to(w, w.req1, S.ACCEPTED)
    with pytest.raises(ScopeViolation):  # not assigned yet
        services.do_start(r, acting_user=w.member_user, version=r.version)
    r = services.do_assign(r, acting_user=w.admin1, version=r.version, member=w.member, note="请跟进")
    assert r.assigned_member == w.member and "王五" in r.steps.last().note
    assert services.allowed_actions(r, w.member_user) == ["start", "resolve"]
    r = services.do_start(r, acting_user=w.member_user, version=r.version)
    r = services.do_resolve(r, acting_user=w.member_user, version=r.version, outcome="已处理")
    assert r.state == S.RESOLVED and r.steps.last().by == w.member_user
    with pytest.raises(ScopeViolation):
        services.do_close(r, acting_user=w.member_user, version=r.version)
    with pytest.raises(ScopeViolation):
        services.do_rate(r, acting_user=w.member_user, version=r.version, satisfaction="satisfied")


def test_assign_to_exactly_one_within_the_responsible_org(w):
    r = w.req1
    _refused(w, r, lambda: services.do_assign(r, acting_user=w.admin1, version=r.version))
    _refused(w, r, lambda: services.do_assign(r, acting_user=w.admin1, version=r.version, member=w.member,
                                              branch=w.branch1))  # fmt: skip
    _refused(w, r, lambda: services.do_assign(r, acting_user=w.admin1, version=r.version,
                                              member=w.other_member), "member")  # fmt: skip
    _refused(w, r, lambda: services.do_assign(r, acting_user=w.admin1, version=r.version, branch=w.branch2), "branch")
    r = services.do_assign(r, acting_user=w.admin1, version=r.version, branch=w.branch1)
    assert r.assigned_org == w.branch1
    r = services.do_assign(r, acting_user=w.admin1, version=r.version, unit=w.unit)
    assert r.assigned_unit == w.unit and r.assigned_org is None  # replaces the former one
    r = services.do_assign(r, acting_user=w.admin1, version=r.version, project=w.project)
    assert r.assigned_project == w.project and r.assigned_unit is None
    with pytest.raises(ScopeViolation):
        services.do_assign(r, acting_user=w.viewer1, version=r.version, branch=w.branch1)


# ---- the resident's answer ---------------------------------------------------------------------------------


def test_unsatisfied_reopens_and_counts_then_satisfied_resets(w):
    r = _to(w, w.req1, S.ACCEPTED)
    _refused(w, r, lambda: services.do_rate(r, acting_user=w.admin1, version=r.version, satisfaction="satisfied"))
    r = _to(w, r, S.RESOLVED)
    _refused(w, r, lambda: services.do_rate(r, acting_user=w.admin1, version=r.version, satisfaction="good"),
             "satisfaction")  # fmt: skip
    r = services.do_rate(r, acting_user=w.admin1, version=r.version, satisfaction=Satisfaction.UNSATISFIED)
    assert (r.state, r.reopened, r.unsatisfied_streak, r.resolved_at) == (S.IN_PROGRESS, 1, 1, None)
    assert r.steps.last().state == S.IN_PROGRESS
    r = _to(w, r, S.RESOLVED)
    _refused(w, r, lambda: services.do_close(r, acting_user=w.admin1, version=r.version))  # rated again first
    r = services.do_rate(r, acting_user=w.admin1, version=r.version, satisfaction=Satisfaction.UNSATISFIED)
    assert (r.reopened, r.unsatisfied_streak) == (2, 2)
    r = _to(w, r, S.RESOLVED)
    r = services.do_rate(r, acting_user=w.admin1, version=r.version, satisfaction=Satisfaction.BASICALLY)
    assert (r.state, r.unsatisfied_streak, r.reopened) == (S.RESOLVED, 0, 2)
    assert _to(w, r, S.CLOSED).state == S.CLOSED


def test_a_resolved_request_without_an_answer_may_be_closed(w):
    r = _to(w, w.req1, S.ACCEPTED, S.RESOLVED, S.CLOSED)
    assert r.state == S.CLOSED and r.satisfaction == ""


# ---- the rulebook's thresholds --------------------------------------------------------------------------------


def test_due_days_by_category_and_urgent(w):
    table = param("services.request_due_days")
    on = timezone.now()
    r = w.new(received_at=on)
    assert r.due_at == on + datetime.timedelta(days=table["linli"])
    other = w.new(received_at=on, category=Category.objects.get(code="huanjing"))
    assert other.due_at == on + datetime.timedelta(days=table.get("huanjing", table["default"]))
    urgent = w.new(received_at=on, urgency=Urgency.URGENT)
    assert urgent.due_at == on + datetime.timedelta(days=param("services.urgent_due_days"))


def test_overdue_on_both_sides_of_the_due_time(w):
    r = w.req1
    overdue = Request.objects.filter(services.overdue_q(r.due_at - datetime.timedelta(seconds=1)), pk=r.pk)
    assert not overdue.exists()
    assert Request.objects.filter(services.overdue_q(r.due_at + datetime.timedelta(seconds=1)), pk=r.pk).exists()
    r = _to(w, r, S.ACCEPTED, S.RESOLVED)  # resolved: no longer open, never overdue
    assert not Request.objects.filter(services.overdue_q(r.due_at + datetime.timedelta(days=99)), pk=r.pk).exists()


def test_escalation_on_both_sides_of_the_delay_once_and_notified(w):
    from sqdj.core.models import Notification  # noqa: PLC0415 (only here)

    Request.objects.filter(pk=w.req2.pk).update(state=S.CLOSED)  # only the first one is late here
    r = w.req1
    at = services.escalation_at(r)
    assert at == r.due_at + datetime.timedelta(days=param("services.escalate_after_days"))
    assert services.escalate_due(at - datetime.timedelta(seconds=1)) == 0
    assert Request.objects.get(pk=r.pk).escalated_at is None
    before = Notification.objects.filter(user=w.sub_admin).count()
    assert services.escalate_due(at + datetime.timedelta(seconds=1)) == 1
    r.refresh_from_db()
    assert r.escalated_at is not None and r.steps.last().note
    assert Notification.objects.filter(user=w.sub_admin).count() == before + 1
    assert services.escalate_due(at + datetime.timedelta(days=1)) == 0  # once
    assert Request.objects.filter(services.escalated_q(), pk=r.pk).exists()


def test_the_daily_job_escalates(w):
    """The job is one of the daily jobs core.tasks finds (the app's `tasks` module)."""
    escalate_requests = daily_jobs()["services.escalate"]
    Request.objects.filter(pk=w.req2.pk).update(state=S.CLOSED)
    Request.objects.filter(pk=w.req1.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=60), due_at=timezone.now() - datetime.timedelta(days=59)
    )
    result = escalate_requests.call(timezone.localdate().isoformat())
    assert result == {"escalated": 1}


# ---- the catalogue ---------------------------------------------------------------------------------------------


def test_categories_own_and_national(w):
    mine = services.do_create_category(acting_user=w.admin1, org=w.community1, code="own1", name="本社区类别")
    assert mine.org == w.community1
    with pytest.raises(ValidationError) as caught:
        services.do_create_category(acting_user=w.admin1, org=w.community1, code="own1", name="重复")
    assert "code" in caught.value.message_dict
    with pytest.raises(ScopeViolation):
        services.do_create_category(acting_user=w.admin1, org=None, code="nat1", name="全国")
    with pytest.raises(ScopeViolation):
        services.do_create_category(acting_user=w.admin1, org=w.community2, code="x2", name="别处")
    with pytest.raises(ScopeViolation):
        services.do_update_category(w.category, acting_user=w.admin1, code="linli", name="改名")
    national = services.do_create_category(acting_user=w.superuser, org=None, code="nat1", name="全国")
    assert national.org is None
    done = services.do_update_category(mine, acting_user=w.admin1, code="own1", name="改名", active=False)
    assert done.name == "改名" and not done.active
    with pytest.raises(ValidationError):
        services.do_update_category(mine, acting_user=w.admin1, code="", name="")


# ---- two admins at once ----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_admins_closing_at_once_one_conflict():
    w = RequestWorld()
    second = do_create_user("admin1b", password=PASSWORD, validate=False)
    do_grant_role(second, role="community_admin", org=w.community1, descendants=True)
    r = _to(w, w.req1, S.ACCEPTED, S.RESOLVED)
    results = race(
        lambda: services.do_close(r, acting_user=w.admin1, version=r.version),
        lambda: services.do_close(r, acting_user=second, version=r.version),
    )
    assert sorted(type(x).__name__ for x in results) == ["Conflict", "Request"], results
    r.refresh_from_db()
    assert r.state == S.CLOSED and r.steps.filter(state=S.CLOSED).count() == 1


def test_the_public_list_on_and_off_by_the_responsible_side_only(w):
    """Staff put a request on the public list (its summary scanned first) and take it off; a viewer may not; a stale
    version conflicts."""
    r = w.req1
    with pytest.raises(ScopeViolation):
        services.do_set_public(r, acting_user=w.viewer1, version=r.version, public=True)
    r = services.do_set_public(r, acting_user=w.admin1, version=r.version, public=True)
    assert r.public and "publish" not in services.allowed_actions(r, w.admin1)
    assert "unpublish" in services.allowed_actions(r, w.admin1) and services.allowed_actions(r, w.viewer1) == []
    with pytest.raises(Conflict):
        services.do_set_public(r, acting_user=w.admin1, version=r.version - 1, public=False)
    r = services.do_set_public(r, acting_user=w.admin1, version=r.version, public=False)
    assert not r.public
    Request.objects.filter(pk=r.pk).update(summary="请联系13812345678")  # written before the scan existed
    r.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.do_set_public(r, acting_user=w.admin1, version=r.version, public=True)
    assert "summary" in exc.value.message_dict
    r.refresh_from_db()
    assert not r.public
