"""Coverage computed from the units (units.coverage) and the statistics' figures (units.stats, interfaces.md §3),
counted by hand on a small world.

build_world() plus a 联合党支部 LH1 under the street (located in the street's area) and, on ON = 2026-06-30:

 unit  category               area  employees members full  org   instructor              counts on ON
 u1    非公有制企业            甲     20        3       —     —     —                       yes: 应建未建 (3)
 u2    非公有制企业            甲     5         2       —     —     open                    yes: work coverage
 u3    社会组织                甲     50        4       2     LH1   —                       yes: org coverage
 u4    非公有制企业            乙     100       3       2     —     ended on ON             yes: 应建未建 (3 members)
 u5    党政机关                甲     300       30      —     ZBT1  —                       yes: org coverage
 u6    非公有制企业 (注销)      甲     10        5       —     ZBU6  —                       no: ended before ON
 u7    非公有制企业 (注销)      甲     10        1       —     LH1   —                       no: ended before ON
 u8    非公有制企业            甲     10        3       —     —     —                       no: registered after ON
 u10   非公有制企业            乙     60        1       —     ZBT2  —                       yes: org coverage
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sqdj.core.scope import EVERYTHING
from sqdj.orgs.services import do_create_org
from sqdj.stats.services import compute
from sqdj.testing import build_world, guide_out_of_scope
from sqdj.units import coverage
from sqdj.units.models import Instructor, Unit
from sqdj.units.stats import figures, neworg_coverage, units_summary

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 6, 30)
DAY = datetime.timedelta(days=1)
_seq = iter(range(1, 100_000))

ZEROS = {"党政机关": 0, "事业单位": 0, "国有企业": 0, "非公有制企业": 0, "社会组织": 0, "其他": 0}


def make_unit(area, *, category="non_public_enterprise", employees=10, members=0, org=None, **extra) -> Unit:
    seq = next(_seq)
    return Unit.objects.create(
        name=f"测试单位{seq}",
        credit_code=f"TEST{seq:014d}",
        category=category,
        area=area,
        employees=employees,
        party_members=members,
        org=org,
        **extra,
    )


def assign(unit, *, started=datetime.date(2020, 1, 1), ended=None) -> Instructor:
    return Instructor.objects.create(unit=unit, name="王指导", started_on=started, ended_on=ended)


@dataclass
class Units:
    world: object
    joint: object
    u1: Unit
    u2: Unit
    u3: Unit
    u4: Unit
    u5: Unit
    u6: Unit
    u7: Unit
    u8: Unit
    u10: Unit
    ended_org: object


def build_units() -> Units:
    w = build_world()
    joint = do_create_org(
        acting_user=None, parent=w.street, code="LH1", name="联合党支部", type="joint_branch", area=w.street_area
    )
    own = do_create_org(acting_user=None, parent=w.community1, code="ZBU6", name="某企业党支部", type="branch")
    a1, a2 = w.community_area1, w.community_area2
    u1 = make_unit(a1, employees=20, members=3, industry="C")
    u2 = make_unit(a1, employees=5, members=2, industry="C")
    assign(u2)
    u3 = make_unit(a1, category="social_organization", employees=50, members=4, full_members=2, org=joint)
    u4 = make_unit(a2, employees=100, members=3, full_members=2, industry="F")
    assign(u4, ended=ON)
    u5 = make_unit(a1, category="government", employees=300, members=30, org=w.branch1, industry="S")
    gone = {"status": "deregistered", "ended_on": ON - 10 * DAY}
    u6 = make_unit(a1, members=5, org=own, **gone)
    u7 = make_unit(a1, members=1, org=joint, **gone)
    u8 = make_unit(a1, members=3, registered_on=ON + DAY)
    u10 = make_unit(a2, employees=60, members=1, org=w.branch2, industry="F")
    return Units(w, joint, u1, u2, u3, u4, u5, u6, u7, u8, u10, own)


@pytest.fixture
def units():
    return build_units()


# --- the statistics' figures (interfaces.md §3) ---------------------------------------------------------------


def test_district_figures_counted_by_hand(units):
    got = figures(units.world.district, user=EVERYTHING, as_of=ON)
    assert got["coverage"] == {"neworgs": 5, "neworgs_with_org": 2, "neworgs_3plus_members_without_org": 2}
    assert got["units"] == {
        "total": 6,
        "by_category": {**ZEROS, "党政机关": 1, "非公有制企业": 4, "社会组织": 1},
        "org_coverage": 3,
        "work_coverage": 1,
    }
    assert neworg_coverage(units.world.district, user=EVERYTHING, as_of=ON) == got["coverage"]
    assert units_summary(units.world.district, user=EVERYTHING, as_of=ON) == got["units"]


def test_statistics_json_carries_the_figures(units):
    stats = compute(units.world.district, user=units.world.superuser, as_of=ON)
    assert {k: stats["coverage"][k] for k in ("neworgs", "neworgs_with_org", "neworgs_3plus_members_without_org")} == {
        "neworgs": 5,
        "neworgs_with_org": 2,
        "neworgs_3plus_members_without_org": 2,
    }
    assert stats["units"]["total"] == 6 and list(stats["units"]["by_category"]) == list(ZEROS)


def test_three_members_edge(units):
    """应建未建 counts 党员人数 ≥ 3 (org.min_full_members): 2 does not count, 3 does; an org takes it off the list."""
    district = units.world.district

    def without_org():
        return figures(district, user=EVERYTHING, as_of=ON)["coverage"]["neworgs_3plus_members_without_org"]

    assert without_org() == 2
    Unit.objects.filter(pk=units.u2.pk).update(party_members=3)
    assert without_org() == 3
    Unit.objects.filter(pk=units.u1.pk).update(org=units.joint)
    assert without_org() == 2
    # not a 两新组织: never on the list
    make_unit(units.world.community_area1, category="state_enterprise", members=9)
    assert without_org() == 2


def test_a_unit_counts_from_registration_until_it_ends(units):
    district = units.world.district

    def total(day):
        return figures(district, user=EVERYTHING, as_of=day)["units"]["total"]

    assert total(ON) == 6
    assert total(ON + DAY) == 7  # u8 registered
    Unit.objects.filter(pk=units.u1.pk).update(ended_on=ON + DAY, status="deregistered")
    assert total(ON) == 6 and total(ON + DAY) == 6  # u1 counts on ON, gone the day it ends
    # an ended state with no end date is gone whatever the day
    Unit.objects.filter(pk=units.u2.pk).update(status="revoked")
    assert total(ON) == 5
    # a suspended unit still exists
    Unit.objects.filter(pk=units.u5.pk).update(status="suspended")
    assert total(ON) == 5


def test_work_coverage_on_both_sides_of_the_instructors_dates(units):
    district = units.world.district

    def work(day):
        return figures(district, user=EVERYTHING, as_of=day)["units"]["work_coverage"]

    assert work(ON) == 1  # u2; u4's instructor ended on ON
    assert work(ON - DAY) == 2  # the day before, u4's instructor still covered it
    assign(units.u1, started=ON + DAY)
    assert work(ON) == 1 and work(ON + DAY) == 2


def test_a_unit_outside_the_users_scope_is_not_counted(units):
    """admin1 (community 甲 and below) counting the street: the units of 甲社区 and those held by its orgs only."""
    w = units.world
    got = figures(w.street, user=w.admin1, as_of=ON)
    # u1 u2 u3 u5 (u4 and u10 are in 乙社区, held by no org of admin1's)
    assert got["units"]["total"] == 4
    assert got["coverage"] == {"neworgs": 3, "neworgs_with_org": 1, "neworgs_3plus_members_without_org": 1}
    assert figures(w.street, user=None, as_of=ON)["units"]["total"] == 0


def test_a_guided_org_is_counted_whole(units):
    """admin1's community guides 乙社区 (属地管理): its statistics count its territory whole (stats.counting_user),
    whereas admin1's own scope holds only the unit 乙's branch holds."""
    w = units.world
    guide_out_of_scope(w)
    assert figures(w.community2, user=w.admin1, as_of=ON)["units"]["total"] == 1  # the scope: u10 (via ZBT2)
    stats = compute(w.community2, user=w.admin1, as_of=ON)
    assert stats["units"]["total"] == 2  # u4 and u10
    assert stats["coverage"]["neworgs_3plus_members_without_org"] == 1  # u4


# --- the coverage tables ----------------------------------------------------------------------------------------


def by_key(rows):
    return {str(r.key): r.figures for r in rows}


def test_tables_of_the_street(units):
    w = units.world
    t = coverage.tables(w.street, EVERYTHING, ON)
    assert t.total.figures == {"total": 6, "org_coverage": 3, "work_coverage": 1, "neither": 2}  # u1, u4
    assert t.neworgs.figures == {"total": 5, "org_coverage": 2, "work_coverage": 1, "neither": 2}
    areas = by_key(t.by_area)
    assert areas == {
        "T01001001": {"total": 4, "org_coverage": 2, "work_coverage": 1, "neither": 1},
        "T01001002": {"total": 2, "org_coverage": 1, "work_coverage": 0, "neither": 1},
    }
    assert by_key(t.by_category)["non_public_enterprise"]["total"] == 4
    assert by_key(t.by_industry) == {
        "C": {"total": 2, "org_coverage": 0, "work_coverage": 1, "neither": 1},
        "F": {"total": 2, "org_coverage": 1, "work_coverage": 0, "neither": 1},
        "S": {"total": 1, "org_coverage": 1, "work_coverage": 0, "neither": 0},
        "": {"total": 1, "org_coverage": 1, "work_coverage": 0, "neither": 0},
    }
    # bands: 5 → 1-9, 20 → 10-49, 50 and 60 → 50-99, 100 → 100-299, 300 → 300+
    assert [r.figures["total"] for r in t.by_band] == [1, 1, 2, 1, 1]


@pytest.mark.parametrize(("employees", "band"), [(0, 0), (9, 0), (10, 1), (49, 1), (50, 2), (99, 2), (100, 3),
                                                 (299, 3), (300, 4)])  # fmt: skip
def test_head_count_band_edges(employees, band):
    w = build_world()
    make_unit(w.community_area1, employees=employees)
    t = coverage.tables(w.community1, EVERYTHING, ON)
    assert [r.figures["total"] for r in t.by_band] == [int(i == band) for i in range(5)]


def test_a_part_of_the_territory(units):
    w = units.world
    t = coverage.tables(w.street, EVERYTHING, ON, area=w.community_area2)
    assert t.total.figures["total"] == 2
    assert t.by_area == []  # 乙社区 has no child area


def test_a_unit_held_from_outside_the_area_is_in_the_orgs_territory(units):
    """The territory: the units located under the org's area and those its subtree holds."""
    w = units.world
    elsewhere = make_unit(w.district_area, org=w.branch1)
    t = coverage.tables(w.community1, EVERYTHING, ON)
    assert t.total.figures["total"] == 5  # u1 u2 u3 u5, and the unit held by ZBT1 located elsewhere
    assert t.by_area == []  # 甲社区 has no child area
    street = coverage.tables(w.street, EVERYTHING, ON)
    assert street.total.figures["total"] == 7
    assert by_key(street.by_area)["elsewhere"]["total"] == 1  # a row of its own, after the communities
    assert elsewhere.pk in set(coverage.territory(w.community1, EVERYTHING).values_list("pk", flat=True))


def test_tables_in_a_constant_number_of_queries(units):
    w = units.world

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            coverage.tables(w.street, w.superuser, ON)
        return len(ctx.captured_queries)

    before = queries()
    for i in range(20):
        u = make_unit(w.community_area1 if i % 2 else w.community_area2, employees=i * 20, industry="ABC"[i % 3])
        if i % 3 == 0:
            assign(u)
    assert queries() == before <= 3
