import datetime

import pytest
from django.test import Client, TestCase

from sqdj.testing.api import ScopedReportAPITests, api_client

from . import expected

URL = "/api/v1/stats/"


class StatsAPIScopeTests(ScopedReportAPITests, TestCase):
    """Anonymous 401, no role 403, out of scope 404, in scope 200 (the shared world)."""

    url_name = "api:stats"


def test_returns_the_statistics_object(world):
    r = api_client(world.superuser).get(URL, {"org": "DWT01", "as_of": "2025-06-15"})
    assert r.status_code == 200, r.content
    assert r["Content-Type"].startswith("application/json")
    assert r.json() == expected.DISTRICT_AS_OF
    assert (
        api_client(world.superuser).get(URL, {"org": "DWT01", "as_of": "2025-07-01"}).json() == expected.DISTRICT_LATER
    )


def test_scoped_user(world):
    r = api_client(world.admin1).get(URL, {"org": "SQT1", "as_of": "2025-06-15"})
    assert r.status_code == 200 and r.json() == expected.COMMUNITY1_ADMIN
    assert api_client(world.c1_only).get(URL, {"org": "SQT1", "as_of": "2025-06-15"}).json() == expected.COMMUNITY1_ONLY


def test_default_as_of_is_today(world):
    r = api_client(world.admin1).get(URL, {"org": "ZBT1"})
    assert r.status_code == 200 and r.json()["as_of"] == datetime.date.today().isoformat()


@pytest.mark.parametrize("code", ["DWT01", "GWT01001", "SQT2", "ZBT2", "NOPE", " SQT1"])
def test_out_of_scope_or_unknown_org_is_404(world, code):
    r = api_client(world.admin1).get(URL, {"org": code})
    assert r.status_code == 404 and r.json() == {"detail": "未找到。"}


@pytest.mark.parametrize(
    "params, field",
    [({}, "org"), ({"org": ""}, "org"), ({"org": "SQT1", "as_of": "2025-13-01"}, "as_of"),
     ({"org": "SQT1", "as_of": "yesterday"}, "as_of")],
)  # fmt: skip
def test_bad_parameters_are_400(world, params, field):
    r = api_client(world.admin1).get(URL, params)
    assert r.status_code == 400 and list(r.json()) == [field]


def test_session_login_works_too(world):
    c = Client()
    c.force_login(world.admin1)
    assert c.get(URL, {"org": "SQT1", "as_of": "2025-06-15"}).json() == expected.COMMUNITY1_ADMIN


def test_documented_in_the_schema(world):
    c = Client()
    c.force_login(world.admin1)
    schema = c.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    op = schema["paths"]["/api/v1/stats/"]["get"]
    assert {"200", "400", "401", "403", "404"} <= set(op["responses"])
    params = {p["name"]: p for p in op["parameters"] if p["in"] == "query"}
    assert params["org"]["required"] and params["as_of"]["schema"]["format"] == "date"
    members = schema["components"]["schemas"]["StatsMembers"]["properties"]
    assert set(members) == set(expected.DISTRICT_AS_OF["members"])
