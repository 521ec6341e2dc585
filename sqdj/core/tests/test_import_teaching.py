"""Imports that teach (issue 14, item 6): a template to download whose example row imports as it is, every error of a
file in one pass (format and references together), a preview of the first rows as parsed, an error report (the
uploaded sheet with an "错误说明" column), a progress text that agrees with its bar, and a summary kept with the
batch."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from sqdj.core import jobs
from sqdj.core.import_templates import NOTES_SHEET, template_workbook
from sqdj.core.importing import REPORT_COLUMN, get_importer, importer_kinds
from sqdj.core.models import AuditEvent, ImportBatch
from sqdj.members.importers import TEMPLATE_HEADERS as MEMBER_HEADERS
from sqdj.members.models import Member
from sqdj.testing import build_world
from sqdj.testing.members import make_id_number

URL = "/members/import/"


@pytest.fixture
def world(db):
    return build_world()


def sheets(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    return [[list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets], wb.sheetnames


def csv_upload(rows: list[list], name="members.csv") -> SimpleUploadedFile:
    text = "\n".join(",".join("" if v is None else str(v) for v in r) for r in rows) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), "text/csv")


def member_row(org_code: str, seq: int, *, id_number: str | None = None, name="王示例") -> list:
    birth = datetime.date(1980, 3, 4)
    return [name, "男", "汉族", id_number or make_id_number(birth, seq), "1980-03-04", "大学本科", "正式党员",
            "2005-07-01", "2006-07-01", "在职党员", org_code, "", f"1390000{seq:04d}", "示例单位"]  # fmt: skip


def bad_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


# ---- the template ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_user", ["superuser", "admin1"])
def test_every_kind_has_a_template_whose_example_imports_cleanly(world, as_user):
    user = getattr(world, as_user)
    kinds = importer_kinds()
    assert {"areas", "orgs", "members"} <= set(kinds)
    for kind in kinds:
        importer = get_importer(kind)(user=user)
        (data_sheet, notes_sheet), names = sheets(template_workbook(importer))
        expected = importer.template_headers or importer.headers
        assert data_sheet[0] == list(expected), kind
        assert names[1] == NOTES_SHEET
        assert [r[0] for r in notes_sheet[1 : 1 + len(expected)]] == list(expected), kind  # one note per column
        assert len(data_sheet) == 2 and any(v not in (None, "") for v in data_sheet[1]), kind  # one example row
        if kind in ("areas", "workorders") and as_user == "admin1":
            # a community admin adds no territory and is dispatched no work order (the subdistrict is): the example
            # is for those who may
            continue
        result = get_importer(kind)(user=user).run(template_workbook(importer), "t.xlsx", dry_run=True)
        assert result.ok and result.created == 1, (kind, as_user, result.errors)
    assert not Member.objects.filter(name="张示例").exists()  # a dry run: nothing written


def test_member_template_is_the_contract_with_its_enumerations(world):
    (data_sheet, notes_sheet), _names = sheets(template_workbook(get_importer("members")(user=world.admin1)))
    assert data_sheet[0] == MEMBER_HEADERS  # interfaces.md §2, without the optional 工作状况
    example = dict(zip(data_sheet[0], data_sheet[1], strict=True))
    assert example["姓名"] == "张示例" and example["所在党组织编码"] in {"ZBT1", "SQT1", "XZT1"}  # from the scope
    from sqdj.core import idnumber

    assert idnumber.error(example["公民身份号码"]) is None  # the check digit holds
    notes = {r[0]: r for r in notes_sheet[1:] if r and r[0]}
    assert notes["性别"][3] == "男、女" and "预备党员" in notes["人员类别"][3] and "居民党员" in notes["党员分类"][3]
    assert notes["姓名"][1] != notes["联系电话"][1]  # required / optional
    (_data, org_notes), _n = sheets(template_workbook(get_importer("orgs")(user=world.admin1)))
    assert "党支部" in {r[0]: r for r in org_notes[1:] if r and r[0]}["组织类别"][3]


def test_template_download_from_the_page_and_the_command(world, tmp_path):
    c = Client()
    c.force_login(world.admin1)
    page = c.get(URL).content.decode()
    assert 'id="import-template"' in page
    r = c.get(URL, {"template": "1"})
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    assert sheets(r.content)[0][0][0] == MEMBER_HEADERS
    out = tmp_path / "orgs.xlsx"
    call_command("import", "orgs", "--template", "-o", str(out), stdout=io.StringIO())
    (data_sheet, _notes), _names = sheets(out.read_bytes())
    assert data_sheet[0][:4] == ["组织编码", "组织名称", "组织类别", "上级组织编码"]


# ---- every error in one pass, the preview, the report ---------------------------------------------------------


def test_format_and_reference_errors_come_together_with_a_preview_and_a_report(world):
    good = make_id_number(datetime.date(1980, 3, 4), 11)
    rows = [
        MEMBER_HEADERS,
        member_row("ZBT1", 11, id_number=good),  # row 2: fine
        member_row("ZBT1", 12, id_number=bad_check_digit(make_id_number(datetime.date(1980, 3, 4), 12))),  # row 3
        member_row("NOSUCH", 13),  # row 4: an unknown org code
        member_row("ZBT2", 14),  # row 5: an org outside admin1's scope looks unknown too
    ]
    c = Client()
    c.force_login(world.admin1)
    r = c.post(URL, {"file": csv_upload(rows)})
    batch = ImportBatch.objects.get(pk=r["Location"].split("batch=")[1])
    errors = [(e["row"], e["column"]) for e in batch.result["errors"]]
    assert (3, "公民身份号码") in errors and (4, "所在党组织编码") in errors and (5, "所在党组织编码") in errors
    assert not [e for e in errors if e[0] == 2] and not Member.objects.filter(name="王示例").exists()

    page = c.get(URL, {"batch": batch.pk}).content.decode()
    preview = page[page.index('id="import-preview"') :]
    assert preview.count("<tr data-row=") == 4
    row3 = re.search(r'<tr data-row="3".*?</tr>', preview, re.S).group(0)
    assert "table-danger" in row3 and "校验" in row3  # the message in the cell it is about
    assert good not in page and good[:2] + "*" * 16 in page  # numbers masked in the preview
    row2 = re.search(r'<tr data-row="2".*?</tr>', preview, re.S).group(0)
    assert "table-danger" not in row2
    # the summary kept with the batch
    assert 'data-errors="3"' in page and "admin1" in page and "members.csv" in page
    assert 'id="import-report"' in page

    events = AuditEvent.objects.count()
    r = c.get(URL, {"batch": batch.pk, "report": "1"})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    assert AuditEvent.objects.count() == events + 1
    (report,), _names = sheets(b"".join(r.streaming_content))
    assert report[0] == [*MEMBER_HEADERS, REPORT_COLUMN]
    assert len(report) == 5  # every row kept, the clean one too
    notes = {i + 1: row[-1] for i, row in enumerate(report)}
    assert notes[2] in (None, "")
    assert notes[3].startswith("公民身份号码：") and "校验" in notes[3]
    assert "所在党组织编码" in notes[4] and "NOSUCH" in notes[4]
    # the cells as uploaded (codes and numbers as text)
    assert ["" if v is None else v for v in report[2][:14]] == [str(v) for v in rows[2]]

    # the report, corrected, imports as it is: its "错误说明" column is not taken for an unexpected one
    wb = load_workbook(io.BytesIO(b"".join(c.get(URL, {"batch": batch.pk, "report": "1"}).streaming_content)))
    ws = wb.active
    ws.delete_rows(3, 3)  # the three wrong rows dropped
    buf = io.BytesIO()
    wb.save(buf)
    r = c.post(URL, {"file": SimpleUploadedFile("fixed.xlsx", buf.getvalue())})
    fixed = ImportBatch.objects.get(pk=r["Location"].split("batch=")[1])
    assert fixed.result["ok"] and fixed.result["created"] == 1, fixed.result["errors"]


def test_another_users_report_is_a_404(world):
    c = Client()
    c.force_login(world.admin1)
    r = c.post(URL, {"file": csv_upload([MEMBER_HEADERS, member_row("NOSUCH", 3)])})
    batch = ImportBatch.objects.get(pk=r["Location"].split("batch=")[1])
    assert jobs.report_file(batch).exists()
    other = Client()
    other.force_login(world.superuser)
    assert other.get(URL, {"batch": batch.pk, "report": "1"}).status_code == 404


# ---- progress --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "done", "total"), [("check", 1, 2), ("check", 2, 2), ("write", 0, 2), ("write", 1, 2), ("check", 7, 9)]
)
def test_progress_text_agrees_with_the_bar(world, stage, done, total):
    running = ImportBatch.Status.RUNNING
    batch = ImportBatch.objects.create(
        user=world.admin1,
        kind="members",
        filename="m.csv",
        sha256="0" * 64,
        status=running,
        stage=stage,
        done=done,
        total=total,
    )
    p = jobs.import_progress(batch)
    assert p["percent"] == batch.percent == 50 * (p["checked"] + p["written"]) // total
    c = Client()
    c.force_login(world.admin1)
    page = c.get(URL, {"batch": batch.pk}).content.decode()
    checked = int(re.search(r'data-checked="(\d+)"', page).group(1))
    written = int(re.search(r'data-written="(\d+)"', page).group(1))
    shown_total = int(re.search(r'data-total="(\d+)"', page).group(1))
    bar = int(re.search(r'aria-valuenow="(\d+)"', page).group(1))
    assert shown_total == total and bar == 50 * (checked + written) // total
    assert f"{checked} / {total}" in page or f"{checked} of {total}" in page or f"{checked}/{total}" in page
    if stage == "check" and done == total:  # "2 / 2" checked is half the work, and the text says writing is next
        assert bar == 50 and checked == 2 and written == 0
