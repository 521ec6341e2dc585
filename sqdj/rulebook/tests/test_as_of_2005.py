"""`sqdj check --as-of 2005-12-31` applies the rules of 2005 (issue 13): the 2004 意见's three full members of a
community, the charter's figures since 1982 for a community's 总支/党委, the charter's age and probation rules —
each finding cites the version in force then, not a later regulation, and no rule is skipped because its only row
starts later."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from sqdj.areas.services import do_create_area
from sqdj.core.rules import param, run_checks, source_of
from sqdj.core.scope import EVERYTHING
from sqdj.leadership.tests.test_checks import add_members
from sqdj.members.models import Member
from sqdj.members.validation import validate_member
from sqdj.testing import build_world
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db
D = datetime.date
ON = D(2005, 12, 31)
OPINION_2004 = "中共中央组织部关于进一步加强和改进街道社区党的建设工作的意见（中共中央办公厅2004年10月4日转发）五"
CHARTER_30 = "中国共产党章程第三十条"


@pytest.fixture
def world():
    w = build_world()
    w.bare = do_create_area(acting_user=None, parent=w.street_area, code="T01001003", name="丙社区", type="community")
    add_members(w.branch2, 3, home_area=w.bare, category="retired")  # three full residents, no org in 丙社区
    add_members(w.branch1, 60)  # a community branch of 60: it may become a general branch
    return w


def test_check_command_as_of_2005_cites_the_rules_of_2005(world):
    out = StringIO()
    call_command("check", "--org", "DWT01", "--as-of", ON.isoformat(), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["as_of"] == "2005-12-31"
    got = {(f["rule"], f["object"]["code"]): f for f in result["findings"]}
    assert got["org.required", "T01001003"]["source"] == OPINION_2004  # 2004-10-04 to 2018-10-27
    assert got["org.required", "T01001003"]["severity"] == "error"
    assert got["org.may_become_general_branch", "ZBT1"]["source"] == CHARTER_30
    assert got["org.may_become_general_branch", "ZBT1"]["severity"] == "reminder"
    # nothing cites a regulation that did not exist yet
    later = ("支部工作条例", "机关基层组织工作条例", "社区党组织工作规则", "选举工作条例", "教育管理工作条例")
    assert [f["source"] for f in result["findings"] if any(name in f["source"] for name in later)] == []


def test_the_versions_in_force_on_the_day(world):
    assert (param("org.min_full_members", ON), source_of("org.min_full_members", ON)) == (3, OPINION_2004)
    assert source_of("org.min_full_members", D(2004, 10, 3)) == CHARTER_30  # before the 2004 意见: the charter
    assert source_of("org.general_branch_min_members.community", ON) == CHARTER_30
    assert source_of("org.committee_min_members.community", ON) == CHARTER_30
    assert (param("member.min_join_age", ON), source_of("member.min_join_age", ON)) == (18, "中国共产党章程第一条")
    assert param("member.probation_months", ON) == 12
    assert param("election.quorum_ratio", ON) == 0.8


def test_the_charters_age_and_probation_apply_to_a_member_who_joined_in_2005(world):
    data = member_data(world.branch1, seq=900, name="测试党员", birth=D(1987, 6, 1))
    data.update(joined_on=D(2005, 3, 1), member_type="probationary", confirmed_on=None)
    errors, _warnings = validate_member(data, today=ON)
    assert "joined_on" in errors  # under 18 on the day of joining (党章第一条)
    data.update(birth_date=D(1987, 3, 1))
    assert "joined_on" not in validate_member(data, today=ON)[0]  # 18 that day
    data.update(member_type="full", confirmed_on=D(2006, 2, 28))
    assert "confirmed_on" in validate_member(data, today=D(2006, 12, 31))[0]  # before the year's probation ended
    data.update(confirmed_on=D(2006, 3, 1))
    assert "confirmed_on" not in validate_member(data, today=D(2006, 12, 31))[0]


def test_a_probation_overdue_in_2005_is_reported(world):
    data = member_data(world.branch1, seq=901, name="预备党员", birth=D(1980, 1, 1))
    data.update(joined_on=D(2004, 6, 1), member_type="probationary", confirmed_on=None)
    m = Member(**data)
    m.fill_derived_fields()
    m.save()
    overdue = [f for f in run_checks(world.district, user=EVERYTHING, on=ON) if f.rule == "member.probation_overdue"]
    assert [f.object_code for f in overdue] == [f"member-{m.pk}"]
