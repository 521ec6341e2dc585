"""Backup and restore of the whole database (`sqdj backup -o FILE`, `sqdj restore FILE`, the daily backup job).

The file is a zip archive:

- ``manifest.json``: the format and its version, the deployment id (``SQDJ_DEPLOYMENT_ID``), when it was made, the
  database it came from, the applied migrations, two key checks (below) and one entry per table — its model, its
  columns, its row count and the SHA-256 of its rows file — and ``checksum``, the SHA-256 of the manifest's canonical
  JSON without that key (so it covers every table's checksum, hence the whole payload);
- ``tables/<db_table>.jsonl``: one line per row, ordered by primary key, a JSON array of the column values in the
  manifest's column order, canonical (dates ISO 8601, times in UTC, decimals as strings, UUIDs with dashes, JSON
  columns as their sorted compact text) so that SQLite and PostgreSQL give the same bytes for the same rows; a file
  may be restored into the other database.

Values are read by raw SQL: personal fields (``pii = True``, e.g. ``EncryptedCharField``) are copied exactly as
stored, ciphertext, and never decrypted. The keys (``SQDJ_PII_KEYS``, ``SQDJ_PII_INDEX_KEY``, ``SECRET_KEY``, the
signing key) live outside the database and are never in the file; the manifest only carries a Fernet token of a
fixed text and a blind index of another, so that a restore can tell that the keys configured are the ones the
data were written with. Sessions are left out (a session key is a bearer credential): users sign in again.

Consistency. SQLite: the sqlite3 backup API copies the database into a temporary file next to the output in one
step (a consistent snapshot, writers are not blocked in WAL mode), and the copy is serialized. PostgreSQL: one
``REPEATABLE READ, READ ONLY`` transaction reads every table (server-side cursors), as pg_dump does.

Restore. Only into an empty database of this deployment with the same migrations applied: no rows except what
migrations and ``flush`` put back (content types, permissions, the rulebook rows), which the file's rows replace.
One transaction: every table's rows are inserted, each rows file checked against its count and checksum as it is
read, PostgreSQL's sequences reset, and every table read back and compared with the manifest; any difference rolls
everything back.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import decimal
import hashlib
import json
import os
import re
import sqlite3
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from . import pii

FORMAT = "sqdj-backup"
VERSION = 1
MANIFEST = "manifest.json"
BATCH = 1000
# Rows that `migrate` and `flush` create by themselves: an "empty" database has these, and a restore replaces them.
# An app whose reference data comes back after a flush (post_migrate) adds its model with `register_seeded`.
SEEDED = ["contenttypes.contenttype", "auth.permission", "core.ruleparameter"]


def register_seeded(label: str) -> None:
    """Declare a model (`app_label.model_name`) whose rows `migrate` and `flush` put there by themselves (an app's
    reference data, e.g. the volunteers' national post kinds): an empty database may hold them, a restore replaces
    them with the file's."""
    if label not in SEEDED:
        SEEDED.append(label)


# Never in a backup: a session key is a credential (users sign in again after a restore).
EXCLUDED = ("sessions.session",)
KEY_CHECK_TEXT = "sqdj backup key check"
SNAPSHOT_ALIAS = "sqdj_backup_snapshot"

Progress = Callable[[str], None]


class BackupError(Exception):
    """A file or a database that a restore refuses (exit 1, nothing written); `code` is stable for --json."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


def _quiet(_text: str) -> None:
    pass


# ---- tables and values -------------------------------------------------------------------------------------------


def backed_up_models(connection: BaseDatabaseWrapper | None = None) -> list[type[models.Model]]:
    """The models whose tables a backup holds, in table order: every concrete model with a table, many-to-many
    tables included, sessions excluded."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    existing = set(connection.introspection.table_names())
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.swapped or meta.label_lower in EXCLUDED:
            continue
        if meta.db_table in existing:
            found.setdefault(meta.db_table, model)
    return [found[table] for table in sorted(found)]


def _base_field(field: models.Field) -> models.Field:
    """The field whose type a column's values have (a foreign key's target field)."""
    while isinstance(field, models.ForeignKey):
        field = field.target_field
    return field


def _column(field: models.Field) -> str:
    return str(field.column)


def _is_pii(field: models.Field) -> bool:
    return bool(getattr(field, "pii", False))


def _canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _reader(model: type[models.Model], field: models.Field, connection: BaseDatabaseWrapper) -> Callable:
    """raw database value → its canonical JSON value. The database backend's converters apply (SQLite's text dates,
    integer booleans), the field's own `from_db_value` never does: a personal field stays ciphertext."""
    col = field.get_col(model._meta.db_table)
    converters = connection.ops.get_db_converters(col)
    is_json = isinstance(_base_field(field), models.JSONField) and not _is_pii(field)

    def read(value: Any) -> Any:
        if value is None:
            return None
        if is_json:
            return _canonical_json(json.loads(value) if isinstance(value, str | bytes) else value)
        for converter in converters:
            value = converter(value, col, connection)
        return _plain(value)

    return read


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode()
    return str(value)  # e.g. an IP address object


def _writer(field: models.Field, connection: BaseDatabaseWrapper) -> Callable:
    """canonical JSON value → the parameter that stores it, as the ORM would (a personal field: as is)."""
    if _is_pii(field):
        return lambda value: value
    base = _base_field(field)
    if isinstance(base, models.JSONField):
        encoder = getattr(base, "encoder", None)
        return lambda value: None if value is None else connection.ops.adapt_json_value(json.loads(value), encoder)
    parse: Callable[[Any], Any] = lambda value: value  # noqa: E731
    if isinstance(base, models.DateTimeField):
        parse = datetime.datetime.fromisoformat
    elif isinstance(base, models.DateField):
        parse = datetime.date.fromisoformat
    elif isinstance(base, models.TimeField):
        parse = datetime.time.fromisoformat
    elif isinstance(base, models.DurationField):
        parse = lambda value: datetime.timedelta(microseconds=value)  # noqa: E731
    elif isinstance(base, models.DecimalField):
        parse = decimal.Decimal
    elif isinstance(base, models.UUIDField):
        parse = uuid.UUID
    elif isinstance(base, models.BinaryField):
        parse = base64.b64decode

    def write(value: Any) -> Any:
        if value is None:
            return None
        return field.get_db_prep_save(parse(value), connection)

    return write


def _fields(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _select(model: type[models.Model], fields: list[models.Field], connection: BaseDatabaseWrapper) -> str:
    qn = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    order = qn(_column(pk))
    if connection.vendor == "postgresql" and _base_field(pk).get_internal_type() in ("CharField", "TextField"):
        order += ' COLLATE "C"'  # byte order, as SQLite's BINARY: the same rows file on both databases
    columns = ", ".join(qn(_column(f)) for f in fields)
    return f"SELECT {columns} FROM {qn(model._meta.db_table)} ORDER BY {order}"


def _lines(model: type[models.Model], connection: BaseDatabaseWrapper) -> Iterator[bytes]:
    """The rows file of `model`'s table, line by line (a server-side cursor on PostgreSQL)."""
    fields = _fields(model)
    readers = [_reader(model, f, connection) for f in fields]
    with connection.chunked_cursor() as cursor:
        cursor.execute(_select(model, fields, connection))
        while rows := cursor.fetchmany(BATCH):
            for row in rows:
                values = [read(value) for read, value in zip(readers, row, strict=True)]
                yield (_canonical_json(values) + "\n").encode()


def _digest(model: type[models.Model], connection: BaseDatabaseWrapper) -> tuple[int, str]:
    count, digest = 0, hashlib.sha256()
    for line in _lines(model, connection):
        digest.update(line)
        count += 1
    return count, digest.hexdigest()


def _applied_migrations(connection: BaseDatabaseWrapper) -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _manifest_checksum(manifest: dict) -> str:
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    return hashlib.sha256(_canonical_json(body).encode()).hexdigest()


# ---- backup -----------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _snapshot(connection: BaseDatabaseWrapper, workdir: Path) -> Iterator[BaseDatabaseWrapper]:
    """A connection that sees one consistent state of the whole database for as long as the block runs."""
    if connection.in_atomic_block:
        # already inside a transaction (a job run at once by the tests' immediate backend, a test case): its own
        # view of the data is what there is to copy — and SQLite's backup API would wait for ever on the write
        # lock this very connection may hold
        yield connection
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        fd, name = tempfile.mkstemp(prefix=".sqdj-snapshot-", suffix=".sqlite3", dir=workdir)
        os.close(fd)
        copy = None
        try:
            target = sqlite3.connect(name)
            try:
                connection.connection.backup(target)  # all pages in one step: one consistent state
            finally:
                target.close()
            options = {
                k: v
                for k, v in connection.settings_dict.get("OPTIONS", {}).items()
                if k not in ("init_command", "transaction_mode")
            }
            copy = type(connection)({**connection.settings_dict, "NAME": name, "OPTIONS": options}, SNAPSHOT_ALIAS)
            connections[SNAPSHOT_ALIAS] = copy  # the ORM (the migration recorder) finds it by its alias
            yield copy
        finally:
            if copy is not None:
                copy.close()
                del connections[SNAPSHOT_ALIAS]
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name + suffix)
    else:
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield connection


def backup(path: str | os.PathLike, *, progress: Progress = _quiet, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Write the whole database to the backup file `path` (replaced only once complete; mode 0600). Returns a
    summary: file, bytes, tables, rows, checksum, created."""
    path = Path(path)
    connection = connections[using]
    workdir = path.parent if str(path.parent) else Path(".")
    workdir.mkdir(parents=True, exist_ok=True)
    created = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=workdir)
    os.close(fd)
    try:
        with _snapshot(connection, workdir) as snap:
            tables = []
            chosen = backed_up_models(snap)
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
                for i, model in enumerate(chosen, 1):
                    table = model._meta.db_table
                    progress(
                        _("Backing up table %(table)s (%(i)d/%(n)d)…") % {"table": table, "i": i, "n": len(chosen)}
                    )
                    count, digest = 0, hashlib.sha256()
                    with zf.open(f"tables/{table}.jsonl", "w", force_zip64=True) as out:
                        for line in _lines(model, snap):
                            digest.update(line)
                            out.write(line)
                            count += 1
                    tables.append(
                        {
                            "table": table,
                            "model": model._meta.label_lower,
                            "columns": [_column(f) for f in _fields(model)],
                            "rows": count,
                            "sha256": digest.hexdigest(),
                        }
                    )
                manifest: dict[str, Any] = {
                    "format": FORMAT,
                    "version": VERSION,
                    "deployment": settings.SQDJ_DEPLOYMENT_ID,
                    "created": created.isoformat(),
                    "database": snap.vendor,
                    "migrations": _applied_migrations(snap),
                    "key_check": {"pii": pii.encrypt(KEY_CHECK_TEXT), "index": pii.blind_index(KEY_CHECK_TEXT)},
                    "tables": tables,
                }
                manifest["checksum"] = _manifest_checksum(manifest)
                zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return {
        "file": str(path),
        "bytes": path.stat().st_size,
        "deployment": manifest["deployment"],
        "created": manifest["created"],
        "tables": len(tables),
        "rows": sum(t["rows"] for t in tables),
        "checksum": manifest["checksum"],
    }


# ---- restore ----------------------------------------------------------------------------------------------------


def read_manifest(zf: zipfile.ZipFile) -> dict:
    """The manifest of an open backup file, its own checksum checked (BackupError otherwise)."""
    try:
        manifest = json.loads(zf.read(MANIFEST))
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise BackupError(_("This is not an sqdj backup file (no readable manifest)."), "not_a_backup") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("This is not an sqdj backup file (no readable manifest)."), "not_a_backup")
    if manifest.get("version") != VERSION:
        raise BackupError(
            _("The backup file has format version %(version)s; this sqdj reads version %(ours)s.")
            % {"version": manifest.get("version"), "ours": VERSION},
            "version",
        )
    if manifest.get("checksum") != _manifest_checksum(manifest):
        raise BackupError(_("The backup file has been changed or is damaged: its checksum does not match."), "checksum")
    return manifest


def _check_compatible(manifest: dict, connection: BaseDatabaseWrapper) -> dict[str, type[models.Model]]:
    """Refuse a file of another deployment, with other migrations, or written with other keys; returns the models
    of the file's tables."""
    ours = settings.SQDJ_DEPLOYMENT_ID
    if manifest.get("deployment") != ours:
        raise BackupError(
            _("The backup file comes from deployment %(theirs)s, not from this one (%(ours)s).")
            % {"theirs": manifest.get("deployment"), "ours": ours},
            "deployment",
        )
    theirs, applied = set(manifest.get("migrations", [])), set(_applied_migrations(connection))
    if theirs != applied:
        missing, extra = sorted(theirs - applied), sorted(applied - theirs)
        raise BackupError(
            _(
                "The database's migrations differ from the backup's: run the sqdj version that made the backup "
                "(missing here: %(missing)s; not in the backup: %(extra)s)."
            )
            % {"missing": ", ".join(missing[:5]) or "-", "extra": ", ".join(extra[:5]) or "-"},
            "migrations",
        )
    checks = manifest.get("key_check", {})
    try:
        same_keys = pii.decrypt(checks.get("pii", "")) == KEY_CHECK_TEXT
    except ValueError:
        same_keys = False
    if not same_keys or checks.get("index") != pii.blind_index(KEY_CHECK_TEXT):
        raise BackupError(
            _(
                "The personal-data keys configured here (SQDJ_PII_KEYS, SQDJ_PII_INDEX_KEY) are not the ones the "
                "backup was written with: set the deployment's keys first."
            ),
            "keys",
        )
    models_by_table = {m._meta.db_table: m for m in backed_up_models(connection)}
    listed = {t["table"] for t in manifest["tables"]}
    for entry in manifest["tables"]:
        model = models_by_table.get(entry["table"])
        if model is None or set(entry["columns"]) != {_column(f) for f in _fields(model)}:
            raise BackupError(
                _("The backup's table %(table)s does not match this database's.") % {"table": entry["table"]},
                "migrations",
            )
    if set(models_by_table) - listed:
        raise BackupError(
            _("The backup's table %(table)s does not match this database's.")
            % {"table": sorted(set(models_by_table) - listed)[0]},
            "migrations",
        )
    return models_by_table


def nonempty_tables(connection: BaseDatabaseWrapper | None = None) -> list[str]:
    """The tables holding rows other than what `migrate`/`flush` create (a restore needs none)."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    qn = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for model in backed_up_models(connection):
            if model._meta.label_lower in SEEDED:
                continue
            cursor.execute(f"SELECT 1 FROM {qn(model._meta.db_table)} LIMIT 1")
            if cursor.fetchone():
                found.append(model._meta.db_table)
    return found


def restore(path: str | os.PathLike, *, progress: Progress = _quiet, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Restore the backup file `path` into this (empty) database, in one transaction. BackupError when refused;
    nothing is written then."""
    connection = connections[using]
    qn = connection.ops.quote_name
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            raise
        raise BackupError(_("This is not an sqdj backup file (no readable manifest)."), "not_a_backup") from exc
    with zf:
        manifest = read_manifest(zf)
        models_by_table = _check_compatible(manifest, connection)
        entries = manifest["tables"]
        try:
            with transaction.atomic(using=using):
                # checked in the transaction; rows someone commits meanwhile make the read-back below fail
                busy = nonempty_tables(connection)
                if busy:
                    raise BackupError(
                        _(
                            "The database is not empty (table %(table)s has rows): restore only into a new database "
                            "that has been migrated and holds no data."
                        )
                        % {"table": busy[0]},
                        "not_empty",
                    )
                with connection.cursor() as cursor:
                    for label in SEEDED:  # what migrate put there: the file has the deployment's own rows
                        model = apps.get_model(label)
                        cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")
                    for i, entry in enumerate(entries, 1):
                        table = entry["table"]
                        progress(
                            _("Restoring table %(table)s (%(i)d/%(n)d)…") % {"table": table, "i": i, "n": len(entries)}
                        )
                        _load(zf, entry, models_by_table[table], connection, cursor)
                    models_list = [models_by_table[e["table"]] for e in entries]
                    for sql in connection.ops.sequence_reset_sql(no_style(), models_list):
                        cursor.execute(sql)
                for i, entry in enumerate(entries, 1):
                    progress(
                        _("Verifying table %(table)s (%(i)d/%(n)d)…")
                        % {"table": entry["table"], "i": i, "n": len(entries)}
                    )
                    count, digest = _digest(models_by_table[entry["table"]], connection)
                    if (count, digest) != (entry["rows"], entry["sha256"]):
                        raise BackupError(
                            _("Table %(table)s reads back differently from the backup: nothing was restored.")
                            % {"table": entry["table"]},
                            "verify",
                        )
        except IntegrityError as exc:
            # the database's message stays out: it may quote a row's values
            raise BackupError(_("The backup's rows are inconsistent: nothing was restored."), "integrity") from exc
    _forget_caches()
    return {
        "file": str(path),
        "deployment": manifest["deployment"],
        "created": manifest["created"],
        "tables": len(entries),
        "rows": sum(e["rows"] for e in entries),
        "checksum": manifest["checksum"],
    }


def _load(zf: zipfile.ZipFile, entry: dict, model: type[models.Model], connection: BaseDatabaseWrapper, cursor):
    """Insert one table's rows, checking the rows file against the manifest as it is read."""
    by_column = {_column(f): f for f in _fields(model)}
    fields = [by_column[c] for c in entry["columns"]]
    writers = [_writer(f, connection) for f in fields]
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table), ", ".join(qn(c) for c in entry["columns"]), ", ".join(["%s"] * len(fields))
    )
    changed = BackupError(
        _("The backup file has been changed or is damaged: table %(table)s does not match its checksum.")
        % {"table": entry["table"]},
        "checksum",
    )
    try:
        member = zf.open(f"tables/{entry['table']}.jsonl")
    except KeyError as exc:
        raise changed from exc
    count, digest, batch = 0, hashlib.sha256(), []
    with member:
        try:
            for line in member:
                digest.update(line)
                count += 1
                values = json.loads(line)
                if not isinstance(values, list) or len(values) != len(writers):
                    raise changed
                batch.append([write(value) for write, value in zip(writers, values, strict=True)])
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
        except (ValueError, TypeError, zipfile.BadZipFile, decimal.InvalidOperation) as exc:
            raise changed from exc
    if count != entry["rows"] or digest.hexdigest() != entry["sha256"]:
        raise changed
    if batch:
        cursor.executemany(sql, batch)


def _forget_caches() -> None:
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    with contextlib.suppress(ImportError):
        from .rules import clear_cache

        clear_cache()


# ---- the daily backup -------------------------------------------------------------------------------------------

NAME = re.compile(r"^sqdj-backup-(?P<day>\d{4}-\d{2}-\d{2})\.zip$")


def backup_dir() -> Path:
    return Path(settings.SQDJ_BACKUP_DIR)


def daily_backup(day: datetime.date, *, directory: Path | None = None, keep_days: int | None = None) -> dict:
    """The daily job: `sqdj-backup-YYYY-MM-DD.zip` in the backup directory (a retry on the same day replaces it),
    then the daily files older than `keep_days` days are deleted (only files named so)."""
    directory = directory or backup_dir()
    keep = settings.SQDJ_BACKUP_KEEP_DAYS if keep_days is None else keep_days
    result = backup(directory / f"sqdj-backup-{day.isoformat()}.zip")
    oldest = day - datetime.timedelta(days=max(keep, 1) - 1)
    pruned = []
    for child in sorted(directory.iterdir()):
        m = NAME.match(child.name)
        if m and child.is_file() and datetime.date.fromisoformat(m["day"]) < oldest:
            child.unlink()
            pruned.append(child.name)
    return {**result, "file": Path(result["file"]).name, "pruned": pruned}
