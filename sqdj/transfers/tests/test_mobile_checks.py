"""The mobile members' rulebook checks: boundaries at the parameters' edges, the parameter version in force on the
checked day, the subtree and scope of the findings, and their cost (one query per record kind)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sqdj.core.models import RuleParameter
from sqdj.core.rules import clear_cache, run_checks
from sqdj.core.scope import EVERYTHING
from sqdj.members.models import Member
from sqdj.members.standing import do_suspend
from sqdj.testing.members import make_id_number
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import mobile_services as M
from sqdj.transfers.models import Outflow

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = datetime.timedelta(days=1)
RULES = ["mobile.contact_overdue", "member.lost_contact", "member.suspended_removal"]


@pytest.fixture
def tw():
    clear_cache()
    yield build_transfer_world()
    clear_cache()


def findings(org, on, user=EVERYTHING, rules=RULES):
    return [(f.rule, f.object_code) for f in run_checks(org, user=user, on=on, rules=rules)]


def outflow(tw, **over):
    data = {"left_on": D(2023, 1, 1), "destination": "广东省深圳市", "last_contact_on": D(2024, 3, 15)}
    data.update(over)
    return M.do_record_outflow(tw.member, acting_user=tw.sender, **data)


def test_contact_overdue_from_the_day_after_the_interval(tw):
    o = outflow(tw)  # last contact 2024-03-15; interval 6 months → due 2024-09-15
    code = f"outflow-{o.pk}"
    assert findings(tw.world.branch1, D(2024, 9, 15)) == []
    assert findings(tw.world.branch1, D(2024, 9, 16)) == [("mobile.contact_overdue", code)]
    # shown on the holding org and every org above it, not elsewhere
    assert findings(tw.world.district, D(2024, 9, 16)) == [("mobile.contact_overdue", code)]
    assert findings(tw.world.branch2, D(2024, 9, 16)) == []
    assert findings(tw.world.branch1, D(2024, 9, 16), user=tw.receiver) == []  # out of the user's scope
    assert findings(tw.world.branch1, D(2024, 9, 16), user=tw.sender) == [("mobile.contact_overdue", code)]
    # a contact recorded clears it; an ended record is not judged after its end
    M.do_end_outflow(o, acting_user=tw.sender, ended_on=D(2024, 10, 1), reason="returned")
    assert findings(tw.world.branch1, D(2024, 9, 30)) == [("mobile.contact_overdue", code)]
    assert findings(tw.world.branch1, D(2024, 10, 1)) == []


def test_month_end_arithmetic(tw):
    outflow(tw, last_contact_on=D(2024, 2, 29))  # + 6 months = 2024-08-29
    assert findings(tw.world.branch1, D(2024, 8, 29)) == []
    assert len(findings(tw.world.branch1, D(2024, 8, 30))) == 1


def test_inflow_contact_overdue_on_the_host_org(tw):
    i = M.do_register_inflow(
        acting_user=tw.receiver, name="王流入", id_number=make_id_number(D(1980, 3, 2), 41), home_org_name="外地支部",
        arrived_on=D(2024, 1, 1), host_org=tw.branch3, last_contact_on=D(2024, 3, 15),
    )  # fmt: skip
    assert findings(tw.branch3, D(2024, 9, 15)) == []
    assert findings(tw.branch3, D(2024, 9, 16)) == [("mobile.contact_overdue", f"inflow-{i.pk}")]
    assert findings(tw.world.branch1, D(2024, 9, 16)) == []


def test_lost_contact_warning_at_six_months_and_changes_nothing(tw):
    o = outflow(tw)
    M.do_mark_lost_contact(o, acting_user=tw.sender, since=D(2024, 4, 10))
    code = f"outflow-{o.pk}"
    assert findings(tw.world.branch1, D(2024, 10, 9)) == []  # a lost contact is no longer a contact reminder
    got = run_checks(tw.world.branch1, user=EVERYTHING, on=D(2024, 10, 10), rules=RULES)
    assert [(f.rule, f.severity, f.object_code) for f in got] == [("member.lost_contact", "warning", code)]
    assert "党籍" in got[0].message and "不自动" in got[0].message and got[0].source.endswith("第二十四条")
    assert got[0].url == o.get_absolute_url()
    assert Member.objects.get(pk=tw.member.pk).standing == "active"
    M.do_record_outflow_contact(o, acting_user=tw.sender, on=D(2024, 10, 10))
    assert findings(tw.world.branch1, D(2024, 10, 10)) == []


def test_suspended_removal_two_years_after_the_recorded_suspension(tw):
    o = outflow(tw, left_on=D(2020, 1, 1), last_contact_on=D(2021, 1, 10))
    M.do_mark_lost_contact(o, acting_user=tw.sender, since=D(2021, 1, 10))
    code = f"outflow-{o.pk}"
    assert findings(tw.world.branch1, D(2021, 7, 10)) == [("member.lost_contact", code)]
    # the org decided 停止党籍 on 2021-09-01 (issue 13: the date is recorded, the clock runs from it)
    do_suspend(tw.member, acting_user=tw.sender, date=D(2021, 9, 1), decision_number="党支〔2021〕3号")
    assert findings(tw.world.branch1, D(2021, 9, 1)) == []
    # lost contact + 6 months + 2 years (the old guess) is too early now
    assert findings(tw.world.branch1, D(2023, 7, 10)) == []
    assert findings(tw.world.branch1, D(2023, 8, 31)) == []
    got = run_checks(tw.world.branch1, user=EVERYTHING, on=D(2023, 9, 1), rules=RULES)
    assert [(f.rule, f.object_code) for f in got] == [("member.suspended_removal", code)]
    assert "2021-09-01" in got[0].message
    assert Member.objects.get(pk=tw.member.pk).standing == "suspended"


def test_a_new_parameter_version_counts_only_from_its_effective_date(tw):
    outflow(tw, last_contact_on=D(2024, 3, 15))
    RuleParameter.objects.create(
        rule_id="mobile.contact_interval_months", value=3, unit="months", regulation="本区流动党员管理办法",
        trust="LOCAL", effective_from=D(2024, 7, 1), local=True,
    )  # fmt: skip
    clear_cache()
    # before 2024-07-01 the national 6 months apply: 2024-06-30 is 3½ months after the contact, not overdue
    assert findings(tw.world.branch1, D(2024, 6, 30)) == []
    # from 2024-07-01 the local 3 months apply: overdue since 2024-06-16, so on 2024-07-01
    assert [r for r, _c in findings(tw.world.branch1, D(2024, 7, 1))] == ["mobile.contact_overdue"]


def test_each_check_is_one_query_per_record_kind(tw):
    for rule, most in (("mobile.contact_overdue", 2), ("member.lost_contact", 1), ("member.suspended_removal", 1)):
        run_checks(tw.world.district, user=tw.district_admin, on=D(2024, 9, 16), rules=[rule])  # warm caches
        with CaptureQueriesContext(connection) as q:
            run_checks(tw.world.district, user=tw.district_admin, on=D(2024, 9, 16), rules=[rule])
        assert len(q.captured_queries) <= most, rule
    assert not Outflow.objects.exists()
