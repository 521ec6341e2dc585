"""The statistics as a workbook people can read and print: one sheet, Chinese headings, one figure a row."""

from __future__ import annotations

import io

from sqdj.core.tabular import escape_cell

from .services import COVERAGE_LABELS, MEMBER_LABELS, ORGANIZATION_TOTAL_LABEL, SECTION_LABELS


def report_sections(stats: dict) -> list[tuple[str, str, list[tuple[str, int]]]]:
    """The figures of `stats` as (key, section heading, [(row heading, number), …]), in the report's order."""
    members = stats["members"]
    organizations = stats["organizations"]
    return [
        (
            "organizations",
            SECTION_LABELS["organizations"],
            [(ORGANIZATION_TOTAL_LABEL, organizations["total"]), *organizations["by_type"].items()],
        ),
        ("by_sector", SECTION_LABELS["by_sector"], list(organizations["by_sector"].items())),  # issue 13
        ("members", SECTION_LABELS["members"], [(label, members[key]) for key, label in MEMBER_LABELS.items()]),
        *(
            (key, SECTION_LABELS[key], list(members[key].items()))
            for key in ("by_category", "by_work_status", "by_age_band", "by_education")
        ),
        (
            "coverage",
            SECTION_LABELS["coverage"],
            [(label, stats["coverage"][key]) for key, label in COVERAGE_LABELS.items()],
        ),
    ]


def workbook(stats: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "党建统计"
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    shade = PatternFill("solid", fgColor="F2F2F2")

    def text(row, col, value, **style):
        cell = ws.cell(row=row, column=col, value=escape_cell(value))
        cell.data_type = "s"  # codes keep their leading zeros; names are never formulas
        for k, v in style.items():
            setattr(cell, k, v)
        return cell

    text(1, 1, f"{stats['org']['name']} 党建统计", font=Font(bold=True, size=14))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2)
    text(2, 1, "组织编码", font=bold)
    text(2, 2, stats["org"]["code"])
    text(3, 1, "统计日期", font=bold)
    text(3, 2, stats["as_of"])
    row = 5
    for _key, heading, figures in report_sections(stats):
        text(row, 1, heading, font=bold, fill=shade, border=box)
        text(row, 2, "数量", font=bold, fill=shade, border=box, alignment=Alignment(horizontal="right"))
        row += 1
        for label, number in figures:
            text(row, 1, label, border=box)
            ws.cell(row=row, column=2, value=number).border = box
            row += 1
        row += 1
    ws.column_dimensions["A"].width = 52
    ws.column_dimensions["B"].width = 16
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_options.horizontalCentered = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
