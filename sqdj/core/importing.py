"""The import pipeline: file → rows → per-row validation → whole-file checks → one transaction → report.

An importer declares its template (headers, key) and how to parse, check and apply rows; the
pipeline guarantees the rest: row-numbered Chinese errors, nothing written when anything is wrong,
dry runs that report exactly what a real run would do, and scope checks on every written object.
"""

from __future__ import annotations

import datetime
import gc
import json
import pickle
import sqlite3
import struct
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import audit
from .tabular import Source, TableStream, UnreadableFile, open_table, unescape_cell, xlsx_cell

REPORT_COLUMN = "错误说明"  # the error report's added last column; a file that still has it imports without it


@dataclass
class RowMessage:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    ok: bool = True
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowMessage] = field(default_factory=list)
    warnings: list[RowMessage] = field(default_factory=list)
    # all the problems (warnings) found, when more than the listed ones (SQDJ_IMPORT_MAX_MESSAGES); else 0
    errors_total: int = 0
    warnings_total: int = 0

    def as_dict(self) -> dict:
        out = asdict(self)
        for key in ("errors_total", "warnings_total"):  # keys only of a capped list (interfaces.md §1 stays as is)
            if not out[key]:
                del out[key]
        return out

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)


class RowErrors(Exception):
    """Raised inside `apply` to reject the whole file with row-level messages."""

    def __init__(self, messages: list[RowMessage]):
        super().__init__(messages)
        self.messages = messages


def messages_from_validation(row: int, exc: ValidationError, columns: dict[str, str], default_column: str):
    """Turn a model/service ValidationError into row messages, naming template columns."""
    out = []
    if hasattr(exc, "error_dict"):
        for fieldname, errors in exc.message_dict.items():
            for msg in errors:
                out.append(RowMessage(row, columns.get(fieldname, default_column), msg))
    else:
        for msg in exc.messages:
            out.append(RowMessage(row, default_column, msg))
    return out


@dataclass
class ParsedRow:
    row: int
    values: dict  # header -> raw cell
    data: dict = field(default_factory=dict)  # cleaned values, by the importer's own names
    failed: bool = False  # the row has an error of its own (its `data` may be incomplete)


PREVIEW_ROWS = 10  # the first rows shown as parsed before an import is confirmed


class MessageLog:
    """Every error and warning of one run, uncapped, kept on disk (a private temporary SQLite database: deleted when
    closed, only its page cache in memory) and read back row by row in file order — what the error report (the
    uploaded sheet with an "错误说明" column) needs, however many messages a large file has."""

    ERROR, WARNING = "error", "warning"

    def __init__(self):
        self.db = sqlite3.connect("")  # "": a temporary database on disk
        self.db.execute("CREATE TABLE m (seq INTEGER PRIMARY KEY, row INTEGER, level TEXT, col TEXT, msg TEXT)")
        self.rows_with_errors = 0

    def add(self, level: str, m: RowMessage) -> None:
        self.db.execute("INSERT INTO m (row, level, col, msg) VALUES (?, ?, ?, ?)", (m.row, level, m.column, m.message))

    def clear(self) -> None:
        self.db.execute("DELETE FROM m")

    def count(self, level: str | None = None) -> int:
        where, args = ("WHERE level = ?", (level,)) if level else ("", ())
        return self.db.execute(f"SELECT count(*) FROM m {where}", args).fetchone()[0]  # noqa: S608 - fixed text

    def by_row(self) -> Iterator[tuple[int, list[tuple[str, str, str]]]]:
        """(row, [(level, column, message), …]) for every row with a message, in row order (row 0: the file's)."""
        self.db.execute("CREATE INDEX IF NOT EXISTS m_row ON m (row, seq)")
        current, found = 0, []  # type: tuple[int, list[tuple[str, str, str]]]
        for row, level, col, msg in self.db.execute("SELECT row, level, col, msg FROM m ORDER BY row, seq"):
            if row != current and found:
                yield current, found
                found = []
            current = row
            found.append((level, col, msg))
        if found:
            yield current, found

    def close(self) -> None:
        self.db.close()


class MessageList(list):
    """Row messages that keep at most `cap` of themselves — the first ones in the report's order (row, then column)
    — while `total` counts them all: a file of garbage cannot fill the memory with messages."""

    def __init__(self, cap: int, order):
        super().__init__()
        self.cap, self.order, self.total = max(cap, 1), order, 0

    def append(self, message: RowMessage) -> None:
        self.total += 1
        super().append(message)
        if len(self) >= 2 * self.cap:
            self.trim()

    def extend(self, messages: Iterable[RowMessage]) -> None:
        for m in messages:
            self.append(m)

    def trim(self) -> None:
        self.sort(key=self.order)  # stable: messages of one cell keep the order they were found in
        del self[self.cap :]

    def clear(self) -> None:
        super().clear()
        self.total = 0

    def report(self, more_message: str) -> tuple[list[RowMessage], int]:
        """(the kept messages in order, plus one saying how many more there were; the total, or 0 if all listed)."""
        self.trim()
        listed = list(self)
        if self.total <= len(listed):
            return listed, 0
        more = self.total - len(listed)
        return listed + [RowMessage(0, "", more_message % {"n": more, "shown": len(listed)})], self.total


class FirstRows:
    """{key: the first row it was seen in}, for the duplicate check of a streaming importer, in two flat arrays
    (open addressing): keys that `to_int` makes positive integers below 2**63 take 16–32 bytes each, where a dict
    of strings would take 100 or more (a 300,000-row file: some 6 MB instead of 30). Other keys go to a dict."""

    _MULT = 0x9E3779B97F4A7C15  # Fibonacci hashing: the top bits of key × 2**64/φ
    _M64 = (1 << 64) - 1

    def __init__(self, to_int=None, bits: int = 12):
        self.to_int = to_int
        self.others: dict = {}
        self._make(bits)
        self.count = 0

    def _make(self, bits: int) -> None:
        self.bits = bits
        self.keys = array("q", bytes(8 << bits))  # 0: an empty slot
        self.rows = array("i", bytes(4 << bits))

    def setdefault(self, key, row: int) -> int:
        """The row `key` was first seen in; `row` if it is new (then remembered)."""
        n = self.to_int(key) if self.to_int is not None else None
        if n is None:
            return self.others.setdefault(key, row)
        keys, mask = self.keys, (1 << self.bits) - 1
        i = ((n * self._MULT) & self._M64) >> (64 - self.bits)
        while True:
            k = keys[i]
            if k == n:
                return self.rows[i]
            if k == 0:
                keys[i], self.rows[i] = n, row
                self.count += 1
                if 4 * self.count > 3 * len(keys):
                    self._grow()
                return row
            i = (i + 1) & mask

    def _grow(self) -> None:
        keys, rows = self.keys, self.rows
        self._make(self.bits + 1)
        self.count = 0
        for k, r in zip(keys, rows, strict=True):
            if k:
                self._put(k, r)

    def _put(self, n: int, row: int) -> None:
        keys, mask = self.keys, (1 << self.bits) - 1
        i = ((n * self._MULT) & self._M64) >> (64 - self.bits)
        while keys[i]:
            i = (i + 1) & mask
        keys[i], self.rows[i] = n, row
        self.count += 1


class Spill:
    """Parsed rows set aside between the check and the write stage of a streaming import: pickled chunk by chunk
    into an anonymous temporary file (unlinked at once: gone when closed, even if the process is killed), read
    back chunk by chunk. Only `row` and `data` are kept (`values`, the raw cells, are not)."""

    _length = struct.Struct("<Q")

    def __init__(self):
        self.file = tempfile.TemporaryFile(prefix="sqdj-import-")
        self.chunks = 0

    def add(self, rows: list[ParsedRow]) -> None:
        blob = pickle.dumps([(pr.row, pr.data) for pr in rows], protocol=pickle.HIGHEST_PROTOCOL)
        self.file.write(self._length.pack(len(blob)))
        self.file.write(blob)
        self.chunks += 1

    def __iter__(self) -> Iterator[list[ParsedRow]]:
        self.file.seek(0)
        for _i in range(self.chunks):
            (size,) = self._length.unpack(self.file.read(self._length.size))
            yield [ParsedRow(row=n, values={}, data=data) for n, data in pickle.loads(self.file.read(size))]

    def close(self) -> None:
        self.file.close()


class Importer:
    """Base class: subclasses declare `kind`, `headers`, `key_header`, `required` and implement the hooks.

    Two ways through the pipeline. By default the parsed rows of the whole file are one list, handed to
    `check_file` and then to `apply` (the tree importers: their files are small, and the checks need the whole
    tree). A `streaming` importer sees its rows a chunk (`chunk_size` rows) at a time, and the file is never
    whole in memory: `check_chunk` for each chunk while the rows are read, then — the file being clean — the
    parsed rows come back from a temporary file (`Spill`) and `apply_chunk` writes them chunk by chunk, all in
    the one transaction. Either way the file is rejected whole, a dry run rolls back, and whole-file checks
    report only when every row is valid in itself.
    """

    kind: str = ""
    verbose_name: str = ""
    model = None
    headers: list[str] = []
    key_header: str = ""
    required: set[str] = set()
    streaming = False
    chunk_size = 2000  # rows per chunk of a streaming importer
    # The template's columns (interfaces.md §2), what the template download writes; `headers` may go beyond them
    # with optional columns the export writes. None: the same as `headers`.
    template_headers: list[str] | None = None
    # non-streaming importers whose `check_file` may be given only the rows that parsed (every error in one pass);
    # the others (the trees: a row's parent may be a row that failed) are checked whole, only when every row parsed
    checks_parsed_rows = False
    message_log: MessageLog | None = None  # set by the caller that wants every message (the error report)
    preview: list[dict]  # the first rows as parsed (PREVIEW_ROWS): {"row": n, "cells": [text per header]}
    errors: MessageList
    warnings: MessageList
    _last_row: int  # the row of the last error, and its columns (`reported_columns`)
    _last_columns: set[str]

    def __init__(self, user=None):
        self.user = user
        self.preview = []
        self._reset_messages()

    # ---- hooks -------------------------------------------------------------------------------
    def parse_row(self, pr: ParsedRow) -> None:
        """Fill `pr.data` from `pr.values`; report problems with `self.error(...)`."""
        raise NotImplementedError

    def check_file(self, rows: list[ParsedRow]) -> None:
        """Whole-file checks (duplicates, references, cycles); report with `self.error(...)`."""

    def apply(self, rows: list[ParsedRow], progress=None) -> tuple[int, int, int]:
        """Write the rows; return (created, updated, unchanged). Raise RowErrors to reject the file.

        `progress(done, total)` may be called as rows are written."""
        raise NotImplementedError

    def check_chunk(self, rows: list[ParsedRow]) -> None:
        """Streaming: the whole-file checks for the next chunk of rows (in file order; what they need to know about
        the chunks before, they keep — compactly). Given only the rows that parsed (no error of their own), so that
        a file's reference errors (codes, duplicates) are reported together with its format errors."""

    def apply_chunk(self, rows: list[ParsedRow], progress=None) -> tuple[int, int, int]:
        """Streaming: write the next chunk (rows hold `row` and `data`), inside the import's transaction; return
        (created, updated, unchanged). Raise RowErrors to reject the file. `progress(done, total)` within the
        chunk."""
        raise NotImplementedError

    def export_rows(self, queryset):
        """Rows of template values, in header order, for `queryset`."""
        raise NotImplementedError

    # ---- the template download (core.import_templates) ---------------------------------------------------------
    def get_template_headers(self) -> list[str]:
        return list(self.template_headers or self.headers)

    def example_row(self) -> dict[str, object] | None:
        """{header: value} of one valid, clearly fictional row that imports for `self.user` (codes from their scope);
        None: core.import_templates builds one from the declarations where it can."""
        return None

    def template_choices(self) -> dict[str, list[str]]:
        """{header: the words allowed in it} (choices.TEMPLATE_LABELS and the like), for the notes sheet."""
        return {}

    def template_notes(self) -> dict[str, str]:
        """{header: a note on what to write} for the notes sheet, beyond what the declarations say."""
        return {}

    # ---- helpers for subclasses --------------------------------------------------------------
    def error(self, row: int, column: str, message: str) -> None:
        if row != self._last_row:
            self._last_row, self._last_columns = row, set()
        self._last_columns.add(column)
        m = RowMessage(row, column, str(message))
        self.errors.append(m)
        if self.message_log is not None:
            self.message_log.add(MessageLog.ERROR, m)

    def reported_columns(self, row: int) -> set[str]:
        """The columns of `row` that have an error already (rows are parsed in order)."""
        return self._last_columns if row == self._last_row else set()

    def warning(self, row: int, column: str, message: str) -> None:
        m = RowMessage(row, column, str(message))
        self.warnings.append(m)
        if self.message_log is not None:
            self.message_log.add(MessageLog.WARNING, m)

    def text(self, pr: ParsedRow, header: str, max_length: int | None = None) -> str:
        value = pr.values.get(header, "")
        if isinstance(value, datetime.date):
            value = value.isoformat()
        value = str(value).strip()
        if max_length and len(value) > max_length:
            self.error(pr.row, header, _("Too long: at most %(n)d characters.") % {"n": max_length})
        return value

    def choice(self, pr: ParsedRow, header: str, labels: dict) -> str | None:
        """Map a template word to its stored value; `labels` is value → template word."""
        raw = self.text(pr, header)
        if raw == "":
            return None
        reverse = {v: k for k, v in labels.items()}
        if raw not in reverse:
            self.error(
                pr.row,
                header,
                _("“%(value)s” is not one of: %(choices)s.") % {"value": raw, "choices": "、".join(labels.values())},
            )
            return None
        return str(reverse[raw])

    def date(self, pr: ParsedRow, header: str) -> datetime.date | None:
        value = pr.values.get(header, "")
        if value in ("", None):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            self.error(pr.row, header, _("Not a date: write it as YYYY-MM-DD, e.g. 2021-07-01."))
            return None

    # ---- the pipeline ------------------------------------------------------------------------------------------
    def _order(self, m: RowMessage):
        return m.row, self.headers.index(m.column) if m.column in self.headers else -1

    def _reset_messages(self) -> None:
        cap = settings.SQDJ_IMPORT_MAX_MESSAGES
        self.errors = MessageList(cap, self._order)
        self.warnings = MessageList(cap, self._order)
        self._last_row, self._last_columns = -1, set()
        if self.message_log is not None:
            self.message_log.clear()

    def check_headers(self, table: TableStream) -> bool:
        got = table.headers
        if got == self.headers:
            return True
        missing = [h for h in self.headers if h not in got]
        extra = [h for h in got if h not in self.headers]
        for h in missing:
            self.error(1, h, _("Missing column “%(col)s”.") % {"col": h})
        for h in extra:
            self.error(
                1,
                h or _("(empty header)"),
                _("Unexpected column “%(col)s”: the template has only: %(cols)s.")
                % {"col": h, "cols": "、".join(self.headers)},
            )
        dupes = {h for h in got if got.count(h) > 1}
        for h in dupes:
            self.error(1, h, _("Column “%(col)s” appears more than once.") % {"col": h})
        if not missing and not extra and not dupes:
            self.error(1, "", _("The columns must be in this order: %(cols)s.") % {"cols": "、".join(self.headers)})
        return False

    def _parsed(self, stream: TableStream, progress) -> Iterator[ParsedRow]:
        """The data rows, parsed and checked one by one (the cell checks of every template, then `parse_row`)."""
        headers, required = self.headers, self.required
        width = len(headers)
        # the "错误说明" of an error report uploaded again is not data
        skipped = width + 1 if getattr(stream, "report_column", False) else width
        total = stream.estimated_rows()
        index = 0
        for index, (n, cells) in enumerate(stream.rows, start=1):
            if progress:
                if index % 1000 == 1:
                    total = stream.estimated_rows(index)
                progress(index, max(total, index), "check")
            values = {}
            for i, h in enumerate(headers):
                v = cells[i] if i < len(cells) else ""
                if isinstance(v, str) and v[:1] in ("=", "'"):  # the rare cells: the others go as they are
                    if v.startswith("="):
                        self.error(n, h, _("Formulas are not allowed: enter the value itself."))
                        v = ""
                    v = unescape_cell(v)
                values[h] = v
            for i in range(skipped, len(cells)):
                if cells[i] not in ("", None):
                    self.error(n, "", _("There is a value beyond the template's last column."))
                    break
            pr = ParsedRow(row=n, values=values)
            errors_before = self.errors.total
            for h in required:
                if values.get(h) in ("", None):
                    self.error(n, h, _("Required: this cell may not be empty."))
            self.parse_row(pr)
            pr.failed = self.errors.total != errors_before
            if index <= PREVIEW_ROWS:
                self.preview.append({"row": n, "cells": [self._shown(h, values.get(h, "")) for h in headers]})
            yield pr
        if progress and index and index != total:
            progress(index, index, "check")  # the estimate was off: end at the true count

    def _shown(self, header: str, value) -> str:
        """A cell of the preview: the value as read (a date as YYYY-MM-DD), personal numbers masked."""
        if isinstance(value, datetime.datetime | datetime.date):
            value = value.isoformat()
        text = "" if value is None else str(value)
        return self.mask_cell(header, text) if text else text

    def mask_cell(self, header: str, text: str) -> str:
        """The preview's text of a cell: personal numbers masked (the importers that have them say how)."""
        return text

    def _check_stream(self, stream: TableStream, progress) -> tuple[Spill | None, int]:
        """The check stage of a streaming importer: (the clean rows set aside, how many), or (None, n) if rejected.

        `check_chunk` sees the rows of each chunk that parsed, whatever the others: a file's format and reference
        errors come in one report. The whole-file messages are kept apart while reading, and merged in report
        order at the end. Once anything is wrong, nothing more is set aside (the file will not be written)."""
        spill = Spill()
        rows = self._parsed(stream, progress)
        file_errors, file_warnings = (
            MessageList(self.errors.cap, self._order),
            MessageList(self.warnings.cap, self._order),
        )
        count = 0
        chunk: list[ParsedRow] = []
        try:
            while True:
                del chunk  # not alive while the next one is read
                chunk = list(islice(rows, self.chunk_size))
                if not chunk:
                    break
                count += len(chunk)
                parsed = [pr for pr in chunk if not pr.failed]
                if parsed:
                    errors, warnings = self.errors, self.warnings
                    self.errors, self.warnings = file_errors, file_warnings
                    try:
                        self.check_chunk(parsed)
                    finally:
                        self.errors, self.warnings = errors, warnings
                del parsed
                if not self.errors and not file_errors:
                    spill.add(chunk)
        except BaseException:
            spill.close()
            raise
        for mine, theirs in ((self.errors, file_errors), (self.warnings, file_warnings)):
            mine.extend(theirs)  # (in the message log already: they came through `error`/`warning`)
            mine.total += theirs.total - len(theirs)  # those the cap left out still count
        if self.errors:
            spill.close()
            return None, count
        return spill, count

    def _write_stream(self, spill: Spill, count: int, progress) -> tuple[int, int, int]:
        created = updated = unchanged = 0
        offset, reported = 0, 0

        def report(done: int, _total: int = 0) -> None:
            nonlocal reported
            if progress and offset + done != reported:
                reported = offset + done
                progress(reported, count, "write")

        for chunk in spill:
            c, u, n = self.apply_chunk(chunk, progress=report)
            created, updated, unchanged = created + c, updated + u, unchanged + n
            report(len(chunk))
            offset += len(chunk)
            del chunk  # not alive while the next one is read back
        return created, updated, unchanged

    def run(self, data: Source, filename: str = "", *, dry_run: bool = False, progress=None) -> ImportResult:
        """Import a file: `data` is its path (best: nothing of it is held in memory), an open seekable binary file, or
        its bytes; `filename` tells a .csv from an .xlsx when the content does not."""
        result = ImportResult(dry_run=dry_run)
        self._reset_messages()
        rows: list[ParsedRow] = []
        spill: Spill | None = None
        count = 0
        self.preview = []
        gc_was_enabled = gc.isenabled()
        if self.streaming:
            # The cyclic garbage collector would scan the whole heap — Django, the app, its caches — again and again
            # while a long import allocates (a sixth of its time, measured), and would find next to nothing: a
            # 30,000-row import leaves some 80 objects in cycles. Off for the import; freed by refcount, rows
            # come and go without piling up.
            gc.disable()
        try:
            with open_table(data, filename) as stream:
                # an error report corrected and uploaded again: its last column is the messages, not data
                stream.report_column = bool(stream.headers) and stream.headers[-1] == REPORT_COLUMN
                if stream.report_column:
                    stream.headers = stream.headers[:-1]
                if self.check_headers(stream):
                    if self.streaming:
                        spill, count = self._check_stream(stream, progress)
                    else:
                        rows = list(self._parsed(stream, progress))
                        count = len(rows)
        except UnreadableFile as exc:  # found on opening, or half-way: the one problem to report
            self._reset_messages()
            self.error(0, "", str(exc))
            spill = None
        try:
            if not self.errors and not count:
                self.error(0, "", _("The file has a header but no data rows."))
            if not self.streaming and rows and (not self.errors or self.checks_parsed_rows):
                parsed = [pr for pr in rows if not pr.failed] if self.errors else rows
                if parsed:
                    self.check_file(parsed)
            if not self.errors:
                try:
                    with transaction.atomic(), audit.import_scope():
                        first_change = audit.last_change_id()
                        if spill is not None:
                            result.created, result.updated, result.unchanged = self._write_stream(
                                spill, count, progress
                            )
                        else:
                            result.created, result.updated, result.unchanged = self.apply(rows, progress=progress)
                        if dry_run:
                            transaction.set_rollback(True)
                        else:  # one audit event for the whole file, with a digest of its change-log rows
                            audit.record_import(
                                self.kind,
                                after_pk=first_change,
                                created=result.created,
                                updated=result.updated,
                                unchanged=result.unchanged,
                            )
                except RowErrors as exc:
                    for m in exc.messages:
                        self.error(m.row, m.column, m.message)
                except IntegrityError:  # found at the commit (deferred keys): a row's org or area removed meanwhile
                    self.error(0, "", _("The data changed while the file was being imported; please import it again."))
                except PermissionDenied as exc:
                    self.error(0, "", str(exc) or _("Permission denied."))
        finally:
            if spill is not None:
                spill.close()
            if gc_was_enabled:
                gc.enable()
        more = _("… and %(n)d more problems, not listed: only the first %(shown)d are.")
        result.errors, result.errors_total = self.errors.report(more)
        result.warnings, result.warnings_total = self.warnings.report(
            _("… and %(n)d more warnings, not listed: only the first %(shown)d are.")
        )
        result.ok = not result.errors
        if not result.ok:
            result.created = result.updated = result.unchanged = 0
            if not dry_run:  # a rejected file is audited too (nothing of it was written)
                errors = result.errors_total or len(result.errors)
                audit.record(audit.Event.IMPORT, outcome=audit.Outcome.FAILED, object_type=self.kind,
                             detail={"errors": errors})  # fmt: skip
        return result


def write_error_report(data: Source, filename: str, log: MessageLog, target) -> int:
    """The uploaded sheet again, every row of it, with a last column "错误说明" holding each row's errors (and
    warnings, marked as such), written to the path `target` as .xlsx. Read and written row by row (openpyxl's
    write-only mode streams its cells to a temporary file), the messages from the log in row order: constant
    memory whatever the size of the file. Returns the number of rows with a message."""
    from openpyxl import Workbook  # noqa: PLC0415 - heavy; only the report and the exports need it

    def text(found: list[tuple[str, str, str]]) -> str:
        parts = []
        for level, column, message in found:
            part = f"{column}：{message}" if column else message
            parts.append(part if level == MessageLog.ERROR else _("(warning) %(message)s") % {"message": part})
        return "；".join(parts)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    marked = 0
    messages = log.by_row()
    pending = next(messages, None)
    with open_table(data, filename) as stream:
        headers = list(stream.headers)
        if headers and headers[-1] == REPORT_COLUMN:  # a report of a report: the old messages go
            headers.pop()
        width = len(headers)
        while pending is not None and pending[0] <= stream.header_row:  # the header's problems: on its own cell
            pending = next(messages, None)
        ws.append([*headers, REPORT_COLUMN])
        for n, cells in stream.rows:
            while pending is not None and pending[0] < n:  # a row that was dropped (empty): nothing to mark
                pending = next(messages, None)
            note = ""
            if pending is not None and pending[0] == n:
                note, pending = text(pending[1]), next(messages, None)
                marked += 1
            row = [xlsx_cell(ws, v) for v in [*cells[:width], *[""] * (width - len(cells))]]
            ws.append([*row, note])
    wb.save(target)
    return marked


_registry: dict[str, type[Importer]] = {}


def register_importer(cls: type[Importer]) -> type[Importer]:
    _registry[cls.kind] = cls
    return cls


def get_importer(kind: str) -> type[Importer]:
    for config in apps.get_app_configs():  # importers register themselves when their module loads
        if config.name.startswith("sqdj."):
            try:
                __import__(f"{config.name}.importers")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.importers":
                    raise
    return _registry[kind]


def importer_kinds() -> list[str]:
    try:
        get_importer("")
    except KeyError:
        pass
    return sorted(_registry)
