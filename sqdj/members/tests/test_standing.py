"""Standing changes with their count-ledger rows and the dated member states (members.standing, issue 13)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sqdj.core.services import ScopeViolation
from sqdj.members import standing as S
from sqdj.members.choices import EFFECT, EventKind, StateKind
from sqdj.members.models import Member, MembershipEvent, MemberState
from sqdj.members.services import do_create_member, do_register
from sqdj.testing import build_world
from sqdj.testing.members import member_data

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = build_world()
    w.m = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, joined_on=D(2000, 7, 1),
                                                            confirmed_on=D(2001, 7, 1)))  # fmt: skip
    return w


def kinds(m):
    return list(m.events.order_by("pk").values_list("kind", flat=True))


def test_every_kind_has_its_effect_and_non_count_events_are_gone(w):
    assert set(EFFECT) == set(EventKind.values)
    assert not {"registered", "category_changed", "removed"} & set(EventKind.values)
    do_register(w.m, acting_user=None, community=w.community_area1, registered_on=D(2024, 3, 1))
    assert kinds(w.m) == ["joined", "confirmed"]  # a registration is in the change log, not the ledger
    assert [e.effect for e in w.m.events.order_by("pk")] == [1, 0]


def test_suspend_and_restore(w):
    state = S.do_suspend(w.m, acting_user=w.admin1, date=D(2022, 3, 1), decision_number="甲社党〔2022〕1号",
                         decision_date=D(2022, 2, 25))  # fmt: skip
    w.m.refresh_from_db()
    assert w.m.standing == "suspended"
    e = w.m.events.get(kind=EventKind.SUSPENDED)
    assert (e.date, e.org, e.effect, e.decision_number, e.decision_date) == (
        D(2022, 3, 1), w.branch1, -1, "甲社党〔2022〕1号", D(2022, 2, 25)
    )  # fmt: skip
    assert (state.kind, state.starts_on, state.ends_on) == (StateKind.SUSPENDED, D(2022, 3, 1), None)
    S.do_restore(w.m, acting_user=w.admin1, date=D(2023, 1, 10))
    w.m.refresh_from_db()
    state.refresh_from_db()
    assert w.m.standing == "active" and (state.ends_on, state.end_reason) == (D(2023, 1, 10), "restored")
    assert kinds(w.m)[-2:] == ["suspended", "restored"]


def test_exit_of_a_member_on_the_roll_and_of_a_suspended_one(w):
    other = do_create_member(acting_user=None, **member_data(w.branch1, seq=2))
    S.do_end_membership(other, acting_user=w.admin1, kind=EventKind.EXPELLED, date=D(2024, 5, 1))
    assert Member.objects.get(pk=other.pk).standing == "removed" and kinds(other)[-1] == "expelled"
    # 停止党籍 already took the member off the count: 按自行脱党除名 closes the suspension, no second decrease
    state = S.do_suspend(w.m, acting_user=w.admin1, date=D(2021, 3, 1))
    S.do_end_membership(w.m, acting_user=w.admin1, kind=EventKind.LAPSED, date=D(2023, 3, 1))
    state.refresh_from_db()
    assert kinds(w.m) == ["joined", "confirmed", "suspended"]
    assert (state.ends_on, state.end_reason) == (D(2023, 3, 1), "lapsed")
    assert Member.objects.get(pk=w.m.pk).standing == "removed"
    third = do_create_member(acting_user=None, **member_data(w.branch1, seq=3))
    S.do_end_membership(third, acting_user=None, kind=EventKind.DIED, date=D(2025, 1, 2))
    assert Member.objects.get(pk=third.pk).standing == "deceased" and kinds(third)[-1] == "died"


def test_bad_input_gives_chinese_errors_and_writes_nothing(w):
    before = (MembershipEvent.objects.count(), MemberState.objects.count())
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            S.do_suspend(w.m, acting_user=w.admin1, date=D(1999, 1, 1))  # before joining
        assert "入党" in exc.value.message_dict["date"][0]
        with pytest.raises(ValidationError) as exc:
            S.do_restore(w.m, acting_user=w.admin1, date=D(2024, 1, 1))  # not suspended
        assert "停止党籍" in exc.value.message_dict["member"][0]
        with pytest.raises(ValidationError) as exc:
            S.do_suspend(w.m, acting_user=w.admin1, date=datetime.date.today() + datetime.timedelta(days=1))
        assert exc.value.message_dict["date"]
        with pytest.raises(ValidationError) as exc:
            S.do_probation_discipline(w.m, acting_user=w.admin1, starts_on=D(2024, 1, 1), years=3)
        assert "留党察看" in exc.value.message_dict["years"][0]
        with pytest.raises(ValidationError) as exc:
            S.do_end_membership(w.m, acting_user=w.admin1, kind=EventKind.JOINED, date=D(2024, 1, 1))
        assert exc.value.message_dict["kind"]
    assert (MembershipEvent.objects.count(), MemberState.objects.count()) == before
    assert Member.objects.get(pk=w.m.pk).standing == "active"


def test_dates_follow_the_members_history(w):
    S.do_suspend(w.m, acting_user=w.admin1, date=D(2022, 3, 1))
    with pytest.raises(ValidationError) as exc:
        S.do_restore(w.m, acting_user=w.admin1, date=D(2022, 2, 28))  # before the suspension
    assert exc.value.message_dict["date"]
    S.do_restore(w.m, acting_user=w.admin1, date=D(2022, 3, 1))  # the same day is allowed


def test_out_of_scope_is_refused(w):
    out = do_create_member(acting_user=None, **member_data(w.branch2, seq=5))
    with pytest.raises(ScopeViolation):
        S.do_suspend(out, acting_user=w.admin1, date=D(2022, 3, 1))
    with pytest.raises(ScopeViolation):
        S.do_suspend(w.m, acting_user=w.viewer1, date=D(2022, 3, 1))
    assert not MembershipEvent.objects.filter(kind=EventKind.SUSPENDED).exists()


def test_voters_leave_out_probation_discipline_and_suspension_on_the_day(w):
    other = do_create_member(acting_user=None, **member_data(w.branch1, seq=2))
    state = S.do_probation_discipline(w.m, acting_user=w.admin1, starts_on=D(2023, 6, 1), years=1)
    assert state.ends_on == D(2024, 6, 1)

    def voting(on):
        return set(S.voters(Member.objects.all(), on).values_list("pk", flat=True))

    assert voting(D(2023, 5, 31)) == {w.m.pk, other.pk}
    assert voting(D(2023, 6, 1)) == voting(D(2024, 5, 31)) == {other.pk}
    assert voting(D(2024, 6, 1)) == {w.m.pk, other.pk}  # the state ends: rights restored
    with pytest.raises(ValidationError):  # overlapping 留党察看
        S.do_probation_discipline(w.m, acting_user=w.admin1, starts_on=D(2024, 1, 1), years=1)
    S.do_suspend(other, acting_user=w.admin1, date=D(2024, 2, 1))
    assert other.pk not in voting(D(2024, 7, 1))


def test_page_actions_for_users_who_may_change(w):
    c = Client()
    c.force_login(w.viewer1)
    page = c.get(w.m.get_absolute_url()).content.decode()
    assert 'id="standing"' in page and 'id="standing-suspend"' not in page
    c.post(reverse("members:member_suspend", args=[w.m.pk]), {"date": "2022-03-01"})
    assert Member.objects.get(pk=w.m.pk).standing == "active"  # a viewer may not
    c.force_login(w.admin1)
    page = c.get(w.m.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="standing-suspend"' in page
    # each form first says what it will change (issue 14: confirmations)
    assert "记录后：该党员不再计入党员名册" in page and "此操作无法在此撤销" in page
    r = c.post(reverse("members:member_suspend", args=[w.m.pk]),
               {"date": "1999-01-01"}, HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert r.status_code == 302 and Member.objects.get(pk=w.m.pk).standing == "active"
    r = c.post(reverse("members:member_suspend", args=[w.m.pk]),
               {"date": "2022-03-01", "decision_number": "甲社党〔2022〕1号"})  # fmt: skip
    assert Member.objects.get(pk=w.m.pk).standing == "suspended"
    page = c.get(w.m.get_absolute_url()).content.decode()
    assert "甲社党〔2022〕1号" in page and 'id="standing-restore"' in page and 'id="standing-suspend"' not in page
