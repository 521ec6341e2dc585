"""The 总支/党委 thresholds by the org's sector (issue 13; rules.md 1.7, 1.8; migration 0007): a community org cites
社区党组织工作规则第四条 (before it, 党章第三十条) and is pointed to the 街道党工委; a 机关 org keeps the 机关条例.
Both sides of 50 and 100 for each, and both sides of the day the community version changes."""

from __future__ import annotations

import datetime

import pytest
from django.utils.translation import gettext as _

from sqdj.core.rules import run_checks
from sqdj.core.scope import EVERYTHING
from sqdj.leadership.tests.test_checks import add_members
from sqdj.orgs.services import do_create_org
from sqdj.testing import build_world

pytestmark = pytest.mark.django_db
D = datetime.date
ON = D(2026, 6, 30)
RULES = ("org.may_become_general_branch", "org.may_become_committee")
COMMUNITY_RULES = "社区党组织工作规则第四条"
CHARTER = "中国共产党章程第三十条"
ORGAN_GENERAL_BRANCH = "中国共产党党和国家机关基层组织工作条例第六条"
ORGAN_COMMITTEE = "中国共产党党和国家机关基层组织工作条例第五条"


@pytest.fixture
def world():
    w = build_world()
    w.organ = do_create_org(
        acting_user=None, parent=w.district, code="ZBJ1", name="中共某局机关党支部", type="branch", sector="government"
    )
    return w


def found(org, on=ON):
    return [
        (f.rule, f.object_code, f.source, f.basis) for f in run_checks(org, user=EVERYTHING, on=on) if f.rule in RULES
    ]


def test_sectors(world):
    assert (world.branch1.sector, world.organ.sector) == ("community", "government")


@pytest.mark.parametrize(
    "n, expected",
    [
        (49, []),
        (50, [("org.may_become_general_branch", "org.general_branch_min_members.community")]),
        (99, [("org.may_become_general_branch", "org.general_branch_min_members.community")]),
        (100, [("org.may_become_committee", "org.committee_min_members.community")]),
    ],
)
def test_community_branch_cites_the_community_rules(world, n, expected):
    add_members(world.branch1, n)
    got = found(world.branch1)
    assert [(rule, basis) for rule, _code, _source, basis in got] == expected
    assert all(code == "ZBT1" and source == COMMUNITY_RULES for _rule, code, source, _basis in got)


@pytest.mark.parametrize(
    "n, expected",
    [
        (49, []),
        (50, [("org.may_become_general_branch", ORGAN_GENERAL_BRANCH, "org.general_branch_min_members")]),
        (99, [("org.may_become_general_branch", ORGAN_GENERAL_BRANCH, "org.general_branch_min_members")]),
        (100, [("org.may_become_committee", ORGAN_COMMITTEE, "org.committee_min_members")]),
    ],
)
def test_organ_branch_keeps_the_organ_regulation(world, n, expected):
    add_members(world.organ, n)
    assert [(rule, source, basis) for rule, _code, source, basis in found(world.organ)] == expected


def test_both_are_reminders_and_the_community_is_pointed_to_the_subdistrict(world):
    add_members(world.branch1, 60)
    add_members(world.organ, 60)
    by_code = {f.object_code: f for f in run_checks(world.district, user=EVERYTHING, on=ON) if f.rule == RULES[0]}
    assert {f.severity for f in by_code.values()} == {"reminder"}  # "可以": never an error or a warning
    assert by_code["ZBT1"].action == _(
        "If the work requires it, ask the subdistrict working committee (township committee) to approve or decide "
        "on a general branch."
    )
    assert by_code["ZBJ1"].action == _(
        "If the work requires it, ask the superior organization to approve a general branch."
    )


def test_a_community_general_branch_of_a_hundred(world):
    add_members(world.branch1, 99)
    assert [r[:2] for r in found(world.community1) if r[0] == RULES[1]] == []
    add_members(world.community1, 1)
    assert [r for r in found(world.community1) if r[0] == RULES[1]] == [
        (RULES[1], "SQT1", COMMUNITY_RULES, "org.committee_min_members.community")
    ]


@pytest.mark.parametrize(
    "on, source",
    [(D(2005, 12, 31), CHARTER), (D(2021, 5, 21), CHARTER), (D(2021, 5, 22), COMMUNITY_RULES)],
)
def test_the_community_source_by_date(world, on, source):
    """Before the 社区规则 the charter applies to a community (from 1982): a check as of 2005 still reminds."""
    add_members(world.branch1, 50)
    assert found(world.branch1, on) == [
        ("org.may_become_general_branch", "ZBT1", source, "org.general_branch_min_members.community")
    ]
