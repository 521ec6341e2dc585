"""Org.sector (领域, issue 13): required, defaulted by type, parent and area on create through every path (service,
form, import, API), editable, shown and filterable; an unknown sector in an import is a row error in Chinese and
nothing is written. The data migration (orgs.0003_org_sector) fills existing orgs the same way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sqdj.areas.services import do_create_area
from sqdj.core.models import ObjectChange
from sqdj.orgs.choices import SECTOR_LABELS, TERM_TYPES, OrgType, Sector, default_sector
from sqdj.orgs.importers import TEMPLATE_HEADERS, OrgImporter
from sqdj.orgs.models import Org
from sqdj.orgs.services import do_create_org
from sqdj.testing import build_world
from sqdj.testing.imports import run_import, write_csv
from sqdj.testing.migrations import migrate_to

pytestmark = pytest.mark.django_db
H = OrgImporter.headers


@pytest.fixture
def world():
    return build_world()


def sectors():
    return dict(Org.objects.values_list("code", "sector"))


def test_defaults_by_type_parent_and_area():
    assert default_sector(OrgType.DISTRICT_COMMITTEE) == Sector.GOVERNMENT
    assert default_sector(OrgType.SUBDISTRICT_COMMITTEE, Sector.GOVERNMENT) == Sector.SUBDISTRICT
    assert default_sector(OrgType.SUBDISTRICT_PARTY_COMMITTEE, Sector.GOVERNMENT) == Sector.SUBDISTRICT
    assert default_sector(OrgType.COMPREHENSIVE_COMMITTEE, Sector.SUBDISTRICT) == Sector.NON_PUBLIC_ENTERPRISE
    assert default_sector(OrgType.JOINT_BRANCH, Sector.NON_PUBLIC_ENTERPRISE) == Sector.JOINT
    assert default_sector(OrgType.MOBILE_BRANCH, Sector.NON_PUBLIC_ENTERPRISE) == Sector.MOBILE
    # a branch takes its primary-level parent's sector, wherever it is located
    assert default_sector(OrgType.BRANCH, Sector.NON_PUBLIC_ENTERPRISE, "grid") == Sector.NON_PUBLIC_ENTERPRISE
    assert default_sector(OrgType.GROUP, Sector.COMMUNITY) == Sector.COMMUNITY
    # under a street or district: from the area, else government under a 区委, else other
    assert default_sector(OrgType.GENERAL_BRANCH, Sector.SUBDISTRICT, "community") == Sector.COMMUNITY
    assert default_sector(OrgType.BRANCH, Sector.SUBDISTRICT, "village") == Sector.VILLAGE
    assert default_sector(OrgType.BRANCH, Sector.SUBDISTRICT, "office_building") == Sector.OFFICE_BUILDING
    assert default_sector(OrgType.COMMITTEE, Sector.SUBDISTRICT, "park") == Sector.PARK
    assert default_sector(OrgType.COMMITTEE, Sector.GOVERNMENT) == Sector.GOVERNMENT
    assert default_sector(OrgType.BRANCH, Sector.SUBDISTRICT) == Sector.OTHER
    assert set(SECTOR_LABELS) == set(Sector)


def test_service_fills_the_default_and_keeps_a_given_sector(world):
    assert sectors() == {
        "DWT01": "government", "GWT01001": "subdistrict", "SQT1": "community", "SQT2": "community",
        "ZBT1": "community", "ZBT2": "community", "XZT1": "community",
    }  # fmt: skip
    org = do_create_org(
        acting_user=None, parent=world.street, code="ZBU1", name="某医院党支部", type="branch", sector="institution"
    )
    assert org.sector == "institution"
    # created directly (fixtures, treebeard): Org.save() fills it too
    assert (
        Org.objects.add_child(world.branch1, instance=Org(code="XZT9", name="小组", type="group")).sector == "community"
    )


def test_subdistrict_party_committee_is_elected_beside_the_working_committee(world, tmp_path):
    assert OrgType.SUBDISTRICT_PARTY_COMMITTEE in TERM_TYPES and OrgType.SUBDISTRICT_COMMITTEE not in TERM_TYPES
    rows = [H, ["JDT2", "中共测试街道委员会", "街道党委", "DWT01", "", "", "2023-01-01", ""]]
    status, out = run_import("orgs", write_csv(tmp_path / "jd.csv", rows))
    assert status == 0, out
    org = Org.objects.get(code="JDT2")
    assert (org.type, org.sector) == ("subdistrict_party_committee", "subdistrict")
    # branches may sit under it, like under the 党工委
    do_create_org(acting_user=None, parent=org, code="ZBJ1", name="街道机关支部", type="branch")


def test_import_with_and_without_the_sector_column(world, tmp_path):
    rows = [
        H,
        ["ZHT1", "中共测试街道综合委员会", "综合党委", "GWT01001", "", "", "", ""],
        ["ZBQ1", "中共某公司支部委员会", "党支部", "ZHT1", "T01001001", "", "", ""],  # in 甲社区, yet an enterprise
        ["ZBQ2", "中共某协会支部委员会", "党支部", "ZHT1", "", "", "", "社会组织"],
    ]
    status, out = run_import("orgs", write_csv(tmp_path / "a.csv", rows))
    assert status == 0 and out["created"] == 3, out
    got = sectors()
    assert (got["ZHT1"], got["ZBQ1"], got["ZBQ2"]) == ("non_public_enterprise",) * 2 + ("social_organization",)
    # the same file again: unchanged (an empty cell keeps the sector)
    assert run_import("orgs", write_csv(tmp_path / "a.csv", rows))[1]["unchanged"] == 3
    # a change of the word updates the org
    rows[2][-1] = "国有企业"
    status, out = run_import("orgs", write_csv(tmp_path / "b.csv", rows))
    assert (status, out["updated"], out["unchanged"]) == (0, 1, 2) and sectors()["ZBQ1"] == "state_enterprise"
    # a file in the seven columns of interfaces.md §2 still imports, and keeps the sectors
    old = [TEMPLATE_HEADERS, *(r[:7] for r in rows[1:])]
    status, out = run_import("orgs", write_csv(tmp_path / "c.csv", old))
    assert status == 0 and out["unchanged"] == 3 and sectors()["ZBQ1"] == "state_enterprise"


def test_unknown_sector_is_a_row_error_and_nothing_is_written(world, tmp_path):
    before, changes = sectors(), ObjectChange.objects.count()
    rows = [
        H,
        ["ZBQ1", "中共某公司支部委员会", "党支部", "GWT01001", "", "", "", "非公企业"],
        ["SQT1", "中共甲社区总支部委员会", "党总支", "GWT01001", "T01001001", "", "", "机关"],
    ]
    status, out = run_import("orgs", write_csv(tmp_path / "bad.csv", rows))
    assert status == 1 and out["created"] == out["updated"] == 0
    (e,) = out["errors"]
    assert (e["row"], e["column"]) == (2, "所属领域") and "非公企业" in e["message"] and "非公有制企业" in e["message"]
    assert "不是可选的值" in e["message"]  # in Chinese, with the words to choose from
    assert sectors() == before and ObjectChange.objects.count() == changes


def test_export_writes_the_sector_last(world):
    header = OrgImporter.headers
    assert header[:7] == TEMPLATE_HEADERS and header[7] == "所属领域"
    rows = {r[0]: r for r in OrgImporter().export_rows(Org.objects.all())}
    assert rows["DWT01"][7] == "机关" and rows["GWT01001"][7] == "街道" and rows["ZBT1"][7] == "社区"


def test_api_defaults_validates_and_filters(world, client):
    client.force_login(world.superuser)
    r = client.post(
        "/api/v1/orgs/",
        {"code": "ZBU1", "name": "某公司支部", "type": "branch", "parent": "GWT01001"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["sector"] == "other"
    r = client.post(
        "/api/v1/orgs/",
        {"code": "ZBU2", "name": "某公司支部", "type": "branch", "parent": "GWT01001", "sector": "nowhere"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "sector" in r.json()
    r = client.patch(
        f"/api/v1/orgs/{Org.objects.get(code='ZBU1').pk}/",
        {"sector": "state_enterprise"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["sector"] == "state_enterprise"
    r = client.get("/api/v1/orgs/?sector=state_enterprise&sector=government")
    assert sorted(o["code"] for o in r.json()["results"]) == ["DWT01", "ZBU1"]


def test_form_leaves_it_to_the_type_on_create_and_requires_it_on_edit(world, client):
    client.force_login(world.superuser)
    data = {
        "code": "ZBT9",
        "name": "中共甲社区第九党支部",
        "type": "branch",
        "parent": world.community1.pk,
        "sector": "",
    }
    r = client.post(reverse("orgs:org_add"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    org = Org.objects.get(code="ZBT9")
    assert org.sector == "community"
    r = client.post(reverse("orgs:org_edit", args=[org.pk]), {**data, "parent": world.community1.pk})
    assert r.status_code == 200 and "sector" in r.context["form"].errors
    r = client.post(reverse("orgs:org_edit", args=[org.pk]), {**data, "sector": "park"})
    assert r.status_code == 302
    org.refresh_from_db()
    assert org.sector == "park"
    page = client.get(reverse("orgs:org", args=[org.pk])).content.decode()
    assert "园区" in page or "Park" in page
    listing = client.get(reverse("orgs:org_list") + "?sector=park")
    assert "ZBT9" in listing.content.decode() and "ZBT1" not in listing.content.decode()


@pytest.mark.django_db(transaction=True)
def test_migration_fills_existing_orgs_by_type_parent_and_area():
    w = build_world()
    grid = do_create_area(acting_user=None, parent=w.community_area1, code="T01001001001", name="网格", type="grid")
    zh = do_create_org(acting_user=None, parent=w.street, code="ZHT1", name="综合党委", type="comprehensive_committee")
    do_create_org(acting_user=None, parent=zh, code="ZBQ1", name="某公司支部", type="branch", area=grid)
    do_create_org(acting_user=None, parent=zh, code="LHT1", name="联合支部", type="joint_branch")
    do_create_org(acting_user=None, parent=w.street, code="ZBU1", name="街道直属支部", type="branch")
    try:
        apps = migrate_to([("orgs", "0002_path_statistics")])
        assert "sector" not in {f.name for f in apps.get_model("orgs", "Org")._meta.get_fields()}
    finally:
        apps = migrate_to()
    got = dict(apps.get_model("orgs", "Org").objects.values_list("code", "sector"))
    assert got == {
        "DWT01": "government", "GWT01001": "subdistrict", "SQT1": "community", "SQT2": "community",
        "ZBT1": "community", "ZBT2": "community", "XZT1": "community", "ZHT1": "non_public_enterprise",
        "ZBQ1": "non_public_enterprise", "LHT1": "joint", "ZBU1": "other",
    }  # fmt: skip
