"""A streaming reader of an .xlsx file's first sheet, in constant memory (docs/development.md, "Imports in constant
memory").

openpyxl's read-only mode streams the sheet but keeps the whole shared-strings table — in a members file nearly
every cell's text (names, ID and phone numbers), some 90 MB for 300,000 rows. Here the table is read once, as it
is parsed, into an anonymous temporary file (the strings' UTF-8 one after another) and a second one of fixed-width
end offsets; a string is found again with two `os.pread`s (no `mmap`: mapped pages would count in the process's
memory), a small cache keeps the repeated ones (ethnic group, education, codes). Then the sheet is parsed row by
row (`iterparse`, each row dropped once read).

The values are the ones openpyxl's read-only reader gives with `data_only=False` (core/tests/test_xlsx.py checks
it): shared and inline strings (rich-text runs joined, phonetic runs left out), numbers as int or float, booleans,
error codes as text, formulas as "=" and their text, ISO dates (`t="d"`), and numbers in a date or time format
(the built-in ones, the East Asian built-in ones 27–36 and 50–58 — which openpyxl leaves as numbers —, and custom
formats) as datetime, date-less times as time. Missing cells are None, by their reference (`r="C5"`) or position.
"""

from __future__ import annotations

import datetime
import os
import posixpath
import re
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, iterparse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
STRICT_MAIN = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
STRICT_REL = "{http://purl.oclc.org/ooxml/officeDocument/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_COLUMNS = 16_384  # XFD

# Built-in number formats that show a date or time: 14–22 and 45–47 (every locale); 27–36 and 50–58 (the East
# Asian locales: 年月日, 时分秒). Of these, 46 ([h]:mm:ss) is a duration.
DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)])
TIMEDELTA_FORMAT_IDS = frozenset([46])
_LITERALS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')  # quoted text, [Red], [$-409]; not [h] [mm] [ss]
_DATE_LETTER = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_TIMEDELTA = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)
_ISO = re.compile(
    r"(?P<date>(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?T?"
    r"(?P<time>(?P<hour>\d{2}):(?P<minute>\d{2})(:(?P<second>\d{2})(?P<microsecond>\.\d{1,3})?)?)?Z?"
)
WINDOWS_EPOCH = datetime.datetime(1899, 12, 30)
MAC_EPOCH = datetime.datetime(1904, 1, 1)


class XlsxError(Exception):
    """The file is not an .xlsx workbook this reader understands."""


def is_date_format(code: str) -> bool:
    """Whether a custom number format shows a date or a time (its first section: a d, m, y, h or s outside quoted
    text and brackets)."""
    return _DATE_LETTER.search(_LITERALS.sub("", code.split(";")[0])) is not None


def _text(node: Element, ns: str) -> str:
    """A string item's text (`<si>` or `<is>`): its plain `<t>` and the `<t>` of its rich-text runs `<r>`, in order;
    phonetic runs (`<rPh>`) left out."""
    t_tag, r_tag = ns + "t", ns + "r"
    parts = []
    for child in node:
        if child.tag == t_tag:
            if child.text:
                parts.append(child.text)
        elif child.tag == r_tag:
            t = child.find(t_tag)
            if t is not None and t.text:
                parts.append(t.text)
    return "".join(parts)


class SharedStrings:
    """A workbook's shared-strings table, on disk: `strings[i]` reads string i back (two `pread`s, or the cache).
    Memory stays the same however many strings the file has."""

    _offset = struct.Struct("<Q")
    CACHE = 4096  # strings; emptied when full (the repeated ones come straight back)

    def __init__(self, source=None, ns: str = MAIN):
        self._data = tempfile.TemporaryFile(prefix="sqdj-sst-")
        self._ends = tempfile.TemporaryFile(prefix="sqdj-sst-")
        self._cache: dict[int, str] = {}
        self.count = 0
        if source is not None:
            self._load(source, ns)

    def _load(self, source, ns: str) -> None:
        si_tag = ns + "si"
        data, ends = bytearray(), bytearray()
        end, pack = 0, self._offset.pack
        root = None
        for event, node in iterparse(source, events=("start", "end")):
            if event == "start":
                if root is None:
                    root = node
                continue
            if node.tag == si_tag:
                # as openpyxl reads a shared string (not an inline one): "_x005F_x000D_" is the text "_x000D_"
                encoded = _text(node, ns).replace("x005F_", "").encode("utf-8")
                data += encoded
                end += len(encoded)
                ends += pack(end)
                self.count += 1
                if root is not None:
                    root.clear()  # the items read so far: gone
                if len(data) >= 1 << 20:
                    self._data.write(data)
                    self._ends.write(ends)
                    data, ends = bytearray(), bytearray()
        self._data.write(data)
        self._ends.write(ends)
        self._data.flush()
        self._ends.flush()

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> str:
        cached = self._cache.get(i)
        if cached is not None:
            return cached
        if not 0 <= i < self.count:
            raise IndexError(i)
        size = self._offset.size
        if i == 0:
            start, (end,) = 0, self._offset.unpack(os.pread(self._ends.fileno(), size, 0))
        else:
            start, end = struct.unpack("<QQ", os.pread(self._ends.fileno(), 2 * size, (i - 1) * size))
        value = os.pread(self._data.fileno(), end - start, start).decode("utf-8")
        if len(self._cache) >= self.CACHE:
            self._cache.clear()
        self._cache[i] = value
        return value

    def close(self) -> None:
        self._data.close()
        self._ends.close()


class _Counting:
    """A readable file that counts the bytes read from it (how far into the sheet the parser is)."""

    def __init__(self, f):
        self.f, self.read_bytes = f, 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.f.read(n)
        self.read_bytes += len(chunk)
        return chunk


def _column(letters: str, cache: dict[str, int] = {}) -> int:  # noqa: B006 - a cache on purpose
    """0-based index of a column's letters ("A" → 0, "AB" → 27)."""
    n = cache.get(letters)
    if n is None:
        n = 0
        for ch in letters:
            if not "A" <= ch <= "Z":
                raise XlsxError(f"bad cell reference {letters!r}")
            n = n * 26 + ord(ch) - 64
        n -= 1
        if not 0 <= n < MAX_COLUMNS:
            raise XlsxError(f"bad cell reference {letters!r}")
        cache[letters] = n
    return n


def _number(text: str):
    return float(text) if ("." in text or "E" in text or "e" in text) else int(text)


def from_excel(value, epoch: datetime.datetime, timedelta: bool = False):
    """An Excel serial number as a datetime (a time when it has no date part; a timedelta for a duration format)."""
    if value.__class__ is int and value >= 60 and not timedelta:  # a whole day after Excel's 29 February 1900
        return epoch + datetime.timedelta(days=value)
    if timedelta:
        td = datetime.timedelta(days=value)
        if td.microseconds:
            td = datetime.timedelta(seconds=td.total_seconds() // 1, microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = datetime.timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= value < 1 and diff.days == 0:
        seconds = diff.seconds
        return datetime.time(seconds // 3600, seconds // 60 % 60, seconds % 60, diff.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1  # Excel's 29 February 1900, which did not exist
    return epoch + datetime.timedelta(days=day) + diff


def from_iso(text: str):
    match = _ISO.match(text) if text else None
    if not match or not any(match.groups()):
        raise ValueError(f"not an ISO 8601 date: {text!r}")
    p = match.groupdict()
    micro = int(float(p["microsecond"]) * 1_000_000) if p["microsecond"] else 0
    if not p["date"]:
        return datetime.time(int(p["hour"]), int(p["minute"]), int(p["second"] or 0), micro)
    if not p["time"]:
        return datetime.date(int(p["year"]), int(p["month"]), int(p["day"]))
    return datetime.datetime(
        int(p["year"]), int(p["month"]), int(p["day"]), int(p["hour"]), int(p["minute"]), int(p["second"] or 0), micro
    )


class XlsxReader:
    """The first worksheet of an .xlsx: `rows()` yields (row number, values) for each row present in the sheet,
    in order; `max_row` is the sheet's declared last row (or None), `fraction_read()` how far the parser is."""

    def __init__(self, source):
        """`source`: a path or a seekable binary file."""
        self.zip = zipfile.ZipFile(source)
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        names = set(self.zip.namelist())
        workbook_path = self._office_document(names)
        base = posixpath.dirname(workbook_path)
        rels = self._rels(posixpath.join(base, "_rels", posixpath.basename(workbook_path) + ".rels"), base, names)
        ns, rel_ns, sheet_target, self.epoch = MAIN, REL, None, WINDOWS_EPOCH
        with self.zip.open(workbook_path) as f:
            for _event, node in iterparse(f):
                tag = node.tag
                if tag.startswith(STRICT_MAIN):
                    ns, rel_ns = STRICT_MAIN, STRICT_REL
                local = tag.rsplit("}", 1)[-1]
                if local == "workbookPr" and node.get("date1904", "").lower() in ("1", "true"):
                    self.epoch = MAC_EPOCH
                elif local == "sheet" and sheet_target is None:
                    target = rels.get(node.get(rel_ns + "id", ""))
                    if target is not None and target[1].endswith("/worksheet"):
                        sheet_target = target[0]
        self.ns = ns
        if sheet_target is None or sheet_target not in names:
            raise XlsxError("no worksheet")
        self.sheet_path = sheet_target
        self.sheet_size = self.zip.getinfo(sheet_target).file_size
        by_type = {kind.rsplit("/", 1)[-1]: path for path, kind in rels.values()}
        self.date_styles, self.timedelta_styles = self._styles(by_type.get("styles"), names)
        sst = by_type.get("sharedStrings")
        self.strings = SharedStrings()
        if sst is not None and sst in names:
            with self.zip.open(sst) as f:
                self.strings = SharedStrings(f, ns)
        self.max_row: int | None = None
        self._sheet: _Counting | None = None

    def _office_document(self, names: set[str]) -> str:
        rels = self._rels("_rels/.rels", "", names)
        for path, kind in rels.values():
            if kind.endswith("/officeDocument") and path in names:
                return path
        if "xl/workbook.xml" in names:
            return "xl/workbook.xml"
        raise XlsxError("no workbook")

    def _rels(self, path: str, base: str, names: set[str]) -> dict[str, tuple[str, str]]:
        """{relationship id: (target's path in the zip, type)} of a .rels part."""
        out: dict[str, tuple[str, str]] = {}
        if path not in names:
            return out
        with self.zip.open(path) as f:
            for _event, node in iterparse(f):
                if node.tag.rsplit("}", 1)[-1] == "Relationship" and node.get("TargetMode") != "External":
                    target = node.get("Target", "")
                    full = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
                    out[node.get("Id", "")] = (posixpath.normpath(full), node.get("Type", ""))
        return out

    def _styles(self, path: str | None, names: set[str]) -> tuple[frozenset[int], frozenset[int]]:
        """The cell styles (indexes into cellXfs) that show a date or time, and those that show a duration."""
        if path is None or path not in names:
            return frozenset(), frozenset()
        custom: dict[int, str] = {}
        xf_formats: list[int] = []
        in_cell_xfs = False
        with self.zip.open(path) as f:
            for event, node in iterparse(f, events=("start", "end")):
                local = node.tag.rsplit("}", 1)[-1]
                if local == "cellXfs":
                    in_cell_xfs = event == "start"
                elif event == "end" and local == "numFmt":
                    try:
                        custom[int(node.get("numFmtId", ""))] = node.get("formatCode", "")
                    except ValueError:
                        pass
                elif event == "end" and local == "xf" and in_cell_xfs:
                    try:
                        xf_formats.append(int(node.get("numFmtId", "0")))
                    except ValueError:
                        xf_formats.append(0)
        dates, durations = set(), set()
        for i, fmt_id in enumerate(xf_formats):
            code = custom.get(fmt_id)
            if code is None:
                if fmt_id in DATE_FORMAT_IDS:
                    dates.add(i)
                if fmt_id in TIMEDELTA_FORMAT_IDS:
                    durations.add(i)
            else:
                if is_date_format(code):
                    dates.add(i)
                if _TIMEDELTA.search(code.split(";")[0]):
                    durations.add(i)
        return frozenset(dates), frozenset(durations)

    def fraction_read(self) -> float:
        """How much of the sheet's XML the parser has taken (0 to 1)."""
        if self._sheet is None or not self.sheet_size:
            return 0.0
        return min(self._sheet.read_bytes / self.sheet_size, 1.0)

    def rows(self) -> Iterator[tuple[int, list]]:
        # Only "start" events (half of the events of "start" and "end": their passing through Python is most of the
        # reading time): a row is whole once the next one starts, or once the sheet is parsed to its end; a row cut
        # short by a parse error is never given.
        row_tag, data_tag, dim_tag = self.ns + "row", self.ns + "sheetData", self.ns + "dimension"
        read_row = self._row_values
        row_number = 0
        sheet_data = row = None
        with self.zip.open(self.sheet_path) as f:
            self._sheet = _Counting(f)
            for _event, node in iterparse(self._sheet, events=("start",)):
                tag = node.tag
                if tag != row_tag:
                    if tag == data_tag:
                        sheet_data = node
                    elif tag == dim_tag:
                        self._dimension(node.get("ref", ""))
                    continue
                if row is not None:
                    row_number, values = read_row(row, row_number)
                    if sheet_data is not None:
                        sheet_data.clear()  # this row and those before: gone (the next one is still being built)
                    else:
                        row.clear()
                    yield row_number, values
                row = node
            if row is not None:
                row_number, values = read_row(row, row_number)
                row.clear()
                yield row_number, values

    def _row_values(self, node: Element, row_number: int) -> tuple[int, list]:
        """(this row's number, its values): `row_number` is the row before's."""
        ns = self.ns
        c_tag, v_tag, f_tag, is_tag = ns + "c", ns + "v", ns + "f", ns + "is"
        strings, dates, durations, epoch = self.strings, self.date_styles, self.timedelta_styles, self.epoch
        cached_string = strings._cache.get  # the repeated strings without a call of `strings[i]`
        column = _column
        r = node.get("r")
        row_number = int(float(r)) if r else row_number + 1
        values: list = []
        col = -1
        for cell in node:
            if cell.tag != c_tag:
                continue
            ref = cell.get("r")
            col = column(ref.rstrip("0123456789")) if ref else col + 1
            kind = cell.get("t", "n")
            formula = cell.find(f_tag)
            value: Any
            if formula is not None:
                value = "=" + (formula.text or "")
            elif kind == "inlineStr":
                inline = cell.find(is_tag)
                value = _text(inline, ns) if inline is not None else None
            else:
                value = cell.findtext(v_tag) or None
                if value is not None:
                    if kind == "n":
                        value = _number(value)
                        style = cell.get("s")
                        if style and int(style) in dates:
                            try:
                                value = from_excel(value, epoch, timedelta=int(style) in durations)
                            except (OverflowError, ValueError):
                                value = "#VALUE!"
                    elif kind == "s":
                        index = int(value)
                        value = cached_string(index)
                        if value is None:
                            value = strings[index]
                    elif kind == "b":
                        value = bool(int(value))
                    elif kind == "d":
                        value = from_iso(value)
                    # "str" (a formula's text result), "e" (an error code): the text as it is
            if col >= len(values):
                values.extend([None] * (col - len(values)))
                values.append(value)
            else:
                values[col] = value
        return row_number, values

    def _dimension(self, ref: str) -> None:
        last = ref.split(":")[-1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ$").replace("$", "")
        if last.isdigit():
            self.max_row = int(last)

    def close(self) -> None:
        strings = getattr(self, "strings", None)
        if strings is not None:
            strings.close()
        self.zip.close()
