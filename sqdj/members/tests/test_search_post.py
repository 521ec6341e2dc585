"""The API's search by number: `POST /api/v1/members/search/` (and the mobile members'), never `GET ?q=<number>`
(core.search_api)."""

from __future__ import annotations

import pytest

from sqdj.testing.api import api_client
from sqdj.testing.members import world_with_members

pytestmark = pytest.mark.django_db
LIST = "/api/v1/members/"
SEARCH = "/api/v1/members/search/"


@pytest.fixture
def world():
    return world_with_members()


def _post(client, body, url=SEARCH):
    return client.post(url, body, format="json")


@pytest.mark.parametrize("attr", ["id_number", "phone"])
def test_post_search_by_number_answers_the_lists_page(world, attr):
    client = api_client(world.admin1)
    r = _post(client, {"q": getattr(world.m1, attr)})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and [m["name"] for m in body["results"]] == ["张三丰"]
    assert body["results"][0]["id_number_masked"] != world.m1.id_number  # masked as in the list
    # the same numbers out of scope find nothing (no oracle)
    assert _post(client, {"q": getattr(world.out, attr)}).json()["count"] == 0


def test_post_search_takes_every_filter_of_the_list(world):
    client = api_client(world.admin1)
    body = {"q": "", "org": world.branch1.code, "descendants": True, "category": ["employed"], "sex": "male",
            "party_years_min": 1}  # fmt: skip
    r = _post(client, body)
    assert r.status_code == 200 and {m["name"] for m in r.json()["results"]} == {"张三丰", "王二小"}
    assert _post(client, {"org": world.branch1.code, "sex": "female"}).json()["count"] == 0
    # the same answer as the list with the same filters
    listed = client.get(LIST, {"org": world.branch1.code, "descendants": "true"}).json()
    assert _post(client, {"org": world.branch1.code, "descendants": True}).json()["results"] == listed["results"]


def test_post_search_pages_with_limit_and_offset_in_the_query_string(world):
    client = api_client(world.admin1)
    r = _post(client, {"org": world.branch1.code}, f"{SEARCH}?limit=1")
    body = r.json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"].endswith("/search/?limit=1&offset=1")
    second = _post(client, {"org": world.branch1.code}, body["next"]).json()
    assert second["results"][0]["id"] != body["results"][0]["id"]


def test_post_search_validates_its_body(world):
    client = api_client(world.admin1)
    assert _post(client, {"sex": "x"}).status_code == 400
    assert _post(client, {"category": "employed"}).status_code == 400  # a list
    assert _post(client, ["张三丰"]).status_code == 400
    # JSON types as the schema says: no 0 for false, no number for a text or choice, no string for a number
    for body in ({"descendants": 0}, {"age_band": 0}, {"party_years_min": "1"}, {"registered_with": 0}, {"q": 1}):
        assert _post(client, body).status_code == 400, body
    r = _post(client, {"education": ["bachelor", {}, "x"]})
    assert r.status_code == 400 and all(isinstance(m, str) for m in r.json()["education"])  # flat, as documented
    r = client.post(SEARCH, "q=1", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415


def test_post_search_is_a_read(world):
    """A viewer (no right to add) may search; a user without a role may not; anonymous: 401."""
    assert _post(api_client(world.viewer1), {"q": world.m1.name}).status_code == 200
    assert _post(api_client(world.nobody), {"q": "张"}).status_code == 403
    assert _post(api_client(None), {"q": "张"}).status_code == 401


@pytest.mark.parametrize("q", ["13812340001", "120101197005040013", "张1234567", "0013", "001X"])
def test_get_with_a_number_in_q_is_refused_with_the_way_to_search(world, q):
    r = api_client(world.admin1).get(LIST, {"q": q})
    assert r.status_code == 400
    message = r.json()["q"][0]
    assert "POST" in message and "/api/v1/members/search/" in message and "身份证号" in message
    assert q not in r.content.decode()


def test_get_without_a_number_still_searches(world):
    client = api_client(world.admin1)
    assert client.get(LIST, {"q": "zsf"}).json()["count"] == 1
    assert client.get(LIST, {"q": "123456"}).status_code == 200  # six digits: not a number of a person


def test_mobile_members_search_by_post_too(world):
    client = api_client(world.superuser)
    for path in ("/api/v1/inflows/", "/api/v1/outflows/"):
        assert client.get(path, {"q": "13812340001"}).status_code == 400, path
        r = _post(client, {"q": "13812340001"}, f"{path}search/")
        assert r.status_code == 200 and r.json()["count"] == 0, path
