"""Reading and writing the spreadsheets of the import templates (.xlsx, .csv in UTF-8/BOM/GBK)."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class UnreadableFile(Exception):
    """The file as a whole cannot be read as a table (reported as row 0)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)  # (spreadsheet row number, cells)


def _normalize(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time(0) else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise UnreadableFile(_("The file is not a spreadsheet (.xlsx or .csv)."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_("The file's text encoding is not UTF-8 or GBK."))


def _read_xlsx(data: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > 1000 or sum(i.file_size for i in infos) > settings.SQDJ_IMPORT_MAX_UNPACKED_BYTES:
                raise UnreadableFile(_("The spreadsheet unpacks to too much data."))
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except UnreadableFile:
        raise
    except Exception as exc:  # a corrupt or foreign zip: say so, don't crash
        raise UnreadableFile(_("The file is not a valid .xlsx spreadsheet.")) from exc
    try:
        ws = wb.worksheets[0]
        rows = []
        for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append((n, [_normalize(v) for v in values]))
            if n > settings.SQDJ_IMPORT_MAX_ROWS + 1:
                raise UnreadableFile(_("The file has more than %(n)d rows.") % {"n": settings.SQDJ_IMPORT_MAX_ROWS})
        return rows
    finally:
        wb.close()


def _read_csv(data: bytes) -> list[tuple[int, list]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        for n, values in enumerate(reader, start=1):
            rows.append((n, [v.strip() for v in values]))
            if n > settings.SQDJ_IMPORT_MAX_ROWS + 1:
                raise UnreadableFile(_("The file has more than %(n)d rows.") % {"n": settings.SQDJ_IMPORT_MAX_ROWS})
    except csv.Error as exc:
        raise UnreadableFile(_("The file is not a valid CSV file.")) from exc
    return rows


def read_table(data: bytes, filename: str = "") -> Table:
    if not data or not data.strip():
        raise UnreadableFile(_("The file is empty."))
    if len(data) > settings.SQDJ_IMPORT_MAX_BYTES:
        raise UnreadableFile(_("The file is larger than %(mb)d MB.") % {"mb": settings.SQDJ_IMPORT_MAX_BYTES // 2**20})
    if data[:4] == b"PK\x03\x04":
        rows = _read_xlsx(data)
    elif filename.lower().endswith((".xlsx", ".xlsm", ".xls")) or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableFile(_("The file is not a valid .xlsx spreadsheet."))
    else:
        rows = _read_csv(data)
    # drop fully empty rows, keep the spreadsheet's numbering
    rows = [(n, cells) for n, cells in rows if any(c != "" for c in cells)]
    if not rows:
        raise UnreadableFile(_("The file is empty."))
    header = list(rows[0][1])
    while header and header[-1] == "":
        header.pop()
    headers = [str(h).strip().lstrip("\ufeff") for h in header]
    return Table(headers=headers, rows=rows[1:])


def escape_cell(value):
    """Neutralize spreadsheet formulas in exported text (ASVS 1.2.10)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_cell(value):
    """Undo `escape_cell` so that an exported file re-imports unchanged."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def write_table(headers: list[str], rows, fmt: str) -> bytes:
    """Write one sheet; `fmt` is "xlsx" or "csv" (UTF-8 with BOM, which Excel opens correctly)."""
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(
                [
                    "" if v is None else escape_cell(v if not isinstance(v, datetime.date) else v.isoformat())
                    for v in row
                ]
            )
        return ("\ufeff" + buf.getvalue()).encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    bold = Font(bold=True)
    head = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        head.append(c)
    ws.append(head)
    for row in rows:
        cells = []
        for v in row:
            c = WriteOnlyCell(ws, value=escape_cell(v))
            if isinstance(v, datetime.date):
                c.number_format = "yyyy-mm-dd"
            elif isinstance(v, str):
                c.data_type = "s"  # codes keep their leading zeros
            cells.append(c)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
