"""`sqdj import areas` (interfaces.md §1–2)."""

import pytest

from sqdj.areas.importers import AreaImporter
from sqdj.areas.models import Area
from sqdj.testing import build_world
from sqdj.testing.imports import run_import, write_csv, write_xlsx

H = AreaImporter.headers
pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def snapshot():
    return list(Area.objects.order_by("path").values_list("code", "name", "type", "path"))


def test_a_new_district_tree_from_xlsx_and_again_unchanged(tmp_path):
    rows = [
        H,
        ["110101", "东城区", "区", ""],
        ["110101001", "东华门街道", "街道", "110101"],
        ["110101001001", "多福巷社区", "社区", "110101001"],
        ["11010100100101", "第一网格", "网格", "110101001001"],
    ]
    f = write_xlsx(tmp_path / "a.xlsx", rows)
    assert run_import("areas", f)[1]["created"] == 4
    assert Area.objects.get(code="11010100100101").depth == 4
    status, out = run_import("areas", f)
    assert status == 0 and out["unchanged"] == 4


@pytest.mark.parametrize(
    "rows,row,column",
    [
        ([["T01001003", "丙社区", "社区", "T0"]], 2, "上级区域编码"),  # unknown parent
        ([["T01001003", "丙社区", "楼栋", "T01"]], 2, "上级区域编码"),  # a building directly under a district
        ([["T01001003", "丙社区", "社区", ""]], 2, "上级区域编码"),  # only 市/区 may be a top node
        ([["T01001003", "丙社区", "乡镇", "T01001"]], 2, "区域类型"),  # not a template word (村 is one now)
        ([["T01001003", "", "社区", "T01001"]], 2, "区域名称"),  # empty required cell
        ([["T01001003", "=A1", "社区", "T01001"]], 2, "区域名称"),  # formula
        ([["T01001003", "丙", "社区", "T01001"], ["T01001003", "丁", "社区", "T01001"]], 3, "区域编码"),  # duplicate
        ([["X1", "甲", "网格", "X2"], ["X2", "乙", "网格", "X1"]], 2, "上级区域编码"),  # cycle
    ],
)
def test_bad_rows(world, tmp_path, rows, row, column):
    before = snapshot()
    status, out = run_import("areas", write_csv(tmp_path / "a.csv", [H, *rows], encoding="gbk"))
    assert status == 1 and out["created"] == 0
    assert any(e["row"] == row and e["column"] == column for e in out["errors"]), out["errors"]
    assert snapshot() == before


def test_extra_column_is_rejected(world, tmp_path):
    status, out = run_import("areas", write_csv(tmp_path / "a.csv", [[*H, "备注"], ["T9", "甲", "区", "", "x"]]))
    assert status == 1 and out["errors"][0]["row"] == 1 and "备注" in out["errors"][0]["message"]


def test_value_beyond_the_last_column_is_rejected(world, tmp_path):
    status, out = run_import("areas", write_csv(tmp_path / "a.csv", [H, ["T9", "甲", "区", "", "多余"]]))
    assert status == 1 and out["errors"][0]["row"] == 2


def test_community_admin_may_add_only_inside_their_community(world, tmp_path):
    rows = [H, ["T0100100101", "甲社区第一网格", "网格", "T01001001"]]
    assert run_import("areas", write_csv(tmp_path / "a.csv", rows), "--user", "admin1")[0] == 0
    rows = [H, ["T0100100201", "乙社区第一网格", "网格", "T01001002"]]
    status, out = run_import("areas", write_csv(tmp_path / "b.csv", rows), "--user", "admin1")
    assert status == 1 and out["errors"][0]["column"] == "上级区域编码"
