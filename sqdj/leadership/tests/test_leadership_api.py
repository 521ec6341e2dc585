"""The leadership resources of the REST API: the scope contract of each (ScopedAPITests), writes through the
services (nested candidates in one request), field errors with nothing saved."""

from __future__ import annotations

import datetime

import pytest
from django.test import TestCase

from sqdj.core.models import ObjectChange
from sqdj.leadership.models import Candidate, Election, Position, ResidentsSeat
from sqdj.leadership.tests.test_leadership_views import leadership_world
from sqdj.orgs.models import Org
from sqdj.testing.api import ScopedAPITests, api_client

D = datetime.date


class LeadershipAPITests(ScopedAPITests):
    """admin1 administers communities 1 and 3 (the leadership world), viewer1 reads community 1."""

    inside = outside = ""  # attribute names of the world's objects

    @classmethod
    def setUpTestData(cls):
        cls.world = leadership_world()

    def in_scope(self):
        return getattr(self.world, self.inside)

    def out_of_scope(self):
        return getattr(self.world, self.outside)


class PositionAPITests(LeadershipAPITests, TestCase):
    basename, inside, outside = "position", "pos1", "pos2"
    scope_field = "org"

    def create_data(self):
        return {"org": "SQT1", "member": self.world.b.pk, "role": "deputy_secretary", "started_on": "2025-01-01"}

    def update_data(self, obj):
        return {"portfolio": "organization"}

    def foreign_value(self):
        return "SQT2"


class ElectionAPITests(LeadershipAPITests, TestCase):
    basename, inside, outside = "election", "el1", "el2"
    scope_field = "org"

    def create_data(self):
        w = self.world
        votes = ((w.a, 4), (w.b, 4), (w.c, 3), (w.d, 1))
        candidates = [{"member": m.pk, "votes": v, "elected": v > 2} for m, v in votes]
        return {"org": "SQT1", "kind": "regular", "held_on": "2025-03-01", "seats": 3, "voters_present": 4,
                "candidates": candidates}  # fmt: skip

    def update_data(self, obj):
        return {"note": "补记"}

    def foreign_value(self):
        return "SQT2"


class ResidentsCommitteeAPITests(LeadershipAPITests, TestCase):
    basename, inside, outside = "residentscommittee", "rc1", "rc2"
    scope_field = "area"

    def create_data(self):
        return {"area": "T01001003"}  # 丙社区, which has no committee yet

    def update_data(self, obj):
        return {"name": obj.name + "（改）"}

    def foreign_value(self):
        return self.world.community_area2.code


class ResidentsSeatAPITests(LeadershipAPITests, TestCase):
    basename, inside, outside = "residentsseat", "seat1", "seat2"
    scope_field = "committee"

    def create_data(self):
        return {"committee": self.world.rc1.pk, "role": "member", "person_name": "孙群众", "started_on": "2024-01-01"}

    def update_data(self, obj):
        return {"ended_on": "2025-12-31"}

    def foreign_value(self):
        return self.world.rc2.pk


pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return leadership_world()


def test_election_with_candidates_in_one_request(world):
    c = api_client(world.admin1)
    body = {
        "org": "SQT1", "kind": "regular", "held_on": "2025-03-01", "seats": 3, "eligible_voters": 4,
        "voters_present": 4, "candidates": [
            {"member": m.pk, "votes": v, "elected": v > 2}
            for m, v in ((world.a, 4), (world.b, 4), (world.c, 3), (world.d, 1))
        ],
    }  # fmt: skip
    r = c.post("/api/v1/elections/", body)
    assert r.status_code == 201, r.json()
    data = r.json()
    assert [(x["member_name"], x["elected"]) for x in data["candidates"]] == [
        ("张一", True), ("李二", True), ("王三", True), ("赵四", False)
    ]  # fmt: skip
    assert Org.objects.get(code="SQT1").term_started_on == D(2025, 3, 1)
    # a partial update without candidates keeps them; with a list, replaces them
    url = f"/api/v1/elections/{data['id']}/"
    assert c.patch(url, {"note": "补记"}).status_code == 200
    assert Candidate.objects.filter(election_id=data["id"]).count() == 4
    r = c.patch(url, {"candidates": body["candidates"][:3]})
    assert r.status_code == 400 and "candidates" in r.json()  # 3 seats need 4 candidates
    assert Candidate.objects.filter(election_id=data["id"]).count() == 4


def test_election_errors_save_nothing(world):
    c = api_client(world.admin1)
    before = (ObjectChange.objects.count(), Election.objects.count(), Candidate.objects.count())
    base = {"org": "SQT1", "held_on": "2025-03-01", "seats": 2, "voters_present": 4}
    cases = [
        ({**base, "candidates": [{"member": world.a.pk}]}, "candidates"),  # fewer than seats
        ({**base, "candidates": [{"member": m.pk} for m in (world.a, world.b, world.p)]}, "candidates"),  # 预备党员
        ({**base, "candidates": [{"member": m.pk} for m in (world.a, world.b, world.x)]}, "candidates"),  # outside
        ({**base, "voters_present": 5, "candidates": [{"member": m.pk} for m in (world.a, world.b, world.c)]},
         "voters_present"),
        ({**base, "org": "SQT2", "candidates": [{"member": m.pk} for m in (world.a, world.b, world.c)]}, "org"),
    ]  # fmt: skip
    for body, field in cases:
        r = c.post("/api/v1/elections/", body)
        assert r.status_code == 400, (body, r.json())
        assert field in r.json(), r.json()
    assert (ObjectChange.objects.count(), Election.objects.count(), Candidate.objects.count()) == before


def test_position_rules(world):
    c = api_client(world.admin1)
    body = {"org": "SQT1", "member": world.b.pk, "role": "secretary", "started_on": "2025-01-01"}
    r = c.post("/api/v1/positions/", body)
    assert r.status_code == 400 and "started_on" in r.json()  # 张一 is the secretary
    r = c.post("/api/v1/positions/", {**body, "role": "deputy_secretary", "ended_on": "2024-12-31"})
    assert r.status_code == 400
    assert not Position.objects.filter(member=world.b).exists()
    r = c.post("/api/v1/positions/", {**body, "role": "deputy_secretary"})
    assert r.status_code == 201 and r.json()["member_name"] == "李二"
    r = c.patch(f"/api/v1/positions/{world.pos1.pk}/", {"ended_on": "2024-12-31"})
    assert r.status_code == 200
    assert c.post("/api/v1/positions/", body).status_code == 201  # the secretary's seat is free now
    assert api_client(world.admin1).get("/api/v1/positions/", {"org": "SQT1", "current": "true"}).json()["count"] == 3


def test_residents_committee_and_seats(world):
    c = api_client(world.admin1)
    r = c.post("/api/v1/residents-committees/", {"area": "T01001"})  # a subdistrict
    assert r.status_code == 400 and "area" in r.json()
    r = c.post("/api/v1/residents-committees/", {"area": "T01001003"})
    assert r.status_code == 201 and r.json()["name"] == "丙社区居民委员会"
    rc = r.json()["id"]
    r = c.post("/api/v1/residents-seats/", {"committee": rc, "role": "chair", "started_on": "2024-01-01"})
    assert r.status_code == 400 and "member" in r.json() and not ResidentsSeat.objects.filter(committee_id=rc)
    r = c.post("/api/v1/residents-seats/", {"committee": rc, "role": "chair", "started_on": "2024-01-01",
                                             "person_name": "林群众", "education": "bachelor"})  # fmt: skip
    assert r.status_code == 201 and r.json()["holder_name"] == "林群众"
    r = c.post("/api/v1/residents-seats/", {"committee": world.rc2.pk, "role": "member", "started_on": "2024-01-01",
                                             "person_name": "外人"})  # fmt: skip
    assert r.status_code == 400 and "committee" in r.json()


def test_candidate_errors_are_plain_messages(world):
    """The 400 body stays {field: [message, …]} (the documented schema): a candidate's own errors name its row."""
    body = {"org": "SQT1", "held_on": "2025-03-01", "seats": 1, "voters_present": 4,
            "candidates": [{"member": world.a.pk}, {"votes": -1}]}  # fmt: skip
    r = api_client(world.admin1).post("/api/v1/elections/", body)
    assert r.status_code == 400
    messages = r.json()["candidates"]
    assert isinstance(messages, list) and len(messages) == 2 and all(isinstance(m, str) for m in messages)
    assert all("2" in m for m in messages)  # both about the second row
    assert not Election.objects.filter(held_on=D(2025, 3, 1)).exists()
