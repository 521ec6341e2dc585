"""rules.md 6.2 (条例第二十五条): a member whose work unit or home changed, or who has been away six months or more,
should have the membership transferred. The checks judge what the records show — the change log's dated changes,
the open outflows — on both sides of each figure (`transfer.due_days_after_change`, `transfer.due_months_away`),
and leave out what a transfer or a move already handled."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation

from sqdj.areas.services import do_create_area
from sqdj.core.models import ObjectChange
from sqdj.core.rules import clear_cache, run_checks, source_of
from sqdj.core.scope import EVERYTHING
from sqdj.members.models import Member
from sqdj.members.services import do_create_member, do_transfer_member, do_update_member
from sqdj.orgs.services import do_create_org
from sqdj.testing.members import member_data
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import mobile_services as M
from sqdj.transfers import services as T

pytestmark = pytest.mark.django_db
D = datetime.date
RULES = ["member.transfer_due", "mobile.transfer_due"]
CHANGED = D(2024, 3, 10)  # the day of the recorded change; due 30 days later, on 2024-04-09


@pytest.fixture
def tw():
    clear_cache()
    w = build_transfer_world()
    # a unit's party organization (the membership follows the work unit) with one member
    unit = do_create_org(acting_user=None, parent=w.world.district, code="JGDW1", name="中共某局机关委员会",
                         type="committee")  # fmt: skip
    w.unit_branch = do_create_org(acting_user=None, parent=unit, code="JGZB1", name="中共某局第一支部", type="branch")
    w.clerk = do_create_member(acting_user=None, **member_data(w.unit_branch, seq=41, name="赵在职", work_unit="某局"))
    w.resident = Member.objects.get(pk=w.member.pk)  # held by a community branch (甲社区)
    do_update_member(w.resident, acting_user=None, home_area=w.world.community_area1)
    yield w
    clear_cache()


def findings(org, on, user=EVERYTHING):
    return [(f.rule, f.object_code) for f in run_checks(org, user=user, on=on, rules=RULES)]


def dated(member, day: datetime.date) -> None:
    """The member's latest change-log row happened on `day` (the tests' history)."""
    ct = ContentType.objects.get_for_model(Member)
    row = ObjectChange.objects.filter(content_type=ct, object_id=member.pk).order_by("-pk").first()
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    ObjectChange.objects.filter(pk=row.pk).update(time=when)


def change(member, day, **data):
    member = do_update_member(Member.objects.get(pk=member.pk), acting_user=None, **data)
    dated(member, day)
    return member


def test_work_unit_changed_without_a_transfer(tw):
    code = f"member-{tw.clerk.pk}"
    assert findings(tw.world.district, D(2025, 1, 1)) == []
    change(tw.clerk, CHANGED, work_unit="某新公司")
    assert findings(tw.world.district, D(2024, 4, 8)) == []  # 29 days
    assert findings(tw.world.district, D(2024, 4, 9)) == [("member.transfer_due", code)]  # 30 days
    assert findings(tw.unit_branch, D(2024, 4, 9)) == [("member.transfer_due", code)]
    assert findings(tw.world.street, D(2024, 4, 9)) == []  # another subtree
    assert findings(tw.world.district, D(2024, 4, 9), user=tw.street_admin) == []  # out of the user's scope
    # not judged before the regulation's row starts
    change(tw.clerk, D(2018, 1, 1), work_unit="又一单位")
    assert findings(tw.world.district, D(2019, 5, 5)) == []


def test_work_unit_change_handled_or_not_a_duty(tw):
    change(tw.clerk, CHANGED, work_unit="某新公司")
    on = D(2024, 6, 1)
    # an open transfer case handles it
    case = T.do_create_transfer(acting_user=None, member=Member.objects.get(pk=tw.clerk.pk), reason="work",
                                to_org=tw.branch3)  # fmt: skip
    assert findings(tw.world.district, on) == []
    T.do_cancel(case, acting_user=None, reason="重新核实", version=case.version)
    assert findings(tw.world.district, on) == [("member.transfer_due", f"member-{tw.clerk.pk}")]
    # a move of organization after the change handles it (completed transfers move it so)
    do_transfer_member(Member.objects.get(pk=tw.clerk.pk), to_org=tw.world.branch2, date=D(2024, 4, 1),
                       acting_user=None)  # fmt: skip
    dated(tw.clerk, D(2024, 4, 1))
    assert findings(tw.world.district, on) == []


def test_work_unit_change_not_judged_where_the_membership_does_not_follow_it(tw):
    # held by a community branch: the residence decides
    change(tw.resident, CHANGED, work_unit="某新公司")
    # a retiree's new unit: a choice (rules.md 6.9); an empty unit filled in: data entry, not a move
    retiree = do_create_member(acting_user=None, **member_data(tw.unit_branch, seq=42, name="钱退休",
                                                                work_unit="某局", work_status="retired"))  # fmt: skip
    change(retiree, CHANGED, work_unit="某社区服务站")
    blank = do_create_member(acting_user=None, **member_data(tw.unit_branch, seq=43, name="孙空白", work_unit=""))
    change(blank, CHANGED, work_unit="某局")
    assert findings(tw.world.district, D(2025, 1, 1)) == []


def test_home_moved_out_of_the_community_without_a_transfer(tw):
    w = tw.world
    code = f"member-{tw.resident.pk}"
    grid = do_create_area(acting_user=None, parent=w.community_area1, code="T01001001009", name="九网格", type="grid")
    change(tw.resident, D(2024, 1, 5), home_area=grid)  # within the community: nothing to transfer
    assert findings(w.district, D(2025, 1, 1)) == []
    change(tw.resident, CHANGED, home_area=w.community_area2)  # to another community
    assert findings(w.district, D(2024, 4, 8)) == []
    assert findings(w.district, D(2024, 4, 9)) == [("member.transfer_due", code)]
    # moved back: nothing is due
    change(tw.resident, D(2024, 5, 1), home_area=w.community_area1)
    assert findings(w.district, D(2024, 6, 1)) == []
    # a unit-held member's home does not decide the membership
    change(tw.clerk, D(2023, 1, 1), home_area=w.community_area1)
    change(tw.clerk, CHANGED, home_area=w.community_area2)
    assert findings(w.district, D(2024, 6, 1)) == []


def outflow(tw, **over):
    data = {"left_on": D(2024, 1, 15), "destination": "广东省深圳市", "last_contact_on": D(2024, 6, 1)}
    data.update(over)
    return M.do_record_outflow(Member.objects.get(pk=tw.member.pk), acting_user=tw.sender, **data)


def test_away_six_months_without_a_transfer_is_a_reminder(tw):
    o = outflow(tw)
    code = f"outflow-{o.pk}"
    assert findings(tw.world.district, D(2024, 7, 14)) == []
    assert findings(tw.world.district, D(2024, 7, 15)) == [("mobile.transfer_due", code)]
    found = run_checks(tw.world.district, user=EVERYTHING, on=D(2024, 7, 15), rules=RULES)
    assert found[0].severity == "reminder" and found[0].basis == "transfer.due_months_away"
    # lost contact: the lost-contact rules apply instead
    M.do_mark_lost_contact(o, acting_user=tw.sender, since=D(2024, 6, 2))
    assert findings(tw.world.district, D(2024, 8, 1)) == []


def test_away_with_an_open_transfer_case_is_not_due(tw):
    outflow(tw)
    T.do_create_transfer(acting_user=None, member=Member.objects.get(pk=tw.member.pk), reason="work",
                         to_org=tw.branch3)  # fmt: skip
    assert findings(tw.world.district, D(2024, 8, 1)) == []


def test_messages_in_chinese_cite_the_regulation(tw):
    change(tw.clerk, CHANGED, work_unit="某新公司")
    o = outflow(tw)
    with translation.override("zh-hans"):
        found = run_checks(tw.world.district, user=EVERYTHING, on=D(2024, 7, 15), rules=RULES)
    assert [f.object_code for f in found] == [f"member-{tw.clerk.pk}", f"outflow-{o.pk}"]
    for f in found:
        assert "组织关系" in f.message and "transfer" not in f.message and "." not in f.message.replace("…", "")
        assert f.source == "中国共产党党员教育管理工作条例第二十五条"
    assert source_of("transfer.due_days_after_change", D(2024, 1, 1)) == "中国共产党党员教育管理工作条例第二十五条"
