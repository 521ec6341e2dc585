"""The leadership resources of the REST API: scope, writes through the services (nested candidates in one
request), field errors with nothing saved."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client

from sqdj.accounts.services import do_issue_token
from sqdj.core.models import ObjectChange
from sqdj.leadership.models import Candidate, Election, Position, ResidentsSeat
from sqdj.orgs.models import Org
from sqdj.leadership.tests.test_leadership_views import leadership_world

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def world():
    return leadership_world()


def api(user):
    c = Client()
    c.defaults["HTTP_AUTHORIZATION"] = f"Token {do_issue_token(user)}"
    return c


def send(c, url, data, method="post"):
    return getattr(c, method)(url, json.dumps(data, default=str), content_type="application/json")


@pytest.mark.parametrize(
    "resource,inside,outside",
    [
        ("positions", "pos1", "pos2"),
        ("elections", "el1", "el2"),
        ("residents-committees", "rc1", "rc2"),
        ("residents-seats", "seat1", "seat2"),
    ],
)
def test_lists_and_objects_are_scoped(world, resource, inside, outside):
    c = api(world.admin1)
    r = c.get(f"/api/v1/{resource}/")
    assert r.status_code == 200
    ids = {row["id"] for row in r.json()["results"]}
    assert getattr(world, inside).pk in ids and getattr(world, outside).pk not in ids
    assert c.get(f"/api/v1/{resource}/{getattr(world, outside).pk}/").status_code == 404
    assert c.delete(f"/api/v1/{resource}/{getattr(world, outside).pk}/").status_code == 404
    assert api(world.viewer1).delete(f"/api/v1/{resource}/{getattr(world, inside).pk}/").status_code == 403
    assert api(world.nobody).get(f"/api/v1/{resource}/").status_code == 403


def test_election_with_candidates_in_one_request(world):
    c = api(world.admin1)
    body = {
        "org": "SQT1", "kind": "regular", "held_on": "2025-03-01", "seats": 3, "eligible_voters": 40,
        "voters_present": 38, "candidates": [
            {"member": m.pk, "votes": v, "elected": v > 20}
            for m, v in ((world.a, 30), (world.b, 25), (world.c, 24), (world.d, 10))
        ],
    }  # fmt: skip
    r = send(c, "/api/v1/elections/", body)
    assert r.status_code == 201, r.json()
    data = r.json()
    assert [(x["member_name"], x["elected"]) for x in data["candidates"]] == [
        ("张一", True), ("李二", True), ("王三", True), ("赵四", False)
    ]  # fmt: skip
    assert Org.objects.get(code="SQT1").term_started_on == D(2025, 3, 1)
    # a partial update without candidates keeps them; with a list, replaces them
    url = f"/api/v1/elections/{data['id']}/"
    assert send(c, url, {"note": "补记"}, "patch").status_code == 200
    assert Candidate.objects.filter(election_id=data["id"]).count() == 4
    r = send(c, url, {"candidates": body["candidates"][:3]}, "patch")
    assert r.status_code == 400 and "candidates" in r.json()  # 3 seats need 4 candidates
    assert Candidate.objects.filter(election_id=data["id"]).count() == 4


def test_election_errors_save_nothing(world):
    c = api(world.admin1)
    before = (ObjectChange.objects.count(), Election.objects.count(), Candidate.objects.count())
    base = {"org": "SQT1", "held_on": "2025-03-01", "seats": 2, "eligible_voters": 40, "voters_present": 38}
    cases = [
        ({**base, "candidates": [{"member": world.a.pk}]}, "candidates"),  # fewer than seats
        ({**base, "candidates": [{"member": m.pk} for m in (world.a, world.b, world.p)]}, "candidates"),  # 预备党员
        ({**base, "candidates": [{"member": m.pk} for m in (world.a, world.b, world.x)]}, "candidates"),  # outside
        ({**base, "voters_present": 41, "candidates": [{"member": m.pk} for m in (world.a, world.b, world.c)]},
         "voters_present"),
        ({**base, "org": "SQT2", "candidates": [{"member": m.pk} for m in (world.a, world.b, world.c)]}, "org"),
    ]  # fmt: skip
    for body, field in cases:
        r = send(c, "/api/v1/elections/", body)
        assert r.status_code == 400, (body, r.json())
        assert field in r.json(), r.json()
    assert (ObjectChange.objects.count(), Election.objects.count(), Candidate.objects.count()) == before


def test_position_rules(world):
    c = api(world.admin1)
    body = {"org": "SQT1", "member": world.b.pk, "role": "secretary", "started_on": "2025-01-01"}
    r = send(c, "/api/v1/positions/", body)
    assert r.status_code == 400 and "started_on" in r.json()  # 张一 is the secretary
    r = send(c, "/api/v1/positions/", {**body, "role": "deputy_secretary", "ended_on": "2024-12-31"})
    assert r.status_code == 400
    assert not Position.objects.filter(member=world.b).exists()
    r = send(c, "/api/v1/positions/", {**body, "role": "deputy_secretary"})
    assert r.status_code == 201 and r.json()["member_name"] == "李二"
    r = send(c, f"/api/v1/positions/{world.pos1.pk}/", {"ended_on": "2024-12-31"}, "patch")
    assert r.status_code == 200
    assert send(c, "/api/v1/positions/", body).status_code == 201  # the secretary's seat is free now
    assert api(world.admin1).get("/api/v1/positions/", {"org": "SQT1", "current": "true"}).json()["count"] == 3


def test_residents_committee_and_seats(world):
    c = api(world.admin1)
    r = send(c, "/api/v1/residents-committees/", {"area": "T01001"})  # a subdistrict
    assert r.status_code == 400 and "area" in r.json()
    r = send(c, "/api/v1/residents-committees/", {"area": "T01001003"})
    assert r.status_code == 201 and r.json()["name"] == "丙社区居民委员会"
    rc = r.json()["id"]
    r = send(c, "/api/v1/residents-seats/", {"committee": rc, "role": "chair", "started_on": "2024-01-01"})
    assert r.status_code == 400 and "member" in r.json() and not ResidentsSeat.objects.filter(committee_id=rc)
    r = send(c, "/api/v1/residents-seats/", {"committee": rc, "role": "chair", "started_on": "2024-01-01",
                                             "person_name": "林群众", "education": "bachelor"})  # fmt: skip
    assert r.status_code == 201 and r.json()["holder_name"] == "林群众"
    r = send(c, "/api/v1/residents-seats/", {"committee": world.rc2.pk, "role": "member", "started_on": "2024-01-01",
                                             "person_name": "外人"})  # fmt: skip
    assert r.status_code == 400 and "committee" in r.json()


def test_candidate_errors_are_plain_messages(world):
    """The 400 body stays {field: [message, …]} (the documented schema): a candidate's own errors name its row."""
    body = {"org": "SQT1", "held_on": "2025-03-01", "seats": 1, "eligible_voters": 4, "voters_present": 4,
            "candidates": [{"member": world.a.pk}, {"votes": -1}]}  # fmt: skip
    r = send(api(world.admin1), "/api/v1/elections/", body)
    assert r.status_code == 400
    messages = r.json()["candidates"]
    assert isinstance(messages, list) and len(messages) == 2 and all(isinstance(m, str) for m in messages)
    assert all("2" in m for m in messages)  # both about the second row
    assert not Election.objects.filter(held_on=D(2025, 3, 1)).exists()
