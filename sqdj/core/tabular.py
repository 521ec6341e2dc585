"""Reading and writing the spreadsheets of the import templates (.xlsx, .csv in UTF-8/BOM/GBK)."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from .xlsx import XlsxReader

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


def _encoding(f) -> str:
    """ "utf-8-sig" or "gb18030": the first that decodes the whole file, checked piece by piece (no copy of it)."""
    f.seek(0)
    if b"\x00" in f.read(4096):
        raise UnreadableFile(_("The file is not a spreadsheet (.xlsx or .csv)."))
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        f.seek(0)
        try:
            while piece := f.read(_PIECE):
                decoder.decode(piece)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnreadableFile(_("The file's text encoding is not UTF-8 or GBK."))


_PIECE = 1 << 20


def _too_many_rows() -> UnreadableFile:
    return UnreadableFile(_("The file has more than %(n)d rows.") % {"n": settings.SQDJ_IMPORT_MAX_ROWS})


class _XlsxRows:
    """The first sheet's rows, parsed as they are taken (`core.xlsx`: the shared strings on disk, not in memory)."""

    def __init__(self, f):
        try:
            with zipfile.ZipFile(f) as zf:
                infos = zf.infolist()
                if len(infos) > 1000 or sum(i.file_size for i in infos) > settings.SQDJ_IMPORT_MAX_UNPACKED_BYTES:
                    raise UnreadableFile(_("The spreadsheet unpacks to too much data."))
            self.reader = XlsxReader(f)
        except UnreadableFile:
            raise
        except Exception as exc:  # a corrupt or foreign zip: say so, don't crash
            raise UnreadableFile(_("The file is not a valid .xlsx spreadsheet.")) from exc
        self.seen = 0

    def __iter__(self) -> Iterator[tuple[int, list]]:
        try:
            for n, values in self.reader.rows():
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
        data has been read so far."""
        if self.reader.max_row:
            return self.reader.max_row
        read = self.reader.fraction_read()
        if self.seen < 100 or read <= 0:
            return None
        return round(self.seen / read)

    def close(self) -> None:
        self.reader.close()


class _CsvRows:
    def __init__(self, f):
        encoding = _encoding(f)
        f.seek(0)
        self.lines = 0
        last = b""
        while piece := f.read(_PIECE):
            self.lines += piece.count(b"\n")
            last = piece
        if not last.endswith(b"\n"):
            self.lines += 1
        f.seek(0)
        self.text = io.TextIOWrapper(f, encoding=encoding, newline="")

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
        self.text.detach()  # the file is open_table's to close


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


Source = bytes | str | os.PathLike | BinaryIO


def _binary_file(source: Source) -> tuple[BinaryIO, bool]:
    """(a seekable binary file of `source`, whether it was opened here and is to be closed here)."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(source), True  # shares the bytes' memory until written to (it never is)
    if isinstance(source, str | os.PathLike):
        return open(source, "rb"), True  # noqa: SIM115 - closed by the stream
    return source, False


def _blank(f: BinaryIO) -> bool:
    """Whether the file holds nothing but white space."""
    f.seek(0)
    while piece := f.read(_PIECE):
        if not piece.isspace():
            return False
    return True


def open_table(source: Source, filename: str = "") -> TableStream:
    """The table of an .xlsx or .csv file (UTF-8 with or without BOM, or GBK), to be read row by row. `source`: the
    file's path (best: nothing of it is held in memory), an open seekable binary file, or its bytes."""
    f, owned = _binary_file(source)
    try:
        size = f.seek(0, io.SEEK_END)
        if size > settings.SQDJ_IMPORT_MAX_BYTES:
            raise UnreadableFile(
                _("The file is larger than %(mb)d MB.") % {"mb": settings.SQDJ_IMPORT_MAX_BYTES // 2**20}
            )
        if _blank(f):
            raise UnreadableFile(_("The file is empty."))
        f.seek(0)
        head = f.read(8)
        f.seek(0)
        rows: _XlsxRows | _CsvRows
        if head[:4] == b"PK\x03\x04":
            rows = _XlsxRows(f)
        elif filename.lower().endswith((".xlsx", ".xlsm", ".xls")) or head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise UnreadableFile(_("The file is not a valid .xlsx spreadsheet."))
        else:
            rows = _CsvRows(f)
    except BaseException:
        if owned:
            f.close()
        raise
    source_rows = _Closing(rows, f if owned else None)
    try:
        return TableStream(source_rows)
    except BaseException:
        source_rows.close()
        raise


class _Closing:
    """A table source that closes the file it reads when it is closed."""

    def __init__(self, rows: _XlsxRows | _CsvRows, f: BinaryIO | None):
        self.rows, self.f = rows, f

    def __iter__(self):
        return iter(self.rows)

    def estimated_rows(self) -> int | None:
        return self.rows.estimated_rows()

    def close(self) -> None:
        try:
            self.rows.close()
        finally:
            if self.f is not None:
                self.f.close()


def read_table(source: Source, filename: str = "") -> Table:
    """The whole table at once (small files; the importers stream with `open_table`)."""
    with open_table(source, filename) as stream:
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


def xlsx_cell(ws, value):
    """One cell of a write-only sheet as every export writes it: a formula-like text escaped, dates as dates, text as
    text (codes keep their leading zeros)."""
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws, value=escape_cell(value))
    if isinstance(value, datetime.date):
        c.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        c.data_type = "s"
    return c


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
        ws.append([xlsx_cell(ws, v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
