"""The import pipeline: file → rows → per-row validation → whole-file checks → one transaction → report.

An importer declares its template (headers, key) and how to parse, check and apply rows; the
pipeline guarantees the rest: row-numbered Chinese errors, nothing written when anything is wrong,
dry runs that report exactly what a real run would do, and scope checks on every written object.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import asdict, dataclass, field

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .tabular import Table, UnreadableFile, read_table, unescape_cell


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

    def as_dict(self) -> dict:
        return asdict(self)

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


class Importer:
    """Base class: subclasses declare `kind`, `headers`, `key_header`, `required` and implement the hooks."""

    kind: str = ""
    verbose_name: str = ""
    model = None
    headers: list[str] = []
    key_header: str = ""
    required: set[str] = set()

    def __init__(self, user=None):
        self.user = user
        self.errors: list[RowMessage] = []
        self.warnings: list[RowMessage] = []

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

    def export_rows(self, queryset):
        """Rows of template values, in header order, for `queryset`."""
        raise NotImplementedError

    # ---- helpers for subclasses --------------------------------------------------------------
    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowMessage(row, column, str(message)))

    def warning(self, row: int, column: str, message: str) -> None:
        self.warnings.append(RowMessage(row, column, str(message)))

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

    # ---- the pipeline ------------------------------------------------------------------------
    def read(self, data: bytes, filename: str) -> Table | None:
        try:
            return read_table(data, filename)
        except UnreadableFile as exc:
            self.error(0, "", str(exc))
            return None

    def check_headers(self, table: Table) -> bool:
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

    def run(self, data: bytes, filename: str = "", *, dry_run: bool = False, progress=None) -> ImportResult:
        result = ImportResult(dry_run=dry_run)
        table = self.read(data, filename)
        rows: list[ParsedRow] = []
        if table is not None and self.check_headers(table):
            n_rows = len(table.rows)
            for index, (n, cells) in enumerate(table.rows, start=1):
                if progress:
                    progress(index, n_rows, "check")
                values = {}
                for i, h in enumerate(self.headers):
                    v = cells[i] if i < len(cells) else ""
                    if isinstance(v, str) and v.startswith("="):
                        self.error(n, h, _("Formulas are not allowed: enter the value itself."))
                        v = ""
                    values[h] = unescape_cell(v)
                for i in range(len(self.headers), len(cells)):
                    if cells[i] not in ("", None):
                        self.error(n, "", _("There is a value beyond the template's last column."))
                        break
                pr = ParsedRow(row=n, values=values)
                for h in self.required:
                    if values.get(h) in ("", None):
                        self.error(n, h, _("Required: this cell may not be empty."))
                self.parse_row(pr)
                rows.append(pr)
            if not rows and not self.errors:
                self.error(0, "", _("The file has a header but no data rows."))
            if not self.errors:
                self.check_file(rows)
        if not self.errors:
            try:
                with transaction.atomic():
                    result.created, result.updated, result.unchanged = self.apply(rows, progress=progress)
                    if dry_run:
                        transaction.set_rollback(True)
            except RowErrors as exc:
                self.errors.extend(exc.messages)
            except PermissionDenied as exc:
                self.error(0, "", str(exc) or _("Permission denied."))
        result.errors = sorted(
            self.errors, key=lambda m: (m.row, self.headers.index(m.column) if m.column in self.headers else -1)
        )
        result.warnings = self.warnings
        result.ok = not result.errors
        if not result.ok:
            result.created = result.updated = result.unchanged = 0
        return result


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
