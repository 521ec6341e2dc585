"""Statistics you can follow (issue 14): every figure on the page links to the list behind it, and that list
counts what the figure says; the table per child org adds up to the org's figures; the workbook and the PDF
carry both and go through the scope gate; a guided org counts the same on its org page and its statistics page.

The hand-built world of conftest.py (members of every kind, a deceased one, one who joins after AS_OF, a branch
founded after it), seen by a district admin, a community admin and a viewer of one org without its branches."""

from __future__ import annotations

import datetime
import io
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core import dates
from sqdj.orgs.models import Org
from sqdj.orgs.services import do_create_org
from sqdj.services import stats as workorder_stats
from sqdj.stats import services
from sqdj.testing import PASSWORD, guide_out_of_scope
from sqdj.volunteers import stats as volunteer_stats

from .conftest import AS_OF, add_member

URL = "/stats/"


def client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def district_admin(world):
    user = do_create_user("qu", password=PASSWORD, validate=False)
    do_grant_role(user, role="district_admin", org=world.district, descendants=True)
    return user


def list_count(c: Client, url: str) -> int:
    """The number of rows the list at `url` shows (exactly counted: the world is small)."""
    r = c.get(url, follow=True)
    assert r.status_code == 200, url
    assert r.context["total_exact"], url
    return r.context["total"]


def page_figures(r) -> list[tuple[str, int, str | None]]:
    """Every figure the page shows with its link: the tiles, the sections' rows, the child table's cells."""
    found = [(label, number, url) for label, number, url in r.context["tiles"]]
    for panel in r.context["panels"]:
        found += [(f"{panel['key']}:{label}", number, url) for label, number, url in panel["rows"]]
    for row in r.context["child_rows"]:
        found += [(f"{row['name']}:{i}", number, url) for i, (number, url) in enumerate(row["cells"])]
    return found


def assert_links_count(c: Client, params: dict) -> int:
    r = c.get(URL, params)
    assert r.status_code == 200
    checked, missing, counted = 0, [], {}
    for label, number, url in page_figures(r):
        if url is None:
            missing.append(label)
            continue
        if url not in counted:  # a link shown twice (a tile and its section's row) is followed once
            counted[url] = list_count(c, url)
        if isinstance(number, float):  # hours: a sum over the records of the list (its total: test_stats there)
            continue
        assert counted[url] == number, (label, url)
        checked += 1
    # the 两新组织 figures have no list (no units registry in this world), nor the volunteers' rate and the members
    # counted across their service records, nor the work orders' four rates and the requests' two
    allowed = {f"coverage:{services.COVERAGE_LABELS[k]}" for k in services.NEWORG_KEYS}
    allowed |= {f"volunteers:{volunteer_stats.LABELS[k]}" for k in volunteer_stats.UNLISTED}
    allowed |= {f"workorders:{label}" for label in workorder_stats.RATES}
    allowed |= {"requests:按时办结率（%）", "requests:满意率（%）"}  # the residents' requests' two rates
    assert set(missing) <= allowed, missing
    return checked


@pytest.mark.parametrize("as_of", [None, AS_OF])
def test_every_figure_links_to_a_list_of_that_count_district_admin(world, district_admin, as_of):
    params = {"org": "DWT01", **({"as_of": as_of.isoformat()} if as_of else {})}
    assert assert_links_count(client(district_admin), params) > 60
    if as_of:  # and one level down: the subdistrict with its communities
        assert assert_links_count(client(district_admin), {**params, "org": "GWT01001"}) > 60


@pytest.mark.parametrize("as_of", [None, AS_OF])
def test_every_figure_links_to_a_list_of_that_count_community_admin(world, as_of):
    params = {"org": "SQT1", **({"as_of": as_of.isoformat()} if as_of else {})}
    assert assert_links_count(client(world.admin1), params) > 60


def test_a_viewer_of_one_org_without_its_branches(world):
    """c1_only sees SQT1's own members only: the figures and the lists agree on that too."""
    assert assert_links_count(client(world.c1_only), {"org": "SQT1", "as_of": AS_OF.isoformat()}) > 40


def test_the_link_of_each_figure_kind(world, district_admin):
    """The filters are those of the lists, scoped to the org's subtree and the counted day."""
    r = client(district_admin).get(URL, {"org": "DWT01", "as_of": "2025-06-15"})
    links = {label: url for label, _n, url in page_figures(r)}
    query = {label: urlsplit(url).query for label, url in links.items() if url}
    assert query["党员总数"] == "org=DWT01&descendants=true&as_of=2025-06-15"
    assert query["by_category:流动党员"].endswith("&category=mobile")
    assert query["by_work_status:在职"].endswith("&work_status=employed")
    assert query["by_age_band:31至35岁"].endswith("&age_band=1")
    assert query["大专及以上学历党员"].endswith("&education=associate&education=bachelor&education=postgraduate")
    assert query["少数民族党员"].endswith("&ethnic_minority=true")
    assert urlsplit(links["党组织总数"]).path == "/orgs/"
    assert query["by_sector:社区"] == "org=DWT01&descendants=true&sector=community&as_of=2025-06-15"
    assert urlsplit(links["已建立党组织的社区数"]).path == "/areas/"


def test_the_table_per_child_org_adds_up(world, district_admin):
    for code, user in (("DWT01", district_admin), ("GWT01001", district_admin), ("SQT1", world.admin1)):
        org = Org.objects.select_related("area").get(code=code)
        for as_of in (AS_OF, dates.today()):
            stats = services.compute(org, user=user, as_of=as_of)
            table = services.children_table(org, user=user, as_of=as_of)
            members = stats["members"]
            expected = {k: members[k] for k in services.CHILD_FIGURES[1:]}
            assert table["total"] == {"organizations": stats["organizations"]["total"], **expected}, code
    street = Org.objects.get(code="GWT01001")
    table = services.children_table(street, user=district_admin, as_of=AS_OF)
    assert [(r["kind"], r["code"]) for r in table["rows"]] == [
        ("child", "SQT1"),
        ("child", "SQT2"),
        ("child", "ZBT3"),
        ("own", "GWT01001"),
    ]
    by_code = {r["code"]: r["figures"] for r in table["rows"]}
    assert by_code["GWT01001"]["total"] == 1  # member I, held by the street itself
    assert by_code["ZBT3"]["organizations"] == 0  # founded after AS_OF
    assert by_code["SQT1"]["probationary"] == 1  # P, confirmed only on 2025-07-01 (R joins after AS_OF)


def test_the_page_shows_the_table(world, district_admin):
    r = client(district_admin).get(URL, {"org": "GWT01001"})
    html = r.content.decode()
    assert 'id="stats-children"' in html and "本级直属" in html and "合计" in html
    assert [row["code"] for row in r.context["child_rows"]] == ["SQT1", "SQT2", "ZBT3", "GWT01001"]
    # a branch without subordinates has no table
    r = client(district_admin).get(URL, {"org": "ZBT2"})
    assert r.context["child_rows"] == [] and 'id="stats-children"' not in r.content.decode()


def test_the_table_is_read_in_a_constant_number_of_statements(world, district_admin):
    street = Org.objects.get(code="GWT01001")
    services.children_table(street, user=district_admin)  # the user's anchors read once
    with CaptureQueriesContext(connection) as few:
        services.children_table(street, user=district_admin)
    for i in range(6):
        child = do_create_org(
            acting_user=None, parent=street, code=f"ZBX{i}", name=f"中共测试第{i}党支部", type="branch"
        )
        add_member(child, 100 + i)
    street.refresh_from_db()
    with CaptureQueriesContext(connection) as many:
        table = services.children_table(street, user=district_admin)
    assert len(many) == len(few) <= 3  # PostgreSQL: one round trip (read_together)
    assert len(table["rows"]) == 3 + 6 + 1


def test_workbook_has_the_table_and_is_scoped(world, district_admin):
    r = client(district_admin).get(URL, {"org": "GWT01001", "as_of": "2025-06-15", "export": "xlsx"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["党建统计", "按下级党组织"]
    rows = list(wb["按下级党组织"].iter_rows(values_only=True))
    header = rows[2]
    assert header[:3] == ("下级党组织", "组织编码", "党组织总数")
    body = {row[1]: row for row in rows[3:-1]}
    assert set(body) == {"SQT1", "SQT2", "ZBT3", "GWT01001"}
    total = rows[-1]
    stats = services.compute(Org.objects.get(code="GWT01001"), user=district_admin, as_of=AS_OF)
    assert total[0] == "合计" and total[3] == stats["members"]["total"] == sum(row[3] for row in body.values())
    for code in ("DWT01", "SQT2"):  # out of admin1's scope
        assert client(world.admin1).get(URL, {"org": code, "export": "xlsx"}).status_code == 404


def test_pdf_is_an_a4_report_and_is_scoped(world, district_admin):
    r = client(district_admin).get(URL, {"org": "GWT01001", "as_of": "2025-06-15", "export": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(r.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = "".join(page.extract_text() for page in reader.pages)
    for word in ("党员总数", "下级党组织", "中共丙社区网格党支部", "本级直属", "合计", "2025-06-15"):
        assert word in text, word
    for code in ("DWT01", "SQT2", "NOPE"):
        assert client(world.admin1).get(URL, {"org": code, "export": "pdf"}).status_code == 404
    assert client(world.nobody).get(URL, {"org": "SQT1", "export": "pdf"}).status_code == 403


def test_cli_writes_the_pdf(world, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "统计.pdf"
    call_command("stats", "--org", "DWT01", "--as-of", "2025-06-15", "-o", str(out), stderr=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF")
    out = tmp_path / "统计.xlsx"
    call_command("stats", "--org", "DWT01", "-o", str(out), stderr=io.StringIO())
    assert load_workbook(out).sheetnames == ["党建统计", "按下级党组织"]


def test_a_guided_org_counts_the_same_on_its_org_page_and_its_statistics(world):
    """admin1's community org guides SQT2 (outside their scope): the org page shows SQT2's member count whole,
    and so does the statistics page — figures, not members: no member list is linked."""
    guide_out_of_scope(world)
    c = client(world.admin1)
    sqt2 = world.community2
    org_page = c.get(f"/orgs/{sqt2.pk}/")
    assert org_page.status_code == 200
    panel_count = next(p["member_count"] for p in org_page.context["plugin_panels"] if "member_count" in p)
    r = c.get(URL, {"org": sqt2.code})
    assert r.status_code == 200
    assert r.context["stats"]["members"]["total"] == panel_count == 5  # F G H Q T (S is deceased)
    assert panel_count == services.compute(sqt2, user=world.superuser)["members"]["total"]
    # the API and the command give the same object (one function)
    api = c.get("/api/v1/stats/", {"org": sqt2.code}).json()
    assert api["members"]["total"] == 5
    tiles = {label: url for label, _n, url in r.context["tiles"]}
    assert tiles["党员总数"] is None and tiles["党组织总数"] is not None
    # the organizations are listed through the guidance link: that count agrees too
    assert list_count(c, tiles["党组织总数"]) == r.context["stats"]["organizations"]["total"] == 2
    # the table per child: the guided branch, whole
    assert [row["code"] for row in r.context["child_rows"]] == ["ZBT2", "SQT2"]
    assert r.context["child_rows"][0]["figures"]["total"] == 5
    # the guide's own community stays counted as before
    own = services.compute(world.community1, user=world.admin1, as_of=datetime.date(2025, 6, 15))
    assert own["members"]["total"] == 6
