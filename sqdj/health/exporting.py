"""组织体检 as a workbook: one sheet, a title block, then one finding a row under a Chinese header.

The headings and labels are fixed Chinese words, not UI strings: the sheet is filed and compared across
districts, like the statistics report (stats/exporting.py), whatever the reader's UI language."""

from __future__ import annotations

import datetime
import io

from sqdj.core.rules import SEVERITIES, Finding, summary
from sqdj.core.tabular import escape_cell

COLUMNS = ("严重程度", "规则", "对象类型", "对象编码", "对象名称", "问题", "依据", "建议")
WIDTHS = (10, 30, 10, 20, 32, 60, 40, 50)
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "reminder": "提醒"}
OBJECT_LABELS = {"org": "党组织", "area": "区域", "unit": "单位", "member": "党员"}
HEADER_ROW = 5  # rows 1–3: title, org code and date, counts; row 4 blank


def rows(findings: list[Finding]) -> list[tuple]:
    """The findings as the sheet's rows, in the page's order."""
    return [
        (
            SEVERITY_LABELS.get(f.severity, f.severity),
            f.rule,
            OBJECT_LABELS.get(f.object_type, f.object_type),
            f.object_code,
            f.object_name,
            f.message,
            f.source,
            f.action,
        )
        for f in findings
    ]


def workbook(org, findings: list[Finding], on: datetime.date, *, level_label: str | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "组织体检"
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    shade = PatternFill("solid", fgColor="F2F2F2")
    wrap = Alignment(wrap_text=True, vertical="top")

    def text(row, col, value, **style):
        cell = ws.cell(row=row, column=col, value=escape_cell(value))
        cell.data_type = "s"  # codes keep their leading zeros; names and messages are never formulas
        for k, v in style.items():
            setattr(cell, k, v)
        return cell

    title = f"{org.name} 组织体检" + (f"（{level_label}）" if level_label else "")
    text(1, 1, title, font=Font(bold=True, size=14))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    text(2, 1, "组织编码", font=bold)
    text(2, 2, org.code)
    text(2, 3, "体检日期", font=bold)
    text(2, 4, on.isoformat())
    counts = summary(findings)
    for i, s in enumerate(SEVERITIES):
        text(3, 1 + 2 * i, SEVERITY_LABELS[s], font=bold)
        ws.cell(row=3, column=2 + 2 * i, value=counts[s])
    for col, heading in enumerate(COLUMNS, start=1):
        text(HEADER_ROW, col, heading, font=bold, fill=shade, border=box)
    for r, values in enumerate(rows(findings), start=HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            text(r, col, value, border=box, alignment=wrap)
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    last = HEADER_ROW + max(len(findings), 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}{last}"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
