"""Joint councils and co-building agreements (issue 15 items 5 and 6): the services' rules — a decision's owner and
due date, its state machine and version conflict, the council's record, agreement dates and reviews — and the
to-dos on both sides of their thresholds."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from sqdj.core.models import ObjectChange
from sqdj.core.rules import param
from sqdj.testing import build_world
from sqdj.units import council_workbench, councils
from sqdj.units.choices import DECISION_TRANSITIONS, DecisionStatus
from sqdj.units.models import Decision, Unit

pytestmark = pytest.mark.django_db
D = datetime.date
S = DecisionStatus


def make_unit(area, n: int, name: str) -> Unit:
    return Unit.objects.create(name=name, credit_code=f"91110000MA0{n:07d}", category="non_public_enterprise",
                               area=area, employees=20, party_members=2)  # fmt: skip


def council_world():
    """build_world + units in both communities, a council of each community with seats, a meeting, decisions, and
    an agreement of each community."""
    w = build_world()
    w.unit1 = make_unit(w.community_area1, 1, "甲科技有限公司")
    w.unit1b = make_unit(w.community_area1, 2, "甲物业服务中心")
    w.unit2 = make_unit(w.community_area2, 3, "乙商贸有限公司")
    w.council1 = councils.do_create_council(acting_user=None, org=w.community1, kind="joint_council",
                                            name="甲社区党建联席会", term_started_on=D(2024, 1, 1))  # fmt: skip
    w.council2 = councils.do_create_council(acting_user=None, org=w.community2, kind="joint_council",
                                            name="乙社区党建联席会", term_started_on=D(2024, 1, 1))  # fmt: skip
    w.seat1 = councils.do_add_council_member(w.council1, acting_user=None, unit=w.unit1, representative="张代表",
                                             started_on=D(2024, 1, 1))  # fmt: skip
    w.seat1b = councils.do_add_council_member(w.council1, acting_user=None, unit=w.unit1b, representative="李代表",
                                              started_on=D(2024, 1, 1))  # fmt: skip
    w.seat2 = councils.do_add_council_member(w.council2, acting_user=None, unit=w.unit2, representative="王代表",
                                             started_on=D(2024, 1, 1))  # fmt: skip
    w.meeting1 = councils.do_create_meeting(acting_user=None, council=w.council1, held_on=D(2024, 3, 1),
                                            place="甲会议室", agenda="议题一", attendees=[w.seat1])  # fmt: skip
    w.meeting2 = councils.do_create_meeting(acting_user=None, council=w.council2, held_on=D(2024, 3, 1),
                                            place="乙会议室", agenda="议题二")  # fmt: skip
    w.decision1 = councils.do_create_decision(acting_user=None, council=w.council1, meeting=w.meeting1,
                                              title="修缮活动室", owner=w.unit1, due_on=D(2099, 1, 1))  # fmt: skip
    w.decision2 = councils.do_create_decision(acting_user=None, council=w.council2, title="共建书屋",
                                              owner=w.unit2, due_on=D(2099, 1, 1))  # fmt: skip
    w.agreement1 = councils.do_create_agreement(
        acting_user=None, org=w.community1, units=[w.unit1], title="甲社区结对共建协议", number="甲共建〔2024〕1号",
        signed_on=D(2024, 1, 1), starts_on=D(2024, 1, 1), ends_on=D(2099, 12, 31), org_commitments="开放党群服务中心",
        unit_commitments="提供志愿服务")  # fmt: skip
    w.agreement2 = councils.do_create_agreement(
        acting_user=None, org=w.community2, units=[w.unit2], title="乙社区共建协议", number="乙共建〔2024〕1号",
        signed_on=D(2024, 1, 1), starts_on=D(2024, 1, 1), ends_on=D(2099, 12, 31), org_commitments="场地",
        unit_commitments="资金")  # fmt: skip
    return w


@pytest.fixture
def w():
    return council_world()


def codes(exc) -> dict:
    return {f: [e.code for e in errs] for f, errs in exc.value.error_dict.items()}


# ---- councils, seats, meetings -------------------------------------------------------------------------------------


def test_council_is_convened_by_a_community_or_subdistrict_org_in_scope(w):
    with pytest.raises(ValidationError) as exc:
        councils.do_create_council(acting_user=w.admin1, org=w.community2, kind="joint_council", name="x",
                                   term_started_on=D(2024, 1, 1))  # fmt: skip
    assert codes(exc) == {"org": ["org_out_of_scope"]}
    with pytest.raises(ValidationError) as exc:
        councils.do_create_council(acting_user=None, org=w.district, kind="joint_council", name="x",
                                   term_started_on=D(2024, 1, 1))  # fmt: skip
    assert codes(exc) == {"org": ["not_convening_org"]}
    big = councils.do_create_council(acting_user=None, org=w.street, kind="working_committee", name="大工委",
                                     term_started_on=D(2024, 1, 1))  # fmt: skip
    assert big.pk
    with pytest.raises(ValidationError) as exc:
        councils.do_create_council(acting_user=w.admin1, org=w.community1, kind="joint_council", name="x",
                                   term_started_on=D(2024, 1, 1), term_ends_on=D(2023, 1, 1))  # fmt: skip
    assert codes(exc) == {"term_ends_on": ["ends_before_start"]}


def test_seat_is_a_unit_in_scope_or_an_org_never_twice(w):
    with pytest.raises(ValidationError) as exc:
        councils.do_add_council_member(w.council1, acting_user=w.admin1, unit=w.unit2, representative="x",
                                       started_on=D(2024, 1, 1))  # fmt: skip
    assert codes(exc) == {"unit": ["unit_out_of_scope"]}
    with pytest.raises(ValidationError) as exc:
        councils.do_add_council_member(w.council1, acting_user=w.admin1, representative="x", started_on=D(2024, 1, 1))
    assert codes(exc) == {"unit": ["unit_or_org"]}
    with pytest.raises(ValidationError) as exc:
        councils.do_add_council_member(w.council1, acting_user=w.admin1, unit=w.unit1, representative="x",
                                       started_on=D(2025, 1, 1))  # fmt: skip
    assert codes(exc) == {"unit": ["seated_twice"]}
    seat = councils.do_add_council_member(w.council1, acting_user=w.admin1, org=w.branch1, representative="书记",
                                          started_on=D(2025, 1, 1))  # fmt: skip
    with pytest.raises(ValidationError):
        councils.do_end_council_seat(seat, acting_user=w.admin1, ended_on=D(2024, 12, 31))
    seat = councils.do_end_council_seat(seat, acting_user=w.admin1, ended_on=D(2025, 6, 30))
    assert seat.ended_on == D(2025, 6, 30)


def test_meeting_attendance_is_of_the_seats_held_that_day(w):
    ended = councils.do_add_council_member(w.council1, acting_user=None, org=w.branch1, representative="x",
                                           started_on=D(2024, 1, 1), ended_on=D(2024, 2, 1))  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        councils.do_create_meeting(acting_user=w.admin1, council=w.council1, held_on=D(2024, 3, 1), agenda="a",
                                   attendees=[w.seat1, ended])  # fmt: skip
    assert codes(exc) == {"attendees": ["seat_not_open"]}
    m = councils.do_create_meeting(acting_user=w.admin1, council=w.council1, held_on=D(2024, 1, 15), agenda="a",
                                   attendees=[w.seat1, ended])  # fmt: skip
    assert set(m.attendees.all()) == {w.seat1, ended}


# ---- decisions ------------------------------------------------------------------------------------------------------


def test_decision_without_owner_or_due_date_is_refused_in_chinese(w):
    before = Decision.objects.count()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        councils.do_create_decision(acting_user=w.admin1, council=w.council1, title="无主事项")
    assert codes(exc) == {"owner": ["required"], "due_on": ["required"]}
    assert exc.value.message_dict["owner"] == ["议定事项须指定责任单位。"]
    assert exc.value.message_dict["due_on"] == ["议定事项须指定完成时限。"]
    assert Decision.objects.count() == before


def test_decision_owner_must_sit_on_the_council(w):
    with pytest.raises(ValidationError) as exc:
        councils.do_create_decision(
            acting_user=None, council=w.council1, title="x", owner=w.unit2, due_on=D(2099, 1, 1)
        )
    assert codes(exc) == {"owner": ["owner_not_seated"]}
    with pytest.raises(ValidationError) as exc:
        councils.do_create_decision(acting_user=w.admin1, council=w.council2, title="x", owner=w.unit2,
                                    due_on=D(2099, 1, 1))  # fmt: skip
    assert codes(exc) == {"council": ["council_out_of_scope"]}


@pytest.mark.parametrize("start", [S.OPEN, S.IN_PROGRESS, S.DONE, S.DROPPED])
def test_state_machine_every_transition(w, start):
    """Every allowed transition works (closed_on set when done or dropped, one change row); every other one is
    refused and writes nothing."""
    for target in S.values:
        d = councils.do_create_decision(acting_user=None, council=w.council1, title="x", owner=w.unit1,
                                        due_on=D(2099, 1, 1))  # fmt: skip
        Decision.objects.filter(pk=d.pk).update(status=start)
        d.refresh_from_db()
        rows = ObjectChange.objects.count()
        if target in DECISION_TRANSITIONS[start]:
            d = councils.do_set_decision_status(d, acting_user=w.admin1, status=target, note="理由",
                                                version=d.version, on=D(2025, 5, 1))  # fmt: skip
            assert d.status == target and d.version == 2
            assert d.closed_on == (D(2025, 5, 1) if target in (S.DONE, S.DROPPED) else None)
            assert ObjectChange.objects.count() == rows + 1
        else:
            with pytest.raises(ValidationError) as exc:
                councils.do_set_decision_status(d, acting_user=w.admin1, status=target, note="理由", version=1)
            assert "status" in exc.value.message_dict
            assert ObjectChange.objects.count() == rows
            assert Decision.objects.get(pk=d.pk).status == start


def test_dropping_needs_a_reason(w):
    with pytest.raises(ValidationError) as exc:
        councils.do_set_decision_status(w.decision1, acting_user=w.admin1, status=S.DROPPED, version=1)
    assert "note" in exc.value.message_dict
    d = councils.do_set_decision_status(w.decision1, acting_user=w.admin1, status=S.DROPPED, note="已由街道统筹",
                                        version=1)  # fmt: skip
    assert (d.status, d.status_note) == (S.DROPPED, "已由街道统筹")


def test_two_people_one_success_one_conflict(w):
    first = Decision.objects.get(pk=w.decision1.pk)
    second = Decision.objects.get(pk=w.decision1.pk)  # both pages loaded at version 1
    councils.do_set_decision_status(first, acting_user=w.admin1, status=S.IN_PROGRESS, version=first.version)
    rows = ObjectChange.objects.count()
    with pytest.raises(councils.Conflict):
        councils.do_set_decision_status(second, acting_user=w.admin1, status=S.DONE, version=second.version)
    with pytest.raises(councils.Conflict):
        councils.do_update_decision(second, acting_user=w.admin1, version=second.version, title="改")
    assert ObjectChange.objects.count() == rows
    assert Decision.objects.get(pk=w.decision1.pk).status == S.IN_PROGRESS


def test_out_of_scope_decision_cannot_be_changed(w):
    from sqdj.core.services import ScopeViolation

    with pytest.raises(ScopeViolation):
        councils.do_set_decision_status(w.decision2, acting_user=w.admin1, status=S.DONE, version=1)


def test_record_on_time_late_overdue_open(w):
    today = D(2025, 6, 1)

    def decision(due, status=None, closed=None):
        d = councils.do_create_decision(acting_user=None, council=w.council1, title=f"{due}", owner=w.unit1,
                                        due_on=due)  # fmt: skip
        if status:
            Decision.objects.filter(pk=d.pk).update(status=status, closed_on=closed)
        return Decision.objects.get(pk=d.pk)

    on_time = decision(D(2025, 5, 1), S.DONE, D(2025, 5, 1))  # closed on the due day: on time
    late = decision(D(2025, 5, 1), S.DONE, D(2025, 5, 2))  # a day after: late
    overdue = decision(D(2025, 5, 31), S.IN_PROGRESS)  # due yesterday
    due_today = decision(D(2025, 6, 1))  # due today: not yet overdue
    dropped = decision(D(2025, 1, 1), S.DROPPED, D(2025, 1, 1))
    record = councils.decision_record(Decision.objects.filter(council=w.council1), today)
    assert record.on_time == [on_time] and record.late == [late] and record.dropped == [dropped]
    assert record.overdue == [overdue]
    assert set(record.open) == {due_today, w.decision1}


# ---- agreements -----------------------------------------------------------------------------------------------------


def _agreement(w, user=None, **over):
    data = dict(org=w.community1, units=[w.unit1], title="协议", signed_on=D(2024, 1, 1), starts_on=D(2024, 1, 1),
                ends_on=D(2025, 12, 31), org_commitments="甲", unit_commitments="乙")  # fmt: skip
    data.update(over)
    return councils.do_create_agreement(acting_user=user, **data)


def test_agreement_ending_before_it_starts_is_refused_in_chinese(w):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        _agreement(w, w.admin1, ends_on=D(2023, 12, 31))
    assert exc.value.message_dict == {"ends_on": ["协议的终止日期不能早于开始日期。"]}


def test_agreement_org_and_units_in_scope(w):
    with pytest.raises(ValidationError) as exc:
        _agreement(w, w.admin1, units=[w.unit1, w.unit2])
    assert codes(exc) == {"units": ["unit_out_of_scope"]}
    with pytest.raises(ValidationError) as exc:
        _agreement(w, w.admin1, org=w.street)
    assert codes(exc) == {"org": ["org_out_of_scope"]}
    with pytest.raises(ValidationError) as exc:
        _agreement(w, None, org=w.street)
    assert codes(exc) == {"org": ["not_community_org"]}
    with pytest.raises(ValidationError) as exc:
        _agreement(w, w.admin1, units=[])
    assert codes(exc) == {"units": ["required"]}


def test_one_review_a_year_within_the_term_and_end_early(w):
    a = _agreement(w, w.admin1)
    councils.do_review_agreement(a, acting_user=w.admin1, year=2024, reviewed_on=D(2024, 12, 20), note="良好")
    with pytest.raises(ValidationError) as exc:
        councils.do_review_agreement(a, acting_user=w.admin1, year=2024, reviewed_on=D(2024, 12, 21), note="又")
    assert codes(exc) == {"year": ["one_review_a_year"]}
    with pytest.raises(ValidationError) as exc:
        councils.do_review_agreement(a, acting_user=w.admin1, year=2030, reviewed_on=D(2024, 12, 21), note="x")
    assert codes(exc) == {"year": ["year_outside_term"]}
    with pytest.raises(ValidationError):
        councils.do_end_agreement(a, acting_user=w.admin1, ended_on=D(2026, 1, 1))
    a = councils.do_end_agreement(a, acting_user=w.admin1, ended_on=D(2025, 3, 1))
    assert a.ended_on == D(2025, 3, 1)


# ---- to-dos ---------------------------------------------------------------------------------------------------------


def test_overdue_decisions_todo_both_sides_of_the_due_date(w, monkeypatch):
    today = D(2025, 6, 1)
    monkeypatch.setattr("sqdj.core.dates.today", lambda: today)
    yesterday = councils.do_create_decision(acting_user=None, council=w.council1, title="昨日到期", owner=w.unit1,
                                            due_on=D(2025, 5, 31))  # fmt: skip
    councils.do_create_decision(acting_user=None, council=w.council1, title="今日到期", owner=w.unit1,
                                due_on=today)  # fmt: skip
    done = councils.do_create_decision(acting_user=None, council=w.council1, title="已办结", owner=w.unit1,
                                       due_on=D(2025, 5, 1))  # fmt: skip
    councils.do_set_decision_status(done, acting_user=None, status=S.DONE, version=1)
    councils.do_create_decision(acting_user=None, council=w.council2, title="他社区", owner=w.unit2,
                                due_on=D(2025, 5, 1))  # fmt: skip
    rows = council_workbench.decision_rows(w.admin1)
    assert [r.label.split(" · ")[0] for r in rows] == ["昨日到期"]
    assert rows[0].url == yesterday.get_absolute_url()
    assert council_workbench.decision_rows(w.viewer1) == []  # read only: not theirs to follow up
    (todo,) = [t for s in council_workbench.todos for t in s.collect(w.admin1) if t.key == "council-decisions-overdue"]
    assert todo.count == 1


def test_renewal_todo_both_sides_of_the_threshold(w, monkeypatch, client):
    today = D(2025, 6, 1)
    monkeypatch.setattr("sqdj.core.dates.today", lambda: today)
    days = param("unit.agreement_renewal_days", today)
    u = iter(make_unit(w.community_area1, 10 + i, f"单位{i}") for i in range(6))  # one unit per case
    inside = _agreement(w, None, title="窗口内", units=[next(u)], ends_on=today + datetime.timedelta(days=days))
    _agreement(w, None, title="窗口外", units=[next(u)], ends_on=today + datetime.timedelta(days=days + 1))
    past = _agreement(w, None, title="已到期", units=[next(u)], ends_on=D(2025, 5, 31))
    ended = _agreement(w, None, title="已提前终止", units=[next(u)], ends_on=D(2025, 6, 10))
    councils.do_end_agreement(ended, acting_user=None, ended_on=D(2025, 2, 1))
    renewed_unit = next(u)
    renewed = _agreement(w, None, title="已续签", units=[renewed_unit], starts_on=D(2023, 1, 1), ends_on=D(2025, 6, 10))
    _agreement(w, None, title="续签协议", units=[renewed_unit], starts_on=D(2025, 6, 11), ends_on=D(2027, 6, 10))
    other_unit = _agreement(w, None, title="另一单位", units=[next(u)], starts_on=D(2023, 1, 2), ends_on=D(2025, 6, 10))
    rows = council_workbench.agreement_rows(w.admin1)
    assert [r.label for r in rows] == ["已到期", "另一单位", "窗口内"]
    assert [r.overdue for r in rows] == [True, False, False]
    assert {r.url for r in rows} == {a.get_absolute_url() for a in (inside, past, other_unit)}
    assert renewed.get_absolute_url() not in {r.url for r in rows}
    # the workbench's list shows exactly these rows
    client.force_login(w.admin1)
    r = client.get(reverse("todo_list"), {"list": "agreements-renewal"})
    assert r.status_code == 200
    assert [row.label for row in r.context["rows"]] == ["已到期", "另一单位", "窗口内"]
    r = client.get(reverse("todo_list"), {"list": "council-decisions-overdue"})
    assert r.status_code == 200 and list(r.context["rows"]) == []
