"""Imports from the web run in the background so that the page can show their progress.

The uploaded file waits in the data directory under the batch id until the import is confirmed,
cancelled or expires (`SQDJ_IMPORT_PENDING_SECONDS`). A batch row records who imported which file
(SHA-256), the progress and the report. With `SQDJ_IMPORT_BACKGROUND = False` the work runs inside
the request instead (same code, no thread).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from .context import acting_as
from .importing import get_importer
from .models import ImportBatch

log = logging.getLogger(__name__)


def pending_dir() -> Path:
    d = Path(settings.DATA_DIR) / "imports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def purge_stale_files() -> None:
    limit = time.time() - settings.SQDJ_IMPORT_PENDING_SECONDS
    for f in pending_dir().iterdir():
        try:
            if f.stat().st_mtime < limit:
                f.unlink()
        except FileNotFoundError:
            pass


def pending_file(batch: ImportBatch) -> Path:
    return pending_dir() / batch.pk.hex


def discard(batch: ImportBatch) -> None:
    pending_file(batch).unlink(missing_ok=True)


def _progress_file(batch_id) -> Path:
    return pending_dir() / f"{batch_id.hex}.progress"


def read_progress(batch: ImportBatch) -> tuple[int, int, str]:
    """(done, total, stage) of a running batch. Progress lives in a small file next to the upload, not in
    the database: the import's own transaction would hide (and, for a dry run, roll back) any row it wrote."""
    try:
        done, total, stage = _progress_file(batch.pk).read_text().split()
        return int(done), int(total), stage
    except (FileNotFoundError, ValueError):
        return 0, 0, "check"


def start_import(kind: str, data: bytes, filename: str, *, user, dry_run: bool) -> ImportBatch:
    batch = ImportBatch.objects.create(
        user=user, kind=kind, filename=filename, sha256=hashlib.sha256(data).hexdigest(), dry_run=dry_run
    )
    if dry_run:
        pending_file(batch).write_bytes(data)  # kept for the confirmation
    if settings.SQDJ_IMPORT_BACKGROUND:
        threading.Thread(target=_run_in_thread, args=(batch.pk, data), daemon=True, name=f"import-{batch.pk}").start()
    else:
        _run(batch, data)
        batch.refresh_from_db()
    return batch


def confirm_import(preview: ImportBatch, *, user) -> ImportBatch | None:
    """Run for real the file of a successful dry run; None if it has expired or was used already."""
    file = pending_file(preview)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        return None
    file.unlink(missing_ok=True)
    return start_import(preview.kind, data, preview.filename, user=user, dry_run=False)


def _run_in_thread(batch_id, data: bytes) -> None:
    close_old_connections()
    try:
        _run(ImportBatch.objects.get(pk=batch_id), data)
    finally:
        connection.close()


def _run(batch: ImportBatch, data: bytes) -> None:
    last = [0.0]

    progress_file = _progress_file(batch.pk)

    def progress(done, total, stage="write"):
        now = time.monotonic()
        if done == total or now - last[0] > 0.3:
            last[0] = now
            tmp = progress_file.with_suffix(".tmp")
            tmp.write_text(f"{done} {total} {stage}")
            tmp.replace(progress_file)  # atomic: a reader never sees half a line

    try:
        importer = get_importer(batch.kind)(user=batch.user)
        with acting_as(batch.user):
            result = importer.run(data, batch.filename, dry_run=batch.dry_run, progress=progress)
        if not result.ok:
            discard(batch)
        done, total, _stage = read_progress(batch)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.DONE, result=result.as_dict(), finished=timezone.now(), done=done, total=total
        )
    except Exception:  # the import rolled back; record the failure instead of losing it with the thread
        log.exception("import %s failed", batch.pk)
        discard(batch)
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, finished=timezone.now())
        if not settings.SQDJ_IMPORT_BACKGROUND:
            raise
    finally:
        progress_file.unlink(missing_ok=True)
