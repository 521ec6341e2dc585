import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from . import expected

URL = "/stats/"


def client(user):
    c = Client()
    c.force_login(user)
    return c


def test_page_shows_the_numbers(world):
    r = client(world.superuser).get(URL, {"org": "DWT01", "as_of": "2025-06-15"})
    assert r.status_code == 200
    assert r.context["stats"] == expected.DISTRICT_AS_OF
    html = r.content.decode()
    for label, _number, _url in r.context["tiles"]:
        assert label in html
    # each figure links to the list behind it (issue 14: tests/test_drilldown.py follows the links)
    assert re.search(
        r'<div class="sqdj-count"><a class="stats-figure" href="[^"]+"[^>]*>12</a></div>', html
    )  # 党员总数
    assert re.search(r'<th scope="row" class="fw-normal">30岁及以下</th><td class="text-end"><a [^>]*>2</a></td>', html)
    assert re.search(r'<th scope="row" class="fw-normal">党支部</th><td class="text-end"><a [^>]*>2</a></td>', html)
    assert 'id="stats-chart-by_age_band"' in html and "vendor/echarts/echarts.min.js" in html
    assert 'id="stats-charts" type="application/json"' in html
    charts = {c["id"]: c for c in r.context["charts"]}
    assert charts["stats-chart-by_age_band"]["values"] == [2, 3, 3, 1, 0, 0, 2, 1]
    assert charts["stats-chart-organizations"]["labels"] == ["区委", "街道党工委", "党总支", "党支部", "党小组"]


def test_default_org_is_the_first_assigned(world):
    r = client(world.admin1).get(URL, {"as_of": "2025-06-15"})
    assert r.status_code == 200 and r.context["stats"] == expected.COMMUNITY1_ADMIN
    r = client(world.superuser).get(URL)
    assert r.status_code == 200 and r.context["stats"]["org"]["code"] == "DWT01"


def test_the_org_is_chosen_with_the_tree_picker(world):
    """The org field is the shared tree picker (its pick page goes through the scope gate, ScopedViewTests), showing
    the chosen org and sending its code."""
    html = client(world.admin1).get(URL, {"org": "ZBT1"}).content.decode()
    assert 'id="id_org_search"' in html and 'name="org" value="ZBT1"' in html
    assert 'id="stats-org"' not in html  # no <select> of orgs any more


@pytest.mark.parametrize("code", ["DWT01", "SQT2", "NOPE"])
def test_out_of_scope_is_404(world, code):
    assert client(world.admin1).get(URL, {"org": code}).status_code == 404


def test_no_role_is_403_and_anonymous_logs_in(world):
    assert client(world.nobody).get(URL).status_code == 403
    r = Client().get(URL)
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_bad_date(world):
    r = client(world.admin1).get(URL, {"org": "SQT1", "as_of": "2025-02-30"})
    assert r.status_code == 400 and "日期格式不对" in r.content.decode() and r.context["stats"] is None


def test_excel_download(world):
    r = client(world.admin1).get(URL, {"org": "SQT1", "as_of": "2025-06-15", "export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = {row[0]: row[1] for row in load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)}
    assert rows["党员总数"] == 6 and rows["组织编码"] == "SQT1"


def test_menu_entry(world):
    r = client(world.viewer1).get(URL)
    assert r.status_code == 200
    assert any(item["url"] == URL and item["active"] for g in r.context["nav_groups"] for item in g["items"])
