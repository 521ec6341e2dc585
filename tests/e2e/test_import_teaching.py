"""Imports that teach, in the browser: download the template, fill it in with mistakes, see the first rows as parsed
and every error at once (a wrong check digit and an unknown org code together), download the error report."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from sqdj.core import idnumber
from sqdj.members.importers import TEMPLATE_HEADERS
from sqdj.members.models import Member


def _bad_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def test_template_preview_errors_in_one_pass_and_report(page, demo, login, screenshot, tmp_path):
    login("sq_admin")
    page.goto("/members/import/")

    # ① the template: the exact columns, a valid example, the notes sheet
    with page.expect_download() as info:
        page.locator("#import-template").click()
    template = tmp_path / "template.xlsx"
    info.value.save_as(template)
    wb = load_workbook(template)
    data, notes = wb.worksheets
    rows = [list(r) for r in data.iter_rows(values_only=True)]
    assert rows[0] == TEMPLATE_HEADERS and notes.title == "填写说明"
    example = dict(zip(rows[0], rows[1], strict=True))

    # ② a file with two kinds of mistakes: row 3's ID number fails its check digit, row 4's org code is unknown
    second = dict(example, 姓名="李示例", 公民身份号码=_bad_check_digit(str(example["公民身份号码"])))
    number = str(example["公民身份号码"])
    other = idnumber.compose(number[:6], example["出生日期"].date(), int(number[14:17]) + 2)  # a valid one, not twice
    third = dict(example, 姓名="赵示例", 公民身份号码=other, 所在党组织编码="NOSUCH-ORG")
    for values in (second, third):
        data.append([values[h] for h in TEMPLATE_HEADERS])
    upload = io.BytesIO()
    wb.save(upload)
    form = page.locator('form[enctype="multipart/form-data"]')
    form.locator('input[type="file"]').set_input_files(
        files=[{"name": "党员.xlsx", "mimeType": "application/octet-stream", "buffer": upload.getvalue()}]
    )
    form.locator('button[type="submit"]').click()

    # ③ both errors in one report, and the first rows as parsed with the wrong cells marked
    result = page.locator("#import-result")
    expect(result.locator('.alert-danger[role="alert"]')).to_be_visible()
    errors = result.locator("#import-errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("公民身份号码")
    expect(errors.nth(1)).to_contain_text("所在党组织编码")
    expect(errors.nth(1)).to_contain_text("NOSUCH-ORG")
    preview = page.locator("#import-preview")
    expect(preview.locator("tbody tr")).to_have_count(3)
    expect(preview.locator('tr[data-row="3"] td.table-danger')).to_have_count(1)
    expect(preview.locator('tr[data-row="4"] td.table-danger')).to_contain_text("NOSUCH-ORG")
    expect(preview.locator('tr[data-row="2"] td.table-danger')).to_have_count(0)
    expect(page.locator("#import-summary")).to_contain_text("党员.xlsx")
    screenshot(page, "import-errors.png")

    # ④ the error report: the uploaded sheet, every row, with an "错误说明" column
    with page.expect_download() as info:
        page.locator("#import-report").click()
    report_path = tmp_path / "report.xlsx"
    info.value.save_as(report_path)
    report = [list(r) for r in load_workbook(report_path).active.iter_rows(values_only=True)]
    assert report[0] == [*TEMPLATE_HEADERS, "错误说明"] and len(report) == 4
    assert not report[1][-1] and "公民身份号码" in report[2][-1] and "NOSUCH-ORG" in report[3][-1]
    assert not Member.objects.filter(name__in=["张示例", "李示例", "赵示例"]).exists()
