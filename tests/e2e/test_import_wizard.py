"""The import wizard in the browser: upload → preview (nothing written) → confirm → result; bad files are rejected."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from sqdj.orgs.models import Org

HEADERS = ["组织编码", "组织名称", "组织类别", "上级组织编码", "所在区域编码", "成立日期", "本届任期开始日期"]


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # as Excel saves "CSV UTF-8"


def _upload(page, name: str, data: bytes):
    form = page.locator('form[enctype="multipart/form-data"]')
    form.locator('input[type="file"][name="file"]').set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )
    form.locator('button[type="submit"]').click()
    result = page.locator("#import-result")
    expect(result).to_be_visible()
    expect(result.locator("h2")).to_have_text(name)
    return result


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def test_import_wizard_preview_confirm_and_reject(page, demo, login, screenshot):
    own, sibling = demo.own, demo.sibling
    branch = own.children().order_by("code").first()
    sibling_branch = sibling.children().order_by("code").first()
    community = own.code[2:]
    new_code = f"XZ{community}-01-9"
    assert branch.code == f"ZB{community}-01" and not Org.objects.filter(code=new_code).exists()
    total = Org.objects.count()

    login("sq_admin")
    page.goto("/orgs/import/")
    expect(page.locator("main")).to_contain_text("、".join(HEADERS))  # the template's columns are shown

    # ① upload → ② preview: counts and a confirm button; nothing written yet.
    good = _csv([[new_code, "第九党小组", "党小组", branch.code, "", "2024-03-01", "2024-03-01"]])
    result = _upload(page, "orgs.csv", good)
    status = result.locator('.alert[role="status"]')
    expect(status).to_be_visible()
    assert _numbers(status.inner_text()) == [1, 0, 0], status.inner_text()  # created 1, updated 0, unchanged 0
    confirm_form = result.locator("form:has(input[name='token'])")
    confirm = confirm_form.locator('button[type="submit"]:not([name="cancel"])')
    expect(confirm).to_be_visible()
    confirm_label = confirm.inner_text()
    expect(page.locator('input[type="file"]')).to_have_count(0)  # the preview step shows no upload form
    screenshot(page, "import-preview.png")
    assert not Org.objects.filter(code=new_code).exists()
    assert Org.objects.count() == total

    # ③ confirm → result: written, under the branch.
    confirm.click()
    result = page.locator("#import-result")
    expect(result.locator(".alert-success")).to_be_visible()
    assert _numbers(result.locator(".alert-success").inner_text()) == [1, 0, 0]
    expect(result.locator("input[name='token']")).to_have_count(0)
    new = Org.objects.get(code=new_code)
    assert (new.name, new.type, new.get_parent_node().code) == ("第九党小组", "group", branch.code)
    assert str(new.founded_on) == "2024-03-01"
    assert Org.objects.count() == total + 1
    page.goto("/orgs/tree/")
    expect(page.locator(f'#org-tree li[data-code="{branch.code}"] li[data-code="{new_code}"] > a')).to_have_text(
        "第九党小组"
    )

    # A bad file: row 2 is fine, row 3 names an unknown parent, row 4 a parent outside the user's scope
    # (which must look exactly like an unknown one). Row-level errors; nothing at all is written.
    page.goto("/orgs/import/")
    bad = _csv(
        [
            [f"XZ{community}-01-8", "第八党小组", "党小组", branch.code, "", "", ""],
            [f"XZ{community}-99-1", "无主党小组", "党小组", f"ZB{community}-99", "", "", ""],
            [f"XZ{community}-01-7", "越界党小组", "党小组", sibling_branch.code, "", "", ""],
        ]
    )
    result = _upload(page, "bad.csv", bad)
    expect(result.locator('.alert-danger[role="alert"]')).to_be_visible()
    expect(result.locator("input[name='token']")).to_have_count(0)  # no way to confirm a rejected file
    errors = result.locator("table tbody tr")
    expect(errors).to_have_count(2)
    for i, (row, parent_code) in enumerate([(3, f"ZB{community}-99"), (4, sibling_branch.code)]):
        cells = errors.nth(i).locator("td")
        assert _numbers(cells.nth(0).inner_text()) == [row], cells.nth(0).inner_text()
        expect(cells.nth(1)).to_have_text("上级组织编码")
        expect(cells.nth(2)).to_contain_text(parent_code)
    # The user can upload a corrected file straight away.
    expect(page.locator('form[enctype="multipart/form-data"] input[type="file"]')).to_be_visible()
    assert Org.objects.count() == total + 1
    assert not Org.objects.filter(
        code__in=[f"XZ{community}-01-8", f"XZ{community}-99-1", f"XZ{community}-01-7"]
    ).exists()

    # Catalog-dependent (zh_Hans translation of "Confirm import"): checked last so the flow above runs regardless.
    assert "确认" in confirm_label, f"the confirm button reads {confirm_label!r}, not Chinese 确认…"
