"""The coverage page (/units/coverage/): the scope contract (anonymous → login, no role → 403, an org or area out of
scope → 404, in scope and viewer → 200), the drill-down to a child area, every figure a link to the unit list of
that count, and the units block of the statistics page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from sqdj.testing import build_world

from .test_coverage import ON, assign, build_units, make_unit

pytestmark = pytest.mark.django_db
URL = "/units/coverage/"


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def units():
    return build_units()


def test_url_and_menu():
    from sqdj.units.coverage_urls import menu_items

    assert reverse("units:coverage") == URL
    assert [(m.url_name, m.icon) for m in menu_items] == [("units:coverage", "diagram-3")]


def test_anonymous_goes_to_login(units):
    r = Client().get(URL)
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_no_role_is_403(units):
    assert client(units.world.nobody).get(URL).status_code == 403


def test_out_of_scope_is_404(units):
    c = client(units.world.admin1)
    assert c.get(URL, {"org": "SQT2"}).status_code == 404  # the other community
    assert c.get(URL, {"org": "GWT01001"}).status_code == 404  # the street above admin1's org
    assert c.get(URL, {"org": "NOPE"}).status_code == 404
    assert c.get(URL, {"org": "SQT1", "area": "T01001002"}).status_code == 404  # not a part of SQT1's territory
    assert c.get(URL, {"org": "SQT1", "as_of": "2026-13-01"}).status_code == 400


def test_in_scope_and_by_default_the_users_own_top_org(units):
    r = client(units.world.admin1).get(URL, {"as_of": ON.isoformat()})
    assert r.status_code == 200 and r.context["org"].code == "SQT1"
    # admin1 sees 甲社区's units: u1 u2 u3 u5
    assert r.context["tables"].total.figures == {"total": 4, "org_coverage": 2, "work_coverage": 1, "neither": 1}
    assert units.u4.name not in r.content.decode()


def test_viewer_sees_the_page(units):
    r = client(units.world.viewer1).get(URL, {"org": "SQT1", "as_of": ON.isoformat()})
    assert r.status_code == 200 and r.context["tables"].total.figures["total"] == 4


def test_drill_down_to_a_community(units):
    c = client(units.world.superuser)
    r = c.get(URL, {"org": "GWT01001", "as_of": ON.isoformat()})
    assert r.status_code == 200
    (area_section,) = [rows for key, _title, rows in r.context["sections"] if key == "area"]
    drills = {row["label"]: row["drill"] for row in area_section}
    assert set(drills) == {"甲社区", "乙社区"}
    down = c.get(drills["乙社区"])
    assert down.status_code == 200 and down.context["area"].code == "T01001002"
    assert down.context["tables"].total.figures["total"] == 2  # u4 and u10
    assert down.context["up"] and "area" not in parse_qs(urlsplit(down.context["up"]).query)


def test_page_is_in_chinese(units):
    text = client(units.world.superuser).get(URL, {"org": "GWT01001"}).content.decode()
    for english in ("Coverage of new economic", "By unit category", "Party work coverage", "By industry"):
        assert english not in text


def list_count(c: Client, url: str) -> int:
    r = c.get(url, follow=True)
    assert r.status_code == 200, url
    return r.context["total"]


def test_every_figure_links_to_a_list_of_that_count():
    """In a territory where every unit exists today, each count opens the unit list with exactly that many rows."""
    w = build_world()
    a1, a2 = w.community_area1, w.community_area2
    assign(make_unit(a1, members=3, industry="C"))
    make_unit(a1, category="social_organization", org=w.branch1, employees=80)
    make_unit(a2, category="government", org=w.branch2, industry="S")
    assign(make_unit(a2, org=w.branch2, employees=400))
    make_unit(a2, industry="C")
    c = client(w.superuser)
    r = c.get(URL, {"org": "GWT01001"})
    checked = 0
    for _key, _title, rows in r.context["sections"]:
        for row in rows:
            for _heading, number, url in row["cells"]:
                if url is not None:
                    assert list_count(c, url) == number, (row["label"], url)
                    checked += 1
    for _key, row in r.context["summary"]:
        for _heading, number, url in row["cells"]:
            assert list_count(c, url) == number, url
            checked += 1
    assert checked > 40


def test_statistics_page_shows_the_units(units):
    r = client(units.world.superuser).get(reverse("stats:stats"), {"org": "DWT01", "as_of": ON.isoformat()})
    assert r.status_code == 200
    assert r.context["stats"]["units"]["total"] == 6
    text = r.content.decode()
    assert 'id="stats-units"' in text and f"{URL}?org=DWT01" in text
