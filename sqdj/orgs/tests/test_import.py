"""`sqdj import orgs` (interfaces.md §1–2): every bad input is a row-level Chinese error and writes nothing."""

import io
import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from sqdj.core.models import ObjectChange
from sqdj.orgs import services
from sqdj.orgs.importers import OrgImporter
from sqdj.orgs.models import Org
from sqdj.testing import build_world
from sqdj.testing.imports import run_import, write_csv, write_xlsx

H = OrgImporter.headers

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def snapshot():
    return list(Org.objects.order_by("path").values_list("code", "name", "type", "path", "area_id"))


def good_rows():
    return [
        H,
        ["SQT3", "中共丙社区支部委员会", "党支部", "GWT01001", "T01001002", "2020-05-01", "2023-06-01"],
        ["XZT3", "丙社区第一党小组", "党小组", "SQT3", "", "", ""],
    ]


def test_import_creates_then_same_file_is_unchanged(world, tmp_path):
    f = write_csv(tmp_path / "orgs.csv", good_rows())
    status, out = run_import("orgs", f)
    assert status == 0
    assert out == {
        "ok": True,
        "dry_run": False,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }
    sqt3 = Org.objects.get(code="SQT3")
    assert Org.objects.get_parent(sqt3).code == "GWT01001"
    assert Org.objects.get_parent(Org.objects.get(code="XZT3")) == sqt3
    assert str(sqt3.founded_on) == "2020-05-01" and sqt3.area.code == "T01001002"
    changes = ObjectChange.objects.count()
    status, out = run_import("orgs", f)
    assert status == 0 and (out["created"], out["updated"], out["unchanged"]) == (0, 0, 2)
    assert ObjectChange.objects.count() == changes


def test_dry_run_reports_and_writes_nothing(world, tmp_path):
    before = snapshot()
    status, out = run_import("orgs", write_csv(tmp_path / "o.csv", good_rows()), "--dry-run")
    assert status == 0 and out["dry_run"] is True and out["created"] == 2
    assert snapshot() == before


def test_update_and_move(world, tmp_path):
    rows = [H, ["XZT1", "甲社区党小组（改名）", "党小组", "ZBT2", "", "", ""]]
    status, out = run_import("orgs", write_csv(tmp_path / "o.csv", rows))
    assert status == 0 and out["updated"] == 1
    g = Org.objects.get(code="XZT1")
    assert g.name == "甲社区党小组（改名）" and Org.objects.get_parent(g).code == "ZBT2"


def test_xlsx_with_real_dates(world, tmp_path):
    import datetime

    rows = [H, ["SQT3", "中共丙社区支部委员会", "党支部", "GWT01001", "T01001002", datetime.datetime(2019, 3, 1), None]]
    status, out = run_import("orgs", write_xlsx(tmp_path / "o.xlsx", rows))
    assert status == 0, out
    assert str(Org.objects.get(code="SQT3").founded_on) == "2019-03-01"


BAD = [
    ("unknown parent", [["SQT3", "丙", "党支部", "NOPE", "", "", ""]], 2, "上级组织编码"),
    ("wrong type for parent", [["XZT9", "小组", "党小组", "DWT01", "", "", ""]], 2, "上级组织编码"),
    ("empty required cell", [["SQT3", "", "党支部", "GWT01001", "", "", ""]], 2, "组织名称"),
    ("formula cell", [["SQT3", "=CMD|' /C calc'!A0", "党支部", "GWT01001", "", "", ""]], 2, "组织名称"),
    ("unknown type", [["SQT3", "丙", "支部", "GWT01001", "", "", ""]], 2, "组织类别"),
    ("bad date", [["SQT3", "丙", "党支部", "GWT01001", "", "2020/13/45", ""]], 2, "成立日期"),
    ("unknown area", [["SQT3", "丙", "党支部", "GWT01001", "X999", "", ""]], 2, "所在区域编码"),
    ("non-root without parent", [["SQT3", "丙", "党支部", "", "", "", ""]], 2, "上级组织编码"),
    (
        "duplicate code",
        [["SQT3", "丙", "党支部", "GWT01001", "", "", ""], ["SQT3", "丁", "党支部", "GWT01001", "", "", ""]],
        3,
        "组织编码",
    ),
]


@pytest.mark.parametrize("name,rows,row,column", BAD, ids=[b[0] for b in BAD])
def test_bad_rows_are_rejected_whole(world, tmp_path, name, rows, row, column):
    before, changes = snapshot(), ObjectChange.objects.count()
    rows = [
        *rows,
        ["SQT8", "中共正常社区支部委员会", "党支部", "GWT01001", "", "", ""],
    ]  # a good row is not written either
    status, out = run_import("orgs", write_csv(tmp_path / "o.csv", [H, *rows]))
    assert status == 1
    assert out["ok"] is False and out["created"] == out["updated"] == out["unchanged"] == 0
    assert any(e["row"] == row and e["column"] == column for e in out["errors"]), out["errors"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in out["errors"]), out["errors"]
    assert snapshot() == before and ObjectChange.objects.count() == changes


def test_cycle_in_file_and_through_the_database(world, tmp_path):
    rows = [H, ["A1", "甲", "党支部", "B1", "", "", ""], ["B1", "乙", "党支部", "A1", "", "", ""]]
    status, out = run_import("orgs", write_csv(tmp_path / "o.csv", rows))
    assert status == 1 and {e["row"] for e in out["errors"]} >= {2, 3}
    # moving a node under its own descendant, which exists only in the database
    rows = [H, ["ZBT1", "中共甲社区第一党支部", "党支部", "XZT1", "", "", ""]]
    status, out = run_import("orgs", write_csv(tmp_path / "o2.csv", rows))
    assert status == 1 and out["errors"][0]["row"] == 2


def test_headers_missing_misspelled_extra_or_reordered(world, tmp_path):
    # H[:6] lacks 本届任期开始日期; H[:7] + 可审批预备党员 skips the 所属领域 it follows
    for headers in (H[:6], ["组织编号", *H[1:]], [*H, "备注"], [H[1], H[0], *H[2:]], [*H[:-2], H[-1], H[-2]],
                    [*H[:7], H[-1]]):  # fmt: skip
        status, out = run_import("orgs", write_csv(tmp_path / "o.csv", [headers]))
        assert status == 1 and out["errors"] and all(e["row"] == 1 for e in out["errors"]), (headers, out)


def test_gbk_csv_reports_chinese_errors_by_row(world, tmp_path):
    rows = [
        H,
        ["SQT3", "中共丙社区支部委员会", "党支部", "GWT01001", "", "", ""],
        ["XZT3", "丙社区党小组", "党小组", "不存在", "", "", ""],
    ]
    status, out = run_import("orgs", write_csv(tmp_path / "o.csv", rows, encoding="gbk"))
    assert status == 1 and out["errors"][0]["row"] == 3 and "不存在" in out["errors"][0]["message"]
    status, out = run_import("orgs", write_csv(tmp_path / "o.csv", rows[:2], encoding="gbk"))
    assert status == 0 and Org.objects.get(code="SQT3").name == "中共丙社区支部委员会"


def test_empty_and_non_spreadsheet_files(world, tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    (tmp_path / "b.xlsx").write_bytes(b"\x00\x01not a spreadsheet\x00")
    for f in ("e.csv", "b.xlsx"):
        status, out = run_import("orgs", tmp_path / f)
        assert status == 1 and out["errors"][0]["row"] == 0


def test_scope_of_the_importing_user(world, tmp_path):
    rows = [H, ["XZT9", "乙社区党小组", "党小组", "ZBT2", "", "", ""]]  # under the sibling community
    status, out = run_import("orgs", write_csv(tmp_path / "o.csv", rows), "--user", "admin1")
    assert status == 1 and out["errors"][0]["column"] == "上级组织编码"
    rows = [H, ["ZBT2", "改名", "党支部", "SQT2", "", "", ""]]  # an existing code outside the scope
    status, out = run_import("orgs", write_csv(tmp_path / "o.csv", rows), "--user", "admin1")
    assert status == 1 and out["errors"][0]["column"] == "组织编码"
    rows = [H, ["XZT9", "甲社区第二党小组", "党小组", "ZBT1", "", "", ""]]
    status, out = run_import("orgs", write_csv(tmp_path / "o.csv", rows), "--user", "admin1")
    assert status == 0 and out["created"] == 1
    assert ObjectChange.objects.first().user_name == "admin1"


def test_crash_mid_import_leaves_the_database_as_it_was(world, tmp_path):
    rows = [H, *[[f"XZN{i}", f"小组{i}", "党小组", "ZBT1", "", "", ""] for i in range(5)]]
    before, changes = snapshot(), ObjectChange.objects.count()
    real = services.do_create_org
    calls = []

    def flaky(**kw):
        calls.append(kw)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(**kw)

    out = io.StringIO()
    with mock.patch.object(services, "do_create_org", flaky), pytest.raises(CommandError) as failed:
        call_command("import", "orgs", str(write_csv(tmp_path / "o.csv", rows)), "--json", stdout=out)
    # an internal failure: exit 2 and one JSON object saying so (docs/cli.md), the cause on stderr
    assert failed.value.returncode == 2
    assert json.loads(out.getvalue())["code"] == "internal"
    assert isinstance(failed.value.__cause__, RuntimeError)
    assert len(calls) == 3
    assert snapshot() == before and ObjectChange.objects.count() == changes


def test_export_then_reimport_is_unchanged(world, tmp_path):
    for fmt in ("xlsx", "csv"):
        out = tmp_path / f"orgs.{fmt}"
        call_command("export", "orgs", "--org", "GWT01001", "--descendants", "-o", str(out), stderr=io.StringIO())
        status, result = run_import("orgs", out)
        assert status == 0 and result["unchanged"] == 6 and result["created"] == result["updated"] == 0
    ws = load_workbook(tmp_path / "orgs.xlsx").active
    assert [c.value for c in ws[1]] == H


def test_export_respects_the_users_scope(world, tmp_path):
    out = tmp_path / "o.csv"
    call_command(
        "export", "orgs", "--org", "SQT1", "--descendants", "-o", str(out), "--user", "admin1", stderr=io.StringIO()
    )
    text = out.read_text("utf-8-sig")
    assert "ZBT1" in text and "ZBT2" not in text

    with pytest.raises(CommandError):
        call_command("export", "orgs", "--org", "SQT2", "-o", str(out), "--user", "admin1", stderr=io.StringIO())


def test_unknown_kind_is_a_usage_error(tmp_path):
    f = write_csv(tmp_path / "x.csv", [H])
    with pytest.raises(CommandError) as exc:
        call_command("import", "nonsense", str(f))
    assert exc.value.returncode == 2
