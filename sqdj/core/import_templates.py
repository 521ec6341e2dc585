"""The template of an import (interfaces.md §2), to download: an .xlsx whose first sheet has the exact headers and one
example row — valid and clearly fictional, with codes from the user's own scope, so that it imports as it is — and
a second sheet "填写说明" saying for each column whether it is required, its format and the words it allows.

What the importer declares is used (`template_headers`, `required`, `template_choices`, `template_notes`,
`example_row`); for a tree importer (areas, orgs) the example and the allowed types are derived from its tree rules
when it does not declare them.
"""

from __future__ import annotations

import datetime
import io

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .importing import Importer
from .scope import is_unrestricted
from .tabular import escape_cell
from .tree_importing import TreeImporter

NOTES_SHEET = "填写说明"  # the sheet's name: a word of the template, like its headers
DATA_SHEET = "导入数据"


def _field(importer: Importer, header: str):
    """The model field behind a column, if the importer names one (its `columns`: field -> header)."""
    model = importer.model
    for name, column in getattr(importer, "columns", {}).items():
        if column == header and model is not None:
            try:
                return model._meta.get_field(name)
            except FieldDoesNotExist:
                return None
    return None


def choices_of(importer: Importer) -> dict[str, list[str]]:
    """{header: the allowed words} of the template's columns."""
    found: dict[str, list[str]] = {}
    if isinstance(importer, TreeImporter):
        found[importer.type_header] = [str(w) for w in importer.type_labels.values()]
    headers = importer.get_template_headers()
    with translation.override("zh-hans"):  # the translated choice labels are the template's words (a tested rule)
        for h in headers:
            f = _field(importer, h)
            if h not in found and f is not None and f.choices and not isinstance(f, models.ForeignKey):
                found[h] = [str(label) for _value, label in f.flatchoices if _value != ""]
            elif h not in found and isinstance(f, models.BooleanField):
                found[h] = ["是", "否"]
    found.update(importer.template_choices())
    return {h: words for h, words in found.items() if h in headers}


def _format(importer: Importer, header: str, choices: dict) -> str:
    f = _field(importer, header)
    if header in choices:
        return _("One of the allowed values, exactly as written.")
    if header.endswith("编码") or header == "统一社会信用代码":
        return _("Text (a code): keep leading zeros; format the column as text in Excel.")
    if isinstance(f, models.DateField) or header.endswith("日期"):
        return _("A date: YYYY-MM-DD (e.g. 2021-07-01) or a spreadsheet date.")
    if isinstance(f, models.IntegerField):
        return _("A whole number.")
    if f is not None and getattr(f, "max_length", None):
        return _("Text, at most %(n)d characters.") % {"n": f.max_length}
    return _("Text.")


def notes_rows(importer: Importer) -> list[list[str]]:
    """The "填写说明" sheet: one row per column of the template."""
    choices = choices_of(importer)
    notes = importer.template_notes()
    if isinstance(importer, TreeImporter):
        notes.setdefault(importer.code_header, _("The key: the same code again updates that node."))
        notes.setdefault(
            importer.parent_header,
            _("The code of a node in the system or earlier in this file; empty only for the top of the tree."),
        )
    rows = []
    for h in importer.get_template_headers():
        rows.append(
            [
                h,
                _("Required") if h in importer.required else _("Optional"),
                _format(importer, h, choices),
                "、".join(choices.get(h, [])),
                notes.get(h, ""),
            ]
        )
    return rows


def _free_code(model, base: str, max_length: int) -> str:
    for n in range(1, 1000):
        code = f"{base[: max_length - 5]}-EX{n}"
        if not model.objects.filter(code=code).exists():
            return code
    return ""


def _tree_example(importer: TreeImporter) -> dict[str, object]:
    """A new node (名称 marked 示例) under the deepest node the user may add to, of a type allowed there."""
    model, rules = importer.rules.model, importer.rules
    qs = model.objects.all()
    if importer.user is not None and not is_unrestricted(importer.user):
        qs = qs.restrict(importer.user, "add")
    holders = {p for parents in rules.allowed_parents.values() for p in parents}
    parent = qs.filter(type__in=holders).order_by("-depth", "path").first()
    if parent is not None:
        fits = [t for t in importer.type_labels if parent.type in rules.allowed_parents.get(t, set())]
        # the most specific child type: the one that can hold the fewest types itself
        node_type = min(fits, key=lambda t: (sum(t in ps for ps in rules.allowed_parents.values()), str(t)))
        code = _free_code(model, parent.code, importer.code_max_length)
    else:  # an empty system: the top of a tree
        node_type = sorted(rules.root_types)[0]
        code = _free_code(model, "T", importer.code_max_length)
    label = importer.type_labels[node_type]
    row: dict[str, object] = {
        importer.code_header: code,
        importer.name_header: f"示例{label}",
        importer.type_header: label,
        importer.parent_header: parent.code if parent is not None else "",
    }
    return row


def example_of(importer: Importer) -> dict[str, object]:
    row = importer.example_row()
    if row is None and isinstance(importer, TreeImporter):
        row = _tree_example(importer)
    return row or {}


def template_workbook(importer: Importer) -> bytes:
    """The .xlsx of the template: the headers and the example row, then the notes sheet."""
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl is heavy; only this download and the exports need it
    from openpyxl.styles import Font

    headers = importer.get_template_headers()
    example = example_of(importer)
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append(headers)
    ws.append([escape_cell(example.get(h, "")) for h in headers])
    for i, h in enumerate(headers, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        cell = ws.cell(row=2, column=i)
        if isinstance(cell.value, datetime.date):
            cell.number_format = "yyyy-mm-dd"
        elif h.endswith("编码") or isinstance(cell.value, str):
            cell.number_format = "@"  # text: codes and numbers keep their leading zeros
        ws.column_dimensions[cell.column_letter].width = max(12, 2 * len(h) + 4)
    notes = wb.create_sheet(NOTES_SHEET)
    notes.append([_("Column"), _("Required?"), _("Format"), _("Allowed values"), _("Notes")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for row in notes_rows(importer):
        notes.append(row)
    notes.append([])
    notes.append([_("Keep the first sheet's first row exactly as it is; delete the example row before importing.")])
    for letter, width in zip("ABCDE", (16, 10, 40, 50, 60), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def download(importer: Importer) -> HttpResponse:
    """The template as a download: {kind}-模板.xlsx."""
    response = HttpResponse(
        template_workbook(importer), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{importer.kind}-导入模板.xlsx")
    return response
