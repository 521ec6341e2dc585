"""`sqdj import members` and `sqdj export members` (interfaces.md §1–2; security.md R37, R38, R42, R43).

Every bad input is rejected whole with a Chinese message naming the row and the column, and writes nothing;
the ID number is the key; a second import of the same file changes nothing; exports mask the personal data
unless given a reason and the user may reveal it (test_export_reveal.py), and a masked export cannot overwrite
real numbers.
"""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from openpyxl import load_workbook

from bench.import_members import member_rows
from bench.import_members import write_csv as write_members_csv
from sqdj.core import idnumber, pii
from sqdj.core.context import acting_as
from sqdj.core.models import ObjectChange
from sqdj.members import services
from sqdj.members.importers import MemberImporter
from sqdj.members.models import Member, MembershipEvent, name_pinyin
from sqdj.orgs.models import Org
from sqdj.testing import build_world
from sqdj.testing.imports import (
    kill_while_writing,
    run_import,
    small_city_codes,
    small_city_on_its_own,
    write_csv,
    write_xlsx,
)
from sqdj.testing.members import make_id_number, member_data

H = MemberImporter.headers
BIRTH = datetime.date(1970, 5, 4)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def row(seq: int = 1, **over) -> list:
    """A valid row of a full member held by ZBT1 (甲社区第一党支部); `over` replaces cells by header."""
    birth = over.pop("birth", BIRTH)
    values = {
        "姓名": "张三丰",
        "性别": "男",
        "民族": "汉族",
        "公民身份号码": make_id_number(birth, seq),
        "出生日期": birth.isoformat(),
        "学历": "大学本科",
        "人员类别": "正式党员",
        "入党日期": "1995-07-01",
        "转正日期": "1996-07-01",
        "党员分类": "在职党员",
        "所在党组织编码": "ZBT1",
        "居住区域编码": "T01001001",
        "联系电话": f"1381234{seq:04d}",
        "工作单位": "天津市某单位",
        "工作状况": "",  # optional: empty, the work status 党员分类 tells
    }
    values.update(over)
    assert set(values) == set(H)
    return [values[h] for h in H]


def rows(n: int = 3, **over) -> list[list]:
    return [H, *(row(i, **over) for i in range(1, n + 1))]


def state():
    """What an import could change: the roll, its ledger and the change log."""
    return (
        sorted(
            Member.objects.values_list(
                "id_number_index", "name", "org_id", "home_area_id", "phone_index", "work_unit", "category",
                "member_type", "confirmed_on", "last_updated",
            )
        ),
        MembershipEvent.objects.count(),
        ObjectChange.objects.count(),
    )  # fmt: skip


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# ---- good files ------------------------------------------------------------------------------------------------
def test_import_creates_then_same_file_is_unchanged(world, tmp_path):
    f = write_csv(tmp_path / "m.csv", rows(3))
    status, out = run_import("members", f)
    assert status == 0, out
    assert out == {"ok": True, "dry_run": False, "created": 3, "updated": 0, "unchanged": 0, "errors": [],
                   "warnings": []}  # fmt: skip
    m = Member.objects.get(id_number_index=Member.index_of_id_number(make_id_number(BIRTH, 2)))
    assert (m.name, m.sex, m.ethnicity, m.birth_date, m.education, m.member_type, m.category) == (
        "张三丰", "male", "汉族", BIRTH, "bachelor", "full", "employed",
    )  # fmt: skip
    assert (m.org, m.home_area, m.phone, m.work_unit) == (
        world.branch1,
        world.community_area1,
        "13812340002",
        "天津市某单位",
    )
    assert (m.name_pinyin, m.name_initials, m.id_number) == ("zhangsanfeng", "zsf", make_id_number(BIRTH, 2))
    assert list(m.events.values_list("kind", "date", "org")) == [
        ("joined", datetime.date(1995, 7, 1), world.branch1.pk),
        ("confirmed", datetime.date(1996, 7, 1), world.branch1.pk),
    ]
    before = state()
    status, out = run_import("members", f)
    assert status == 0 and (out["created"], out["updated"], out["unchanged"]) == (0, 0, 3)
    assert state() == before  # no write at all, no change-log row


def test_xlsx_with_real_dates_and_a_lower_case_x(world, tmp_path):
    birth = datetime.date(1980, 2, 29)
    idn = next(make_id_number(birth, s) for s in range(1, 400) if make_id_number(birth, s).endswith("X"))
    r = row(1, birth=birth)
    r[H.index("公民身份号码")] = idn.lower()
    r[H.index("出生日期")] = datetime.datetime(1980, 2, 29)
    r[H.index("入党日期")] = datetime.date(2005, 6, 1)
    r[H.index("转正日期")] = datetime.date(2006, 6, 1)
    status, out = run_import("members", write_xlsx(tmp_path / "m.xlsx", [H, r]))
    assert status == 0, out
    m = Member.objects.get()
    assert m.id_number == idn and m.birth_date == birth and m.confirmed_on == datetime.date(2006, 6, 1)


def test_a_veteran_who_joined_before_the_encoded_rules(world, tmp_path):
    veteran = row(1, birth=datetime.date(1935, 3, 2), **{"入党日期": "1955-07-01", "转正日期": "1956-07-01",
                                                         "党员分类": "离休干部党员"})  # fmt: skip
    status, out = run_import("members", write_csv(tmp_path / "m.csv", [H, veteran]))
    assert status == 0 and out["created"] == 1, out


def test_same_id_number_updates_that_member(world, tmp_path):
    run_import("members", write_csv(tmp_path / "a.csv", rows(3)))
    changed = rows(3)
    changed[2][H.index("工作单位")] = "新的单位"
    changed[2][H.index("党员分类")] = "退休职工党员"
    changed[2][H.index("所在党组织编码")] = "XZT1"
    changes = ObjectChange.objects.count()
    status, out = run_import("members", write_csv(tmp_path / "b.csv", changed), "--user", "admin1")
    assert status == 0, out
    assert (out["created"], out["updated"], out["unchanged"]) == (0, 1, 2)
    m = Member.objects.get(id_number_index=Member.index_of_id_number(make_id_number(BIRTH, 2)))
    assert (m.work_unit, m.category, m.org) == ("新的单位", "retired", world.group1)
    assert Member.objects.count() == 3 and ObjectChange.objects.count() == changes + 1
    oc = ObjectChange.objects.order_by("-pk").first()
    assert (oc.action, oc.object_id, oc.user, oc.user_name) == ("update", m.pk, world.admin1, "admin1")
    assert oc.diff() == {
        "work_unit": ("天津市某单位", "新的单位"),
        "work_status": ("employed", "retired"),
        "category": ("employed", "retired"),
        "org": (world.branch1.pk, world.group1.pk),
    }
    kinds = list(m.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["joined", "confirmed", "transferred_out", "transferred_in"]  # a category is no count (issue 13)
    assert m.last_updated > m.created


def test_bulk_writes_the_rows_the_services_write(world, tmp_path):
    """The importer's bulk path and do_create_member leave the same member, ledger and change-log rows."""
    with acting_as(world.admin1):
        by_service = services.do_create_member(acting_user=world.admin1, **member_data(world.branch1, seq=7,
                                               home_area=world.community_area1))  # fmt: skip
    r = row(8, **{"联系电话": "13812340007"})
    status, out = run_import("members", write_csv(tmp_path / "m.csv", [H, r]), "--user", "admin1")
    assert status == 0, out
    by_import = Member.objects.exclude(pk=by_service.pk).get()
    by_service = Member.objects.get(pk=by_service.pk)

    def columns(m):
        skip = {"id", "id_number", "id_number_index", "id_number_suffix_index", "created", "last_updated"}
        return {f.attname: getattr(m, f.attname) for f in Member._meta.concrete_fields if f.attname not in skip}

    assert columns(by_import) == columns(by_service)
    assert by_import.id_number_index == Member.index_of_id_number(by_import.id_number)
    assert by_import.created is not None and by_import.last_updated is not None

    def log(m):
        oc = ObjectChange.objects.get(object_id=m.pk, content_type__model="member")
        return oc, {k: v for k, v in oc.__dict__.items() if k not in ("_state", "id", "time", "object_id",
                                                                         "request_id", "postchange_data")}  # fmt: skip

    (oc_i, meta_i), (oc_s, meta_s) = log(by_import), log(by_service)
    assert meta_i == meta_s and oc_i.request_id is not None
    assert oc_i.postchange_data == by_import.snapshot()  # what the post_save signal would have written
    assert set(oc_i.postchange_data) == set(oc_s.postchange_data)
    assert {k: v for k, v in oc_i.postchange_data.items() if k != "id_number"} == {
        k: v for k, v in oc_s.postchange_data.items() if k != "id_number"
    }

    def ledger(m):
        return list(m.events.order_by("pk").values_list("kind", "date", "org_id", "note", "created_by_id"))

    assert ledger(by_import) == ledger(by_service)


def test_dry_run_reports_counts_and_writes_nothing(world, tmp_path):
    before = state()
    status, out = run_import("members", write_csv(tmp_path / "m.csv", rows(3)), "--dry-run")
    assert status == 0 and out["dry_run"] is True and out["created"] == 3
    assert state() == before


def test_warnings_do_not_block(world, tmp_path):
    odd = row(1, **{"公民身份号码": idnumber.compose("999999", BIRTH, 1), "居住区域编码": "T01001"})
    status, out = run_import("members", write_csv(tmp_path / "m.csv", [H, odd]))
    assert status == 0 and out["created"] == 1
    assert {(w["row"], w["column"]) for w in out["warnings"]} == {(2, "公民身份号码"), (2, "居住区域编码")}
    assert all(chinese(w["message"]) for w in out["warnings"]), out["warnings"]


def test_progress_is_reported_while_writing(world):
    seen = []
    data = "\n".join(",".join(r) for r in rows(5)).encode()
    importer = MemberImporter(user=None)
    importer.batch_size = 2
    result = importer.run(data, "m.csv", progress=lambda done, total, stage="write": seen.append((stage, done, total)))
    assert result.ok and result.created == 5
    assert [s for s in seen if s[0] == "write"] == [("write", 2, 5), ("write", 4, 5), ("write", 5, 5)]


# ---- in chunks (issue 11): the same results when the file is read, checked and written a few rows at a time ------
@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(MemberImporter, "chunk_size", 2)


def test_in_chunks_creates_updates_and_reimports_unchanged(world, tmp_path, small_chunks):
    f = write_xlsx(tmp_path / "m.xlsx", rows(5))
    status, out = run_import("members", f, "--dry-run")
    assert status == 0 and out["created"] == 5 and not Member.objects.exists()
    status, out = run_import("members", f)
    assert status == 0 and (out["created"], out["updated"], out["unchanged"]) == (5, 0, 0)
    assert Member.objects.count() == 5 and MembershipEvent.objects.count() == 10
    before = state()
    status, out = run_import("members", f)
    assert status == 0 and (out["created"], out["updated"], out["unchanged"]) == (0, 0, 5)
    assert state() == before
    changed = [H, *(row(i) for i in range(1, 5)), row(5, **{"工作单位": "新单位"}), row(6)]
    status, out = run_import("members", write_csv(tmp_path / "m.csv", changed))
    assert status == 0 and (out["created"], out["updated"], out["unchanged"]) == (1, 1, 4)


def test_in_chunks_a_duplicate_far_apart_names_the_first_row(world, tmp_path, small_chunks):
    data = [H, *(row(i) for i in range(1, 6)), row(2, **{"姓名": "李四"})]  # row 7 repeats row 3, two chunks on
    status, out = run_import("members", write_csv(tmp_path / "m.csv", data))
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(7, "公民身份号码")]
    assert "3" in out["errors"][0]["message"]
    assert not Member.objects.exists()


def test_in_chunks_a_bad_last_row_rejects_the_whole_file(world, tmp_path, small_chunks):
    before = state()
    data = [H, *(row(i) for i in range(1, 6)), row(6, **{"性别": "未知"})]
    status, out = run_import("members", write_csv(tmp_path / "m.csv", data))
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(7, "性别")]
    assert state() == before


def test_in_chunks_the_scope_is_checked_in_every_chunk(world, tmp_path, small_chunks):
    data = [H, *(row(i) for i in range(1, 5)), row(5, **{"所在党组织编码": "ZBT2"})]  # ZBT2: not admin1's
    status, out = run_import("members", write_csv(tmp_path / "m.csv", data), "--user", "admin1")
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(6, "所在党组织编码")]
    assert not Member.objects.exists()


def test_in_chunks_progress_counts_the_whole_file(world, small_chunks):
    seen = []
    data = "\n".join(",".join(r) for r in rows(5)).encode()
    result = MemberImporter(user=None).run(
        data, "m.csv", progress=lambda done, total, stage="write": seen.append((stage, done, total))
    )
    assert result.ok and result.created == 5
    assert [s for s in seen if s[0] == "check"] == [("check", n, 5) for n in range(1, 6)]
    assert [s for s in seen if s[0] == "write"] == [("write", n, 5) for n in (2, 4, 5)]


@override_settings(SQDJ_IMPORT_MAX_MESSAGES=3)
def test_only_the_first_errors_are_listed_with_a_count_of_the_rest(world, tmp_path):
    data = [H, *(row(i, **{"性别": "未知"}) for i in range(1, 8))]
    status, out = run_import("members", write_csv(tmp_path / "m.csv", data))
    assert status == 1 and out["errors_total"] == 7
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(2, "性别"), (3, "性别"), (4, "性别"), (0, "")]
    assert "4" in out["errors"][-1]["message"] and chinese(out["errors"][-1]["message"])
    text = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import", "members", str(tmp_path / "m.csv"), stdout=text)
    assert "7" in text.getvalue().splitlines()[-1]  # "未导入：发现 7 个问题…"


# ---- bad files -------------------------------------------------------------------------------------------------
def _id(seq=2, birth=BIRTH):
    return make_id_number(birth, seq)


YOUNG = datetime.date(1990, 3, 15)
BAD = [
    # name, cells of the bad row (row 3), user, column
    ("bad checksum", {"公民身份号码": _id()[:17] + ("0" if _id()[17] != "0" else "1")}, None, "公民身份号码"),
    ("too short id", {"公民身份号码": _id()[:15]}, None, "公民身份号码"),
    ("birth date not matching the ID", {"出生日期": "1970-05-05"}, None, "出生日期"),
    (
        "under 18 at joining",
        {"birth": YOUNG, "入党日期": "2008-03-14", "转正日期": "2009-03-14"},
        None,
        "入党日期",
    ),
    ("confirmed before joining", {"转正日期": "1995-06-01"}, None, "转正日期"),
    ("confirmed before the probation ends", {"转正日期": "1996-01-01"}, None, "转正日期"),
    ("confirmation date of a probationary member", {"人员类别": "预备党员"}, None, "转正日期"),
    ("full member without confirmation date", {"转正日期": ""}, None, "转正日期"),
    ("unknown org code", {"所在党组织编码": "NOPE99"}, None, "所在党组织编码"),
    ("org outside the user's scope", {"所在党组织编码": "ZBT2"}, "admin1", "所在党组织编码"),
    ("unknown home area", {"居住区域编码": "X999"}, None, "居住区域编码"),
    ("home area outside the user's scope", {"居住区域编码": "T01001002"}, "admin1", "居住区域编码"),
    ("empty required cell", {"姓名": ""}, None, "姓名"),
    ("unknown sex", {"性别": "M"}, None, "性别"),
    ("unknown education", {"学历": "本科"}, None, "学历"),
    ("unknown ethnic group", {"民族": "汉"}, None, "民族"),
    ("bad date", {"入党日期": "1995/13/45"}, None, "入党日期"),
    ("bad phone", {"联系电话": "12345"}, None, "联系电话"),
    ("formula cell", {"工作单位": "=CMD|' /C calc'!A0"}, None, "工作单位"),
    ("masked ID number", {"公民身份号码": "120101********0053"}, None, "公民身份号码"),
    ("masked phone number", {"联系电话": "138****0002"}, None, "联系电话"),
]


@pytest.mark.parametrize("name,cells,user,column", BAD, ids=[b[0] for b in BAD])
def test_bad_rows_are_rejected_whole(world, tmp_path, name, cells, user, column):
    before = state()
    data = [H, row(1), row(2, **cells), row(3)]  # the good rows are not written either
    args = ("--user", user) if user else ()
    status, out = run_import("members", write_csv(tmp_path / "m.csv", data), *args)
    assert status == 1, out
    assert out["ok"] is False and out["created"] == out["updated"] == out["unchanged"] == 0
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(3, column)], out["errors"]
    assert all(chinese(e["message"]) for e in out["errors"]), out["errors"]
    assert state() == before


def test_a_viewer_may_not_import(world, tmp_path):
    before = state()
    status, out = run_import("members", write_csv(tmp_path / "m.csv", rows(3)), "--user", "viewer1")
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [
        (n, "所在党组织编码") for n in (2, 3, 4)
    ]
    assert state() == before


def test_unknown_and_out_of_scope_org_look_alike(world, tmp_path):
    messages = []
    for code in ("ZBT2", "ZBT9"):  # ZBT2 exists, under the sibling community
        status, out = run_import("members", write_csv(tmp_path / "m.csv", rows(1, **{"所在党组织编码": code})),
                                 "--user", "admin1")  # fmt: skip
        assert status == 1
        messages.append(out["errors"][0]["message"].replace(code, "CODE"))
    assert messages[0] == messages[1]


def test_duplicate_id_within_the_file_names_the_first_row(world, tmp_path):
    data = [H, row(1), row(2), row(3), row(2, **{"姓名": "李四"})]
    status, out = run_import("members", write_csv(tmp_path / "m.csv", data))
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(5, "公民身份号码")]
    assert "3" in out["errors"][0]["message"] and chinese(out["errors"][0]["message"])
    assert not Member.objects.exists()


def test_a_number_on_the_roll_outside_the_scope_is_not_taken_over(world, tmp_path):
    services.do_create_member(acting_user=None, **member_data(world.branch2, seq=2))
    before = state()
    status, out = run_import("members", write_csv(tmp_path / "m.csv", rows(3)), "--user", "admin1")
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(3, "公民身份号码")]
    assert chinese(out["errors"][0]["message"])
    assert state() == before


def test_xlsx_formula_cell_is_rejected(world, tmp_path):
    r = row(1, **{"工作单位": "=CMD|' /C calc'!A0"})
    status, out = run_import("members", write_xlsx(tmp_path / "m.xlsx", [H, r]))
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(2, "工作单位")]
    assert not Member.objects.exists()


def test_headers_missing_misspelled_extra_or_reordered(world, tmp_path):
    missing = H[:-2] + H[-1:]  # 工作单位 missing (工作状况, the last, is optional)
    for headers in (missing, ["名字", *H[1:]], [*H, "备注"], [H[1], H[0], *H[2:]], H[:3] + ["身份证号"] + H[4:]):
        status, out = run_import("members", write_csv(tmp_path / "m.csv", [headers, row(1)]))
        assert status == 1 and out["errors"] and all(e["row"] == 1 for e in out["errors"]), (headers, out)
        assert all(chinese(e["message"]) for e in out["errors"]), out["errors"]
    assert not Member.objects.exists()


def test_gbk_csv_works_and_reports_chinese_errors(world, tmp_path):
    bad = [H, row(1, **{"姓名": "欧阳娜娜"}), row(2, **{"民族": "火星族"})]
    status, out = run_import("members", write_csv(tmp_path / "m.csv", bad, encoding="gbk"))
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(3, "民族")]
    assert chinese(out["errors"][0]["message"])
    status, out = run_import("members", write_csv(tmp_path / "m.csv", bad[:2], encoding="gbk"))
    assert status == 0 and Member.objects.get().name == "欧阳娜娜"


def test_empty_file_non_spreadsheet_and_header_only(world, tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    (tmp_path / "b.xlsx").write_bytes(b"\x00\x01not a spreadsheet\x00")
    (tmp_path / "z.xlsx").write_bytes(b"PK\x03\x04 a broken zip")
    write_csv(tmp_path / "h.csv", [H])
    for f in ("e.csv", "b.xlsx", "z.xlsx", "h.csv"):
        status, out = run_import("members", tmp_path / f)
        assert status == 1 and out["errors"][0]["row"] == 0 and chinese(out["errors"][0]["message"]), (f, out)
    assert not Member.objects.exists()


def test_50_mb_file_is_rejected_before_reading(world, tmp_path):
    f = tmp_path / "big.csv"
    line = ",".join(row(1)).encode() + b"\n"
    with f.open("wb") as out:
        out.write(",".join(H).encode() + b"\n")
        out.write(line * (50 * 2**20 // len(line) + 1))
    assert f.stat().st_size > 50 * 2**20
    status, out = run_import("members", f)
    assert status == 1 and out["errors"][0]["row"] == 0 and "MB" in out["errors"][0]["message"]
    assert chinese(out["errors"][0]["message"]) and not Member.objects.exists()
    with override_settings(SQDJ_IMPORT_MAX_BYTES=2**20):  # and the limit is the setting's
        status, out = run_import("members", write_csv(tmp_path / "m.csv", rows(3)))
        assert status == 0


# ---- export ----------------------------------------------------------------------------------------------------
def _export(tmp_path, name, *args) -> list[list]:
    f = tmp_path / name
    call_command("export", "members", "--org", "SQT1", "--descendants", "-o", str(f), *args, stderr=io.StringIO())
    if f.suffix == ".csv":
        import csv

        return list(csv.reader(io.StringIO(f.read_bytes().decode("utf-8-sig"))))
    ws = load_workbook(f, read_only=True).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_export_masks_unless_the_user_may_reveal(world, tmp_path):
    run_import("members", write_csv(tmp_path / "m.csv", rows(3)))
    services.do_create_member(acting_user=None, **member_data(world.branch2, seq=9))  # another community
    full_id, full_phone = make_id_number(BIRTH, 1), "13812340001"
    why = ("--reveal-reason", "换届核对")
    for name, args, masked in (
        ("operator.xlsx", (), True),  # the console without --user: masked
        ("viewer.csv", ("--user", "viewer1", *why), True),  # may view, may not reveal
        ("admin.xlsx", ("--user", "admin1"), True),  # may reveal, but gave no reason
        ("root.csv", ("--user", "root"), True),  # not even the superuser without a reason
        ("admin-why.xlsx", ("--user", "admin1", *why), False),
        ("root-why.csv", ("--user", "root", *why), False),
    ):
        table = _export(tmp_path, name, *args)
        assert table[0] == H and len(table) == 4, (name, table)
        ids = [r[H.index("公民身份号码")] for r in table[1:]]
        phones = [r[H.index("联系电话")] for r in table[1:]]
        if masked:
            assert all("*" in v for v in ids + phones), (name, ids, phones)
            assert ids[0] == pii.mask_id_number(full_id) and full_phone not in phones
        else:
            assert full_id in ids and full_phone in phones, (name, ids, phones)
        assert {r[H.index("所在党组织编码")] for r in table[1:]} == {"ZBT1"}


def test_masked_export_cannot_overwrite_real_numbers(world, tmp_path):
    run_import("members", write_csv(tmp_path / "m.csv", rows(3)))
    before = state()
    table = _export(tmp_path, "masked.xlsx", "--user", "viewer1")
    status, out = run_import("members", tmp_path / "masked.xlsx", "--user", "admin1")
    assert status == 1 and {(e["row"], e["column"]) for e in out["errors"]} >= {
        (2, "公民身份号码"),
        (4, "公民身份号码"),
    }
    assert all(chinese(e["message"]) for e in out["errors"])
    assert state() == before and len(table) == 4


def test_export_then_reimport_is_unchanged_for_a_user_who_may_reveal(world, tmp_path):
    run_import("members", write_csv(tmp_path / "m.csv", rows(3)))
    services.do_create_member(
        acting_user=None,
        **member_data(world.group1, seq=5, work_unit="=SUM(1+1)", member_type="probationary", confirmed_on=None,
                      phone="022-12345678", home_area=None),
    )  # fmt: skip
    before = state()
    for name in ("admin.xlsx", "admin.csv"):
        table = _export(tmp_path, name, "--user", "admin1", "--reveal-reason", "核对后重新导入")
        assert "'=SUM(1+1)" in [r[H.index("工作单位")] for r in table]  # R37: a formula leaves as text
        status, out = run_import("members", tmp_path / name, "--user", "admin1")
        assert status == 0 and (out["created"], out["updated"], out["unchanged"]) == (0, 0, 4), out
        assert state() == before


# ---- crash safety: a real process killed in the middle of writing ---------------------------------------------


@pytest.mark.slow
def test_sigkill_while_writing_leaves_the_roll_unchanged(tmp_path):
    env, db = small_city_on_its_own(tmp_path)
    rows = member_rows(100_000, small_city_codes("orgs", "branch"), small_city_codes("areas", "community"), seed=7)
    f = write_members_csv(rows, tmp_path / "members.csv")
    snapshot = ["SELECT count(*), max(id), max(last_updated) FROM members_member",
                "SELECT count(*) FROM members_membershipevent", "SELECT count(*) FROM core_objectchange"]  # fmt: skip
    assert kill_while_writing(env, db, "members", f, after=3000, snapshot=snapshot) < 100_000


def test_name_pinyin_reads_characters_and_surnames():
    """A name is read character by character (each character's usual reading: pypinyin without its phrase
    dictionary), a surname with the surname's reading; letters and digits are kept whole."""
    from pypinyin import Style, lazy_pinyin

    from sqdj.members.pinyin import SURNAMES

    expected = {
        "张三丰": ("zhangsanfeng", "zsf"),
        "欧阳娜娜": ("ouyangnana", "oynn"),
        "单雄信": ("shanxiongxin", "sxx"),
        "曾国藩": ("zengguofan", "zgf"),
        "区区": ("ouqu", "oq"),
        "仇英": ("qiuying", "qy"),
        "解缙": ("xiejin", "xj"),
        "查查": ("zhacha", "zc"),
        "朴树": ("piaoshu", "ps"),
        "覃覃": ("qintan", "qt"),
        "乐乐": ("yuele", "yl"),
        "万俟卨": ("moqixie", "mqx"),
        "尉迟恭": ("yuchigong", "ycg"),
        "长孙无忌": ("zhangsunwuji", "zswj"),
        "于思": ("yusi", "ys"),  # with the phrase dictionary: "yusai" (a beard)
        "朝阳": ("chaoyang", "cy"),
        "张建国华": ("zhangjianguohua", "zjgh"),
        "吕布": ("lvbu", "lb"),
        "阿依古丽·买买提": ("ayiguli·maimaiti", "aygl·mmt"),
        "Tom张": ("tomzhang", "tomz"),
        "王1": ("wang1", "w1"),
        "李 四": ("li si", "l s"),
        "ABC": ("abc", "abc"),
        "": ("", ""),
    }
    for name, want in expected.items():
        assert name_pinyin.__wrapped__(name) == want, name
    generated = [r[0] for r in member_rows(2000, ["A"], ["B"], seed=99)]
    for name in generated:
        if name[:1] in SURNAMES:
            continue
        chars = list(name)  # one word per character: no phrase, whatever pypinyin loaded
        want = "".join(lazy_pinyin(chars)).lower(), "".join(lazy_pinyin(chars, style=Style.FIRST_LETTER)).lower()
        assert name_pinyin.__wrapped__(name) == want, name


def test_pinyin_does_not_load_the_phrase_dictionary():
    """The app (web or import) never loads pypinyin's phrases (some 45 MB): set up Django, compute a name's pinyin
    in a fresh process, and look."""

    code = (
        "import sys, django; django.setup()\n"
        "from sqdj.members.models import Member\n"
        "m = Member(name='曾于思'); m.fill_derived_fields()\n"
        "import pypinyin.constants as c\n"
        "print(m.name_pinyin, 'pypinyin.phrases_dict' in sys.modules, len(c.PHRASES_DICT))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_child_env()
    ).stdout.split()
    assert out == ["zengyusi", "False", "0"]


def _child_env():
    import tempfile

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYPINYIN_")}
    env["DJANGO_SETTINGS_MODULE"] = "sqdj.settings"
    env.setdefault("SQDJ_DATA_DIR", tempfile.mkdtemp(prefix="sqdj-test-"))
    return env


@pytest.mark.django_db(transaction=True)
def test_an_org_removed_while_the_file_is_written_is_a_clean_error():
    """A row's org deleted by someone else during the write is found at the commit (deferred foreign keys): the
    import reports it in Chinese, writes nothing and raises nothing."""
    world = build_world()
    data = "\n".join(",".join(r) for r in rows(3)).encode()
    before = state()

    def progress(done, total, stage="write"):
        if stage == "write":
            with connection.cursor() as cursor:  # what a concurrent delete leaves at our commit
                cursor.execute("DELETE FROM orgs_org WHERE id = %s", [world.branch1.pk])

    result = MemberImporter(user=None).run(data, "m.csv", progress=progress)
    assert not result.ok
    text = " ".join(str(e) for e in result.errors)
    assert "重新导入" in text and chinese(text)
    assert state() == before
    assert Org.objects.filter(pk=world.branch1.pk).exists()
