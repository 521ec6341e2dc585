"""The units' rulebook checks (units.checks; interfaces.md §4) fire exactly at their edges: org.required for a unit
(3 full members), org.joint_branch_units (5 units, moved here from leadership), unit.uncovered and
unit.ended_org. The world is test_coverage's (see its table)."""

from __future__ import annotations

import pytest

from sqdj.areas.services import do_create_area
from sqdj.core.rules import registered_checks, run_checks, title_of
from sqdj.core.scope import EVERYTHING
from sqdj.leadership.tests.test_checks import add_members
from sqdj.orgs.services import do_create_org
from sqdj.units.models import Unit

from .test_coverage import DAY, ON, assign, build_units, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    return build_units()


def findings(org, rule, on=ON, user=EVERYTHING):
    return [f for f in run_checks(org, user=user, on=on, rules=[rule]) if f.rule == rule]


def codes(org, rule, on=ON, user=EVERYTHING):
    return sorted(f.object_code for f in findings(org, rule, on, user))


def test_the_checks_are_registered_with_titles():
    rules = {c.rule: c for c in registered_checks()}
    for rule in ("org.required", "org.joint_branch_units", "unit.uncovered", "unit.ended_org"):
        assert rule in rules and title_of(rule) != rule
    assert rules["unit.uncovered"].severity == rules["unit.ended_org"].severity == "warning"


# --- org.required: a unit with 3 full members and no org -----------------------------------------------------


def test_org_required_for_a_unit(units):
    w = units.world
    # u1: 3 members, full members unknown → its 党员人数 counts; u4: 3 members of whom 2 full → not yet
    (f,) = findings(w.district, "org.required")
    assert (f.object_type, f.object_code, f.severity) == ("unit", units.u1.credit_code, "error")
    assert f.source and f.basis == "org.min_full_members" and f.url == units.u1.get_absolute_url()
    Unit.objects.filter(pk=units.u4.pk).update(full_members=3)
    assert codes(w.district, "org.required") == sorted([units.u1.credit_code, units.u4.credit_code])
    Unit.objects.filter(pk=units.u1.pk).update(party_members=2)  # 2 members: under the edge
    assert codes(w.district, "org.required") == [units.u4.credit_code]
    Unit.objects.filter(pk=units.u4.pk).update(org=units.joint)  # in a joint branch: has an org
    assert codes(w.district, "org.required") == []


def test_org_required_leaves_out_units_that_do_not_exist_on_the_day(units):
    w = units.world
    # u6 (5 members, ended) has an org anyway; u8 (3 members) registers the day after ON
    assert units.u8.credit_code not in codes(w.district, "org.required")
    assert units.u8.credit_code in codes(w.district, "org.required", on=ON + DAY)
    Unit.objects.filter(pk=units.u1.pk).update(ended_on=ON, status="deregistered")
    assert units.u1.credit_code not in codes(w.district, "org.required")


def test_org_required_keeps_the_community_half(units):
    """The community half (leadership.checks.community_without_org) still runs under the same rule id."""
    w = units.world
    bare = do_create_area(acting_user=None, parent=w.street_area, code="T01001003", name="丙社区", type="community")
    add_members(w.branch1, 3, home_area=bare, category="retired")
    got = {(f.object_type, f.object_code) for f in findings(w.district, "org.required")}
    assert got == {("area", "T01001003"), ("unit", units.u1.credit_code)}


def test_org_required_counts_only_what_the_user_sees(units):
    w = units.world
    Unit.objects.filter(pk=units.u4.pk).update(full_members=3)  # 乙社区: outside admin1's scope
    assert codes(w.community1, "org.required", user=w.admin1) == [units.u1.credit_code]


# --- org.joint_branch_units: more than 5 units ----------------------------------------------------------------


def test_joint_branch_counts_its_linked_units(units):
    w = units.world
    # LH1 holds u3 (existing) and u7 (ended): 1
    assert codes(w.street, "org.joint_branch_units") == []
    for _ in range(4):
        make_unit(w.community_area1, org=units.joint)
    assert codes(w.street, "org.joint_branch_units") == []  # 5: the limit
    extra = make_unit(w.community_area1, org=units.joint)
    (f,) = findings(w.street, "org.joint_branch_units")
    assert (f.object_type, f.object_code, f.severity) == ("org", "LH1", "warning")
    assert "6" in f.message and f.basis == "org.joint_branch_max_units"
    Unit.objects.filter(pk=extra.pk).update(ended_on=ON, status="deregistered")  # ended: no longer covered
    assert codes(w.street, "org.joint_branch_units") == []


def test_joint_branch_without_linked_units_falls_back_to_the_typed_number(units):
    w = units.world
    legacy = do_create_org(
        acting_user=None, parent=w.street, code="LH2", name="联合党支部二", type="joint_branch", units_covered=5
    )
    assert codes(w.street, "org.joint_branch_units") == []
    legacy.units_covered = 6
    legacy.save()
    assert codes(w.street, "org.joint_branch_units") == ["LH2"]
    # once a unit is linked, the registry counts, not the typed number
    make_unit(w.community_area1, org=legacy)
    assert codes(w.street, "org.joint_branch_units") == []
    # a branch whose linked units have all ended covers none (the typed number is not read again)
    Unit.objects.filter(org=legacy).update(ended_on=ON - DAY, status="deregistered")
    assert codes(w.street, "org.joint_branch_units") == []


def test_joint_branch_typed_number_of_a_branch_not_yet_founded(units):
    w = units.world
    do_create_org(acting_user=None, parent=w.street, code="LH3", name="联合党支部三", type="joint_branch",
                  units_covered=9, founded_on=ON + DAY)  # fmt: skip
    assert codes(w.street, "org.joint_branch_units") == []
    assert codes(w.street, "org.joint_branch_units", on=ON + DAY) == ["LH3"]


# --- unit.uncovered: a 两新组织 with neither an org nor an instructor -------------------------------------------


def test_unit_uncovered(units):
    w = units.world
    # u1 (no org, no instructor) and u4 (its instructor's assignment ended on ON)
    assert codes(w.district, "unit.uncovered") == sorted([units.u1.credit_code, units.u4.credit_code])
    (f,) = [f for f in findings(w.district, "unit.uncovered") if f.object_code == units.u1.credit_code]
    assert f.object_type == "unit" and f.severity == "warning" and "意见" in f.source
    # the day before, u4's instructor still covered it
    assert codes(w.district, "unit.uncovered", on=ON - DAY) == [units.u1.credit_code]
    assign(units.u1, started=ON + DAY)  # assigned from tomorrow: not yet
    assert units.u1.credit_code in codes(w.district, "unit.uncovered")
    assert units.u1.credit_code not in codes(w.district, "unit.uncovered", on=ON + DAY)


def test_unit_uncovered_is_for_neworgs_only(units):
    w = units.world
    other = make_unit(w.community_area1, category="institution", members=1)
    assert other.credit_code not in codes(w.district, "unit.uncovered")
    social = make_unit(w.community_area1, category="social_organization")
    assert social.credit_code in codes(w.district, "unit.uncovered")


# --- unit.ended_org: an ended unit still linked to an org with nothing else -----------------------------------


def test_unit_ended_org(units):
    w = units.world
    # u6 ended, its org ZBU6 holds nothing else; u7 ended too, but LH1 still holds u3
    (f,) = findings(w.district, "unit.ended_org")
    assert (f.object_type, f.object_code, f.severity) == ("unit", units.u6.credit_code, "warning")
    assert units.ended_org.name in f.message and f.source
    # the day before it ended, nothing to handle
    assert codes(w.district, "unit.ended_org", on=ON - 11 * DAY) == []
    # LH1's last existing unit ends: both its ended units flag it
    Unit.objects.filter(pk=units.u3.pk).update(ended_on=ON, status="moved_out")
    assert codes(w.district, "unit.ended_org") == sorted(
        [units.u3.credit_code, units.u6.credit_code, units.u7.credit_code]
    )
    assert codes(w.district, "unit.ended_org", on=ON - DAY) == [units.u6.credit_code]  # u3 ends on ON


def test_unit_ended_org_with_no_end_date_and_a_living_sibling(units):
    w = units.world
    own = do_create_org(acting_user=None, parent=w.community1, code="ZBU9", name="某单位党支部", type="branch")
    gone = make_unit(w.community_area1, org=own, status="revoked")  # ended state, no date: gone
    assert gone.credit_code in codes(w.district, "unit.ended_org")
    make_unit(w.community_area1, org=own)  # the org still holds an existing unit
    assert gone.credit_code not in codes(w.district, "unit.ended_org")
    # an ended unit with no org has nothing to flag
    make_unit(w.community_area1, status="deregistered", ended_on=ON - DAY)
    assert len(findings(w.district, "unit.ended_org")) == 1  # u6 alone


def test_unit_checks_follow_the_scope(units):
    w = units.world
    # admin1 sees 甲社区's units: u1 uncovered; u4 (乙社区) is not theirs
    assert codes(w.community1, "unit.uncovered", user=w.admin1) == [units.u1.credit_code]
    assert codes(w.community1, "unit.uncovered", user=w.viewer1) == [units.u1.credit_code]
    assert codes(w.community2, "unit.uncovered", user=w.admin1) == []
