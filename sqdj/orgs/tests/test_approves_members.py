"""Org.approves_members (具有审批预备党员权限, issue 13): filled by type and place on create through every path
(service, form, API), editable on the edit form and the API, shown on the org page; existing orgs filled the same way
by the data migration (orgs.0006). rules.md 4.15: a 党委 or 综合党委 under a 街道 cannot approve probationary
members."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from sqdj.orgs.choices import OrgType, default_approves_members
from sqdj.orgs.importers import TEMPLATE_HEADERS, OrgImporter
from sqdj.orgs.models import Org
from sqdj.orgs.services import do_create_org, do_update_org
from sqdj.testing import build_world
from sqdj.testing.imports import run_import, write_csv

pytestmark = pytest.mark.django_db
T = OrgType
H = OrgImporter.headers


@pytest.fixture
def world():
    w = build_world()
    # a unit's 党委 under the 区委, a 综合党委 and a community 党委 under the 街道党工委
    w.unit = do_create_org(acting_user=None, parent=w.district, code="QYT1", name="中共某公司委员会", type="committee")
    w.zh = do_create_org(
        acting_user=None, parent=w.street, code="ZHT1", name="综合党委", type="comprehensive_committee"
    )
    w.sq = do_create_org(acting_user=None, parent=w.street, code="SQT9", name="中共丙社区委员会", type="committee")
    return w


def flags() -> dict[str, bool]:
    return dict(Org.objects.values_list("code", "approves_members"))


EXPECTED = {
    "DWT01": True,  # 区委
    "GWT01001": True,  # 街道党工委
    "QYT1": True,  # a 党委 under the 区委
    "ZHT1": False,  # a 综合党委 under the 街道 (4.15)
    "SQT9": False,  # a community's 党委 under the 街道 (4.15)
    "SQT1": False,  # 党总支: none since 2014
    "SQT2": False,
    "ZBT1": False,
    "ZBT2": False,
    "XZT1": False,
}


def test_defaults_by_type_and_place():
    assert default_approves_members(T.CITY_COMMITTEE) and default_approves_members(T.DISTRICT_COMMITTEE)
    for t in (T.SUBDISTRICT_COMMITTEE, T.SUBDISTRICT_PARTY_COMMITTEE):
        assert default_approves_members(t, [T.DISTRICT_COMMITTEE])
    for t in (T.COMMITTEE, T.COMPREHENSIVE_COMMITTEE):
        assert default_approves_members(t, [T.DISTRICT_COMMITTEE])
        assert not default_approves_members(t, [T.DISTRICT_COMMITTEE, T.SUBDISTRICT_PARTY_COMMITTEE])
    for t in (T.GENERAL_BRANCH, T.BRANCH, T.JOINT_BRANCH, T.GROUP):
        assert not default_approves_members(t, [T.DISTRICT_COMMITTEE])


def test_service_fills_it_and_it_stays_editable(world):
    assert flags() == EXPECTED
    # a 党总支 granted the authority by the county committee; a committee that lost it
    do_update_org(world.community1, acting_user=None, approves_members=True)
    do_update_org(world.unit, acting_user=None, approves_members=False)
    world.community1.refresh_from_db()
    world.unit.refresh_from_db()
    assert world.community1.approves_members and not world.unit.approves_members
    # a given value on create wins over the default
    org = do_create_org(acting_user=None, parent=world.district, code="QYT2", name="某党委", type="committee",
                        approves_members=False)  # fmt: skip
    assert org.approves_members is False


def test_migration_fills_existing_orgs_the_same_way(world):
    Org.objects.update(approves_members=False)
    module = importlib.import_module("sqdj.orgs.migrations.0006_org_approves_members")
    module.fill(apps, None)
    assert flags() == EXPECTED


def test_api_defaults_and_changes_it(world, client):
    client.force_login(world.superuser)
    r = client.post(
        "/api/v1/orgs/",
        {"code": "QYT3", "name": "中共某集团委员会", "type": "committee", "parent": "DWT01"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["approves_members"] is True
    r = client.patch(
        f"/api/v1/orgs/{world.community1.pk}/", {"approves_members": True}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["approves_members"] is True


def test_form_leaves_it_to_the_type_on_create_and_edits_it(world, client):
    client.force_login(world.superuser)
    add = client.get(reverse("orgs:org_add"))
    assert "approves_members" not in add.context["form"].fields
    data = {
        "code": "ZBT9",
        "name": "中共甲社区第九党支部",
        "type": "branch",
        "parent": world.community1.pk,
        "sector": "",
    }
    assert client.post(reverse("orgs:org_add"), data).status_code == 302
    org = Org.objects.get(code="ZBT9")
    assert org.approves_members is False
    edit = {**data, "sector": "community", "approves_members": "on"}
    assert client.post(reverse("orgs:org_edit", args=[org.pk]), edit).status_code == 302
    org.refresh_from_db()
    assert org.approves_members is True
    page = client.get(reverse("orgs:org", args=[world.street.pk])).content.decode()
    assert "可审批预备党员" in page or "may approve probationary members" in page


def test_import_column_is_optional_and_checked(world, tmp_path):
    rows = [
        H,
        ["SQT1", "中共甲社区总支部委员会", "党总支", "GWT01001", "T01001001", "", "", "社区", "是"],  # granted
        ["QYT4", "中共某医院委员会", "党委", "DWT01", "", "", "", "事业单位", ""],  # empty: the default
        ["QYT5", "中共某学校委员会", "党委", "DWT01", "", "", "", "事业单位", "否"],
    ]
    status, out = run_import("orgs", write_csv(tmp_path / "a.csv", rows))
    assert status == 0 and (out["created"], out["updated"]) == (2, 1), out
    got = flags()
    assert (got["SQT1"], got["QYT4"], got["QYT5"]) == (True, True, False)
    # a file without the column (interfaces.md §2's, or with 所属领域 only) keeps what is there
    for headers in (TEMPLATE_HEADERS, H[:8]):
        old = [headers, *(r[: len(headers)] for r in rows[1:])]
        status, out = run_import("orgs", write_csv(tmp_path / "b.csv", old))
        assert status == 0 and out["unchanged"] == 3, out
    assert flags() == got


def test_import_unknown_word_is_a_row_error_and_nothing_is_written(world, tmp_path):
    before = flags()
    rows = [H, ["SQT1", "中共甲社区总支部委员会", "党总支", "GWT01001", "T01001001", "", "", "社区", "可以"]]
    status, out = run_import("orgs", write_csv(tmp_path / "bad.csv", rows))
    assert status == 1 and out["created"] == out["updated"] == 0
    (e,) = out["errors"]
    assert (e["row"], e["column"]) == (2, "可审批预备党员") and "可以" in e["message"] and "是、否" in e["message"]
    assert flags() == before
