"""Visits (issue 17 item 5): the services (checks all at once in Chinese, nothing written when wrong, the territory,
the visitors and the household in scope), the coverage of a community's grids on both sides of the rulebook's
months, and its query count."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sqdj.areas.services import do_create_area
from sqdj.core.dates import add_months
from sqdj.core.models import ObjectChange
from sqdj.core.rules import param
from sqdj.core.services import ScopeViolation
from sqdj.members.services import do_create_member
from sqdj.services import visits
from sqdj.services.models import Household, Visit
from sqdj.services.requests import do_create_request
from sqdj.testing import build_world
from sqdj.testing.concurrency import race
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db


class VisitWorld:
    """build_world, two grids in 甲社区 (buildings 1-1, 1-2 in the first, 2-1 under an estate of the second, 1-1 with
    an entrance), a building in 乙社区, a member of each community, a household in building 1-2, one visit each."""

    def __init__(self):
        w = build_world()
        self.__dict__.update(w.__dict__)

        def area(parent, code, name, kind):
            return do_create_area(acting_user=None, parent=parent, code=code, name=name, type=kind)

        c1 = w.community_area1
        self.grid1 = area(c1, "T01001001001", "一网格", "grid")
        self.grid2 = area(c1, "T01001001002", "二网格", "grid")
        self.b11 = area(self.grid1, "T01001001001001", "1-1号楼", "building")
        self.entrance = area(self.b11, "T01001001001001001", "1-1号楼1单元", "entrance")
        self.b12 = area(self.grid1, "T01001001001002", "1-2号楼", "building")
        self.estate = area(self.grid2, "T01001001002001", "某小区", "estate")
        self.b21 = area(self.estate, "T01001001002001001", "2-1号楼", "building")
        self.b_other = area(w.community_area2, "T01001002001", "乙1号楼", "building")
        self.member = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="王五"))
        self.other_member = do_create_member(acting_user=None, **member_data(w.branch2, seq=2, name="赵六"))
        self.household = Household.objects.create(
            number="HH00000001",
            org=w.community1,
            area=self.b12,
            basis="consent",
            hardships=["dibao"],
            opened_on=self.today(),
        )
        self.other_household = Household.objects.create(
            number="HH00000002",
            org=w.community2,
            area=self.b_other,
            basis="consent",
            hardships=["dibao"],
            opened_on=self.today(),
        )
        self.visit1 = visits.do_record_visit(
            acting_user=self.admin1,
            area=self.grid1,
            visited_on=self.today(),
            visitors=[self.member],
            other_visitors="网格员",
            heard="楼道灯坏了",
        )
        self.visit2 = visits.do_record_visit(
            acting_user=None, area=self.b_other, visited_on=self.today(), heard="乙社区的事"
        )

    @staticmethod
    def today():
        return timezone.localdate()


@pytest.fixture
def w():
    return VisitWorld()


def _chinese(messages):
    return all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages)


def test_record_places_with_the_community_org(w):
    v = w.visit1
    assert v.org == w.community1 and v.recorded_by == w.admin1
    assert list(v.visitors.all()) == [w.member]
    assert v.other_visitors == "网格员"
    assert ObjectChange.objects.filter(content_type__model="visit", object_id=v.pk, action="create").exists()


def test_bad_input_all_at_once_in_chinese_nothing_written(w):
    before = (Visit.objects.count(), ObjectChange.objects.count())
    tomorrow = w.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        visits.do_record_visit(acting_user=w.admin1, area=w.street_area, visited_on=tomorrow, heard="  ",
                               other_visitors="x" * 101)  # fmt: skip
    errors = exc.value.message_dict
    assert set(errors) == {"area", "visited_on", "heard", "other_visitors"}
    assert all(_chinese(m) for m in errors.values()), errors
    assert (Visit.objects.count(), ObjectChange.objects.count()) == before
    # today is allowed (the edge of "not in the future"), 100 characters of other visitors too
    v = visits.do_record_visit(acting_user=w.admin1, area=w.b11, visited_on=w.today(), heard="好",
                               other_visitors="x" * 100)  # fmt: skip
    assert v.pk


def test_visitors_and_household_must_be_in_scope_and_the_community(w):
    with pytest.raises(ValidationError) as exc:
        visits.do_record_visit(acting_user=w.admin1, area=w.grid1, visited_on=w.today(), heard="听到",
                               visitors=[w.other_member], household=w.other_household)  # fmt: skip
    assert set(exc.value.message_dict) == {"visitors", "household"}
    v = visits.do_record_visit(acting_user=w.admin1, area=w.grid1, visited_on=w.today(), heard="听到",
                               household=w.household)  # fmt: skip
    assert v.household == w.household


def test_out_of_territory_is_refused(w):
    before = Visit.objects.count()
    with pytest.raises(ScopeViolation):
        visits.do_record_visit(acting_user=w.admin1, area=w.b_other, visited_on=w.today(), heard="听到")
    with pytest.raises(ScopeViolation):  # the viewer may not add
        visits.do_record_visit(acting_user=w.viewer1, area=w.grid1, visited_on=w.today(), heard="听到")
    assert Visit.objects.count() == before


def test_update_and_delete(w):
    v = visits.do_update_visit(w.visit1, acting_user=w.admin1, heard="楼道灯修好了", visitors=[])
    assert v.heard == "楼道灯修好了" and not v.visitors.exists()
    changes = ObjectChange.objects.filter(content_type__model="visit", object_id=v.pk).count()
    visits.do_update_visit(v, acting_user=w.admin1, heard="楼道灯修好了")  # nothing changed: nothing written
    assert ObjectChange.objects.filter(content_type__model="visit", object_id=v.pk).count() == changes
    with pytest.raises(ValidationError):
        visits.do_update_visit(v, acting_user=w.admin1, heard="")
    with pytest.raises(ScopeViolation):
        visits.do_update_visit(w.visit2, acting_user=w.admin1, heard="改")
    with pytest.raises(ScopeViolation):
        visits.do_update_visit(v, acting_user=w.viewer1, heard="改")
    with pytest.raises(ScopeViolation):
        visits.do_delete_visit(v, acting_user=w.viewer1)
    # a request opened from it: kept, the delete refused
    do_create_request(acting_user=w.admin1, summary="灯", description="灯坏了", area=w.grid1, source="visit", visit=v)
    with pytest.raises(ValidationError):
        visits.do_delete_visit(v, acting_user=w.admin1)
    other = visits.do_record_visit(acting_user=w.admin1, area=w.grid1, visited_on=w.today(), heard="听到")
    visits.do_delete_visit(other, acting_user=w.admin1)
    assert not Visit.objects.filter(pk=other.pk).exists()


def _uncovered(cov):
    return {b.pk for g in cov.grids for b in g.unvisited}


def test_coverage_per_grid(w):
    cov = visits.coverage(w.community1, w.today(), w.admin1)
    assert cov.community == w.community_area1 and cov.months == int(param("services.visit_coverage_months",
                                                                         w.today()))  # fmt: skip
    by_grid = {g.grid: g for g in cov.grids}
    assert set(by_grid) == {w.grid1, w.grid2}
    # the visit to grid 1 itself covers no building: buildings are visited one by one
    assert (by_grid[w.grid1].buildings, by_grid[w.grid1].visited) == (2, 0)
    assert (by_grid[w.grid2].buildings, by_grid[w.grid2].visited) == (1, 0)
    visits.do_record_visit(acting_user=w.admin1, area=w.entrance, visited_on=w.today(), heard="单元里")  # below
    visits.do_record_visit(
        acting_user=w.admin1, area=w.grid2, visited_on=w.today(), heard="户里", household=w.household
    )  # fmt: skip  (the household's building counts)
    cov = visits.coverage(w.community_area1, w.today(), w.admin1)
    by_grid = {g.grid: g for g in cov.grids}
    assert (by_grid[w.grid1].visited, by_grid[w.grid1].unvisited) == (2, [])
    assert _uncovered(cov) == {w.b21.pk}
    assert cov.buildings == 3 and cov.visited == 2
    assert visits.coverage(w.street_area, w.today(), w.admin1) is None  # no community


def test_coverage_months_threshold_both_sides(w):
    today = w.today()
    months = int(param("services.visit_coverage_months", today))
    first = add_months(today, -months)
    inside = Visit.objects.create(org=w.community1, area=w.b21, visited_on=first, heard="刚好在期内")
    assert w.b21.pk not in _uncovered(visits.coverage(w.community1, today, w.admin1))
    Visit.objects.filter(pk=inside.pk).update(visited_on=first - datetime.timedelta(days=1))
    assert w.b21.pk in _uncovered(visits.coverage(w.community1, today, w.admin1))
    # a visit after as_of does not count for an earlier day
    Visit.objects.filter(pk=inside.pk).update(visited_on=today)
    assert w.b21.pk in _uncovered(visits.coverage(w.community1, today - datetime.timedelta(days=1), w.admin1))


def test_coverage_of_a_community_without_grids(w):
    cov = visits.coverage(w.community2, w.today(), w.superuser)
    assert [g.grid for g in cov.grids] == [w.community_area2]
    assert cov.grids[0].buildings == 1 and cov.grids[0].visited == 1  # visit2 was to the building


def test_coverage_is_a_few_queries_whatever_the_buildings(w):
    for i in range(30):
        do_create_area(acting_user=None, parent=w.grid2, code=f"T01001001002{i + 100:03d}", name=f"楼{i}",
                       type="building")  # fmt: skip
    with CaptureQueriesContext(connection) as ctx:
        cov = visits.coverage(w.community1, w.today(), w.admin1)
    assert cov.buildings == 33
    assert len(ctx.captured_queries) <= 8, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_edits_at_once_are_serialized_nothing_lost():
    w = VisitWorld()
    v = w.visit1
    results = race(
        lambda: visits.do_update_visit(v, acting_user=w.admin1, heard="甲改的"),
        lambda: visits.do_update_visit(v, acting_user=w.superuser, other_visitors="乙改的"),
    )
    assert all(isinstance(x, Visit) for x in results), results
    v.refresh_from_db()
    assert (v.heard, v.other_visitors) == ("甲改的", "乙改的")  # the second read the first's row: both kept
    assert ObjectChange.objects.filter(content_type__model="visit", object_id=v.pk, action="update").count() == 2
