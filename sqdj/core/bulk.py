"""The one bulk writer: rows straight into a model's table, a few statements per thousand rows.

Used where `save()` one by one (or Django's `bulk_create`, which spends most of its time compiling SQL value by
value) is too slow: the member importer and the synthetic city. No signals, no `auto_now`, no change log: the caller
fills those columns (`core.changelog` makes the change-log rows, written through here too).

- PostgreSQL: COPY … FROM STDIN through psycopg 3 (`cursor.copy`) — psycopg adapts row by row in C, where
  thousands of query parameters would cost more than the rows — and the rows may come from a generator: the
  server inserts while the caller makes the next rows. COPY returns nothing: callers that need the new keys draw
  them first (`next_ids`), or give explicit ids and `reset_sequences` afterwards.
- Elsewhere (SQLite): INSERT … VALUES (…), (…) in batches as large as the parameter limit allows (up to 1,000
  rows), with RETURNING when asked.

Values are converted as the ORM converts them (encryption of personal data, JSON, dates) unless the caller brings
database values already (`convert=False`, e.g. the synthetic city, which encrypts with its own cached key).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection

CHUNK = 500  # ids per IN (…) query: well under SQLite's 999 parameters
ARRAY_CHUNK = 10_000  # keys per `= ANY(array)` query on PostgreSQL (core.querysets.AnyOf: one parameter)
MAX_ROWS_PER_INSERT = 1000

# fields whose Python value is the database value (no conversion needed) unless they hold personal data
_PLAIN = {"CharField", "TextField", "BooleanField", "IntegerField", "BigIntegerField", "PositiveIntegerField",
          "SmallIntegerField", "ForeignKey", "OneToOneField", "BigAutoField", "AutoField"}  # fmt: skip


def chunks(values: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    """`values` in slices of `size` (e.g. for `pk__in` queries)."""
    for i in range(0, len(values), size):
        yield values[i : i + size]


def key_chunks(values: Sequence) -> Iterator[Sequence]:
    """`values` in slices for `core.querysets.AnyOf` lookups: large on PostgreSQL (one array parameter a query),
    within the parameter limit elsewhere."""
    return chunks(values, ARRAY_CHUNK if connection.vendor == "postgresql" else CHUNK)


def is_streaming() -> bool:
    """Whether rows go in by COPY (PostgreSQL): a generator of rows is consumed while the server inserts."""
    return connection.vendor == "postgresql"


def next_ids(model, n: int) -> list[int]:
    """PostgreSQL: `n` new primary keys from the table's sequence (then COPY can write the rows with them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, n],
        )
        return [r[0] for r in cursor.fetchall()]


def reset_sequences(*models) -> None:
    """After rows written with explicit ids: the tables' sequences continue after the largest id (PostgreSQL; SQLite
    keeps track by itself)."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except (AttributeError, sqlite3.Error):
            return connection.features.max_query_params or 999
    return connection.features.max_query_params or 65535


def _last_value_cached(convert):
    """`convert` that remembers its last result: a batch shares one timestamp, converted once."""
    last = [None, None]

    def cached(value):
        if value is not last[0]:
            last[0], last[1] = value, convert(value)
        return last[1]

    return cached


def _converter(field):
    kind = field.get_internal_type()
    if kind in _PLAIN and not getattr(field, "pii", False):
        return None
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    if kind == "DateTimeField":
        return _last_value_cached(lambda v: field.get_db_prep_save(v, connection))
    return lambda v: field.get_db_prep_save(v, connection)


def _slices(rows: list, per_statement: int) -> Iterator[list]:
    """`rows` in full statements of `per_statement` rows, then the rest in powers of two. Few distinct statements:
    SQLite's connection keeps the last 128 prepared ones, and a prepared INSERT of a thousand rows takes a megabyte
    or so — with a statement for every remainder size, a long import's memory grew with it."""
    i, n = 0, len(rows)
    while n - i >= per_statement:
        yield rows[i : i + per_statement]
        i += per_statement
    size = 1 << max(per_statement.bit_length() - 1, 0)
    while i < n:
        while size > n - i:
            size >>= 1
        yield rows[i : i + size]
        i += size


class BulkWriter:
    """Rows (sequences of Python values in the order of `attnames`: field names or attnames such as "org_id") into
    `model`'s table, pushed batch by batch with `write()`; `close()` ends the writing (a context manager does it,
    and on an error ends a COPY in progress with CopyFail, so that the transaction can roll back).

    On PostgreSQL one COPY takes every batch, opened by the first `write()`: between `write()`s the connection is
    busy with it — nothing else may run on it until `close()`."""

    def __init__(self, model, attnames: Sequence[str], *, convert: bool = True):
        self.model = model
        self.fields = [model._meta.get_field(a) for a in attnames]
        converters = [_converter(f) for f in self.fields] if convert else []
        self.converting = [(i, c) for i, c in enumerate(converters) if c is not None]
        self.quote = connection.ops.quote_name
        self.columns = ", ".join(self.quote(f.column) for f in self.fields)
        self.table = self.quote(model._meta.db_table)
        # the open COPY on PostgreSQL (None until the first streamed rows)
        self._cursor: Any = None
        self._copy_cm: Any = None
        self._copy: Any = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            self.close()
        else:
            self.abort(exc)

    def _converted(self, row):
        if not self.converting:
            return row
        row = list(row)
        for i, c in self.converting:
            if row[i] is not None:
                row[i] = c(row[i])
        return row

    def write(self, rows: Iterable[Sequence], returning: Sequence[str] = ()) -> list:
        """Write `rows`; with `returning` (SQLite only) the named columns of the new rows, in any order."""
        if isinstance(rows, Sequence) and not rows:
            return []
        if is_streaming():
            if returning:
                raise ValueError("COPY returns no columns: draw the primary keys with next_ids()")
            if self._copy is None:
                self._cursor = connection.cursor()
                self._copy_cm = self._cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN")
                self._copy = self._copy_cm.__enter__()
            write_row, converted = self._copy.write_row, self._converted
            if self.converting:
                for row in rows:
                    write_row(converted(row))
            else:
                for row in rows:
                    write_row(row)
            return []
        return self._insert(list(rows), returning)

    def _insert(self, rows: list, returning: Sequence[str]) -> list:
        if not rows:
            return []
        head = f"INSERT INTO {self.table} ({self.columns}) VALUES "
        tail = ""
        if returning:
            tail = " RETURNING " + ", ".join(self.quote(self.model._meta.get_field(c).column) for c in returning)
        one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        per_statement = max(1, min(MAX_ROWS_PER_INSERT, _max_params() // len(self.fields)))
        out = []
        with connection.cursor() as cursor:
            for chunk in _slices(rows, per_statement):
                params = []
                for row in chunk:
                    params.extend(self._converted(row))
                cursor.execute(head + ", ".join([one] * len(chunk)) + tail, params)
                if returning:
                    out.extend(cursor.fetchall())
        return out

    def close(self) -> None:
        if self._copy_cm is not None:
            self._copy_cm.__exit__(None, None, None)
            self._cursor.close()
            self._cursor = self._copy_cm = self._copy = None

    def abort(self, exc: BaseException) -> None:
        """End a COPY in progress with CopyFail (the transaction is then rolled back by whoever holds it)."""
        if self._copy_cm is not None:
            cm, cursor = self._copy_cm, self._cursor
            self._cursor = self._copy_cm = self._copy = None
            try:
                cm.__exit__(type(exc), exc, exc.__traceback__)
            finally:
                cursor.close()


def insert_rows(model, attnames: Sequence[str], rows: Iterable[Sequence], *, returning: Sequence[str] = (),
                convert: bool = True) -> list:  # fmt: skip
    """Write `rows` into `model`'s table in one go (see BulkWriter); with `returning` (SQLite only) the named columns
    of the new rows."""
    with BulkWriter(model, attnames, convert=convert) as writer:
        return writer.write(rows, returning)
