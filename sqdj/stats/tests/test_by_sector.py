"""`organizations.by_sector` (issue 13): the orgs of the subtree by sector, every sector word present, through the
same single grouped query as `by_type`; on the page and in the workbook as a section of its own."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from sqdj.orgs.choices import SECTOR_LABELS
from sqdj.orgs.services import do_create_org
from sqdj.stats.services import _organizations, _organizations_statement, compute, read_together
from sqdj.testing import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def base():
    w = build_world()
    zh = do_create_org(acting_user=None, parent=w.street, code="ZHT1", name="综合党委", type="comprehensive_committee")
    do_create_org(acting_user=None, parent=zh, code="ZBQ1", name="某公司支部", type="branch", area=w.community_area1)
    do_create_org(
        acting_user=None, parent=zh, code="ZBQ2", name="某协会支部", type="branch", sector="social_organization"
    )
    return w


def test_counts_by_sector(base):
    stats = compute(base.district, user=base.superuser)
    by_sector = stats["organizations"]["by_sector"]
    assert list(by_sector) == list(SECTOR_LABELS.values())
    assert {k: v for k, v in by_sector.items() if v} == {
        "社区": 5,
        "街道": 1,
        "机关": 1,
        "非公有制企业": 2,
        "社会组织": 1,
    }
    assert sum(by_sector.values()) == stats["organizations"]["total"] == 10
    # scoped: a community admin counts only their community's orgs
    mine = compute(base.community1, user=base.admin1)["organizations"]["by_sector"]
    assert {k: v for k, v in mine.items() if v} == {"社区": 3}


def test_no_extra_query_for_the_sectors(base):
    statement = (*_organizations_statement(base.district, base.superuser, datetime.date.today()), True)
    with CaptureQueriesContext(connection) as ctx:
        [grouped] = read_together(connection.alias, [statement])
    assert len(ctx.captured_queries) == 1  # by type and by sector from one grouped query
    assert _organizations(grouped)["total"] == 10


def test_page_and_workbook_show_the_sectors(base):
    c = Client()
    c.force_login(base.superuser)
    html = c.get("/stats/", {"org": "DWT01"}).content.decode()
    assert "党组织所属领域" in html
    # the figure links to the org list behind it (issue 14)
    assert re.search(
        r'<th scope="row" class="fw-normal">非公有制企业</th><td class="text-end"><a [^>]*>2</a></td>', html
    )
    data = c.get("/stats/", {"org": "DWT01", "export": "xlsx"}).content
    cells = [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]
    assert ["社会组织", 1] in [[v for v in row if v is not None] for row in cells]
