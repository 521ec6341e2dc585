"""The statistics as a workbook people can read and print (the figures on one sheet, Chinese headings, one figure a
row; the table per child org on a second), and as an A4 PDF of the same, rendered by the letters' machinery
(transfers.documents: WeasyPrint, no outside resources)."""

from __future__ import annotations

import io

from sqdj.core.pdf import page_counter_css, render_pdf
from sqdj.core.plugins import stats_sections
from sqdj.core.tabular import escape_cell

from .services import (
    CHILD_FIGURES,
    CHILD_HEADING,
    COVERAGE_LABELS,
    MEMBER_LABELS,
    ORGANIZATION_TOTAL_LABEL,
    SECTION_LABELS,
    TOTAL_ROW_LABEL,
    child_figure_labels,
)

REPORT_TITLE = "党建统计"
CHILD_SHEET_TITLE = "按下级党组织"


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
        # the apps' own sections (core.plugins.StatsSection.report)
        *(part for section in stats_sections() if section.report for part in section.report(stats)),
    ]


def child_table_rows(children: dict) -> tuple[list[str], list[list]]:
    """The table per child org as the page shows it: (header, rows), the last row the total."""
    labels = child_figure_labels()
    header = [CHILD_HEADING, "组织编码", *(labels[k] for k in CHILD_FIGURES)]
    rows = [[r["name"], r["code"] or "", *(r["figures"][k] for k in CHILD_FIGURES)] for r in children["rows"]]
    rows.append([TOTAL_ROW_LABEL, "", *(children["total"][k] for k in CHILD_FIGURES)])
    return header, rows


def workbook(stats: dict, children: dict | None = None) -> bytes:
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
    if children is not None:  # the table per child org, as the page shows it
        ws = wb.create_sheet(CHILD_SHEET_TITLE)
        header, rows = child_table_rows(children)
        text(1, 1, f"{stats['org']['name']} {CHILD_SHEET_TITLE}（{stats['as_of']}）", font=Font(bold=True, size=14))
        for col, heading in enumerate(header, start=1):
            text(3, col, heading, font=bold, fill=shade, border=box)
        for i, values in enumerate(rows, start=4):
            last = i == 3 + len(rows)
            text(i, 1, values[0], border=box, **({"font": bold} if last else {}))
            text(i, 2, values[1], border=box)
            for col, number in enumerate(values[2:], start=3):
                cell = ws.cell(row=i, column=col, value=number)
                cell.border = box
                if last:
                    cell.font = bold
        ws.column_dimensions["A"].width = 36
        ws.column_dimensions["B"].width = 14
        for col in range(3, len(header) + 1):
            ws.column_dimensions[chr(64 + col)].width = 12
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pdf(stats: dict, children: dict | None = None) -> bytes:
    """The figures and the table per child org as an A4 PDF (the same sections as the page and the workbook)."""
    header, rows = child_table_rows(children) if children is not None else ([], [])
    context = {
        "title": f"{stats['org']['name']} {REPORT_TITLE}",
        "stats": stats,
        "sections": report_sections(stats),
        "child_header": header,
        "child_rows": rows,
        "child_title": CHILD_SHEET_TITLE,
        "page_counter": page_counter_css(),
    }
    return render_pdf("stats/pdf.html", context)
