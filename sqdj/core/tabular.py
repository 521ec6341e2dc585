"""Reading and writing the spreadsheets of the import templates (.xlsx, .csv in UTF-8/BOM/GBK)."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
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


def _encoding(data: bytes) -> str:
    """ "utf-8-sig" or "gb18030": the first that decodes the whole file, checked piece by piece (no copy of it)."""
    if b"\x00" in data[:4096]:
        raise UnreadableFile(_("The file is not a spreadsheet (.xlsx or .csv)."))
    view = memoryview(data)
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for i in range(0, len(view), _PIECE):
                decoder.decode(view[i : i + _PIECE])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnreadableFile(_("The file's text encoding is not UTF-8 or GBK."))


_PIECE = 1 << 20


def _too_many_rows() -> UnreadableFile:
    return UnreadableFile(_("The file has more than %(n)d rows.") % {"n": settings.SQDJ_IMPORT_MAX_ROWS})


class _XlsxRows:
    """The first sheet's rows, parsed as they are taken (openpyxl's read-only mode)."""

    def __init__(self, data: bytes):
        from openpyxl import load_workbook

        self.buffer = io.BytesIO(data)  # shares `data`'s memory until written to (it never is)
        try:
            with zipfile.ZipFile(self.buffer) as zf:
                infos = zf.infolist()
                if len(infos) > 1000 or sum(i.file_size for i in infos) > settings.SQDJ_IMPORT_MAX_UNPACKED_BYTES:
                    raise UnreadableFile(_("The spreadsheet unpacks to too much data."))
            self.workbook = load_workbook(self.buffer, read_only=True, data_only=False)
            self.sheet = self.workbook.worksheets[0]
        except UnreadableFile:
            raise
        except Exception as exc:  # a corrupt or foreign zip: say so, don't crash
            raise UnreadableFile(_("The file is not a valid .xlsx spreadsheet.")) from exc
        self.seen = 0
        self._span: tuple[int, int] | None = None  # where the sheet's compressed bytes lie in the file
        try:
            info = self.workbook._archive.getinfo(self.sheet._worksheet_path)
            self._span = (info.header_offset, info.compress_size)
        except Exception:  # openpyxl internals: without them there is simply no estimate
            pass

    def __iter__(self) -> Iterator[tuple[int, list]]:
        try:
            for n, values in enumerate(self.sheet.iter_rows(values_only=True), start=1):
                if n > settings.SQDJ_IMPORT_MAX_ROWS + 1:
                    raise _too_many_rows()
                self.seen = n
                yield n, [_normalize(v) for v in values]
        except UnreadableFile:
            raise
        except Exception as exc:  # e.g. a damaged sheet found only while reading it
            raise UnreadableFile(_("The file is not a valid .xlsx spreadsheet.")) from exc

    def estimated_rows(self) -> int | None:
        """The sheet's row count: from its dimension when it declares one, else extrapolated from how much of its
        compressed data has been read so far."""
        if self.sheet.max_row:
            return self.sheet.max_row
        if self._span is None or self.seen < 100:
            return None
        start, size = self._span
        read = self.buffer.tell() - start
        if size <= 0 or read <= 0:
            return None
        return round(self.seen * max(size / read, 1.0))

    def close(self) -> None:
        self.workbook.close()


class _CsvRows:
    def __init__(self, data: bytes):
        self.text = io.TextIOWrapper(io.BytesIO(data), encoding=_encoding(data), newline="")
        self.lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)

    def __iter__(self) -> Iterator[tuple[int, list]]:
        try:
            for n, values in enumerate(csv.reader(self.text), start=1):
                if n > settings.SQDJ_IMPORT_MAX_ROWS + 1:
                    raise _too_many_rows()
                yield n, [v.strip() for v in values]
        except csv.Error as exc:
            raise UnreadableFile(_("The file is not a valid CSV file.")) from exc

    def estimated_rows(self) -> int | None:
        return self.lines  # a quoted cell may hold a line break: an estimate

    def close(self) -> None:
        self.text.close()


class TableStream:
    """A file's table read as it is used, in constant memory: `headers` (read on opening), then `rows` — an
    iterator of (spreadsheet row number, cells), fully empty rows left out, to be taken once. Reading may still
    raise UnreadableFile half-way (a damaged sheet, too many rows). A context manager: closing frees the
    workbook."""

    def __init__(self, source):
        self._source = source
        self.header_row = 0
        rows = (r for r in source if any(c != "" for c in r[1]))  # drop fully empty rows, keep the numbering
        first = next(rows, None)
        if first is None:
            raise UnreadableFile(_("The file is empty."))
        self.header_row, header = first[0], list(first[1])
        while header and header[-1] == "":
            header.pop()
        self.headers = [str(h).strip().lstrip("\ufeff") for h in header]
        self.rows: Iterator[tuple[int, list]] = rows

    def estimated_rows(self, done: int = 0) -> int:
        """How many data rows the file seems to hold: never fewer than the `done` already taken."""
        total = self._source.estimated_rows()
        if total is None:
            return done
        return max(min(total, settings.SQDJ_IMPORT_MAX_ROWS + 1) - self.header_row, done)

    def close(self) -> None:
        self._source.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_table(data: bytes, filename: str = "") -> TableStream:
    """The table of an .xlsx or .csv file (UTF-8 with or without BOM, or GBK), to be read row by row."""
    if not data or data.isspace():
        raise UnreadableFile(_("The file is empty."))
    if len(data) > settings.SQDJ_IMPORT_MAX_BYTES:
        raise UnreadableFile(_("The file is larger than %(mb)d MB.") % {"mb": settings.SQDJ_IMPORT_MAX_BYTES // 2**20})
    source: _XlsxRows | _CsvRows
    if data[:4] == b"PK\x03\x04":
        source = _XlsxRows(data)
    elif filename.lower().endswith((".xlsx", ".xlsm", ".xls")) or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableFile(_("The file is not a valid .xlsx spreadsheet."))
    else:
        source = _CsvRows(data)
    try:
        return TableStream(source)
    except BaseException:
        source.close()
        raise


def read_table(data: bytes, filename: str = "") -> Table:
    """The whole table at once (small files; the importers stream with `open_table`)."""
    with open_table(data, filename) as stream:
        return Table(headers=stream.headers, rows=list(stream.rows))


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
