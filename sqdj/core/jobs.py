"""Background jobs of the web pages — imports and large exports — run by `sqdj worker` (core.worker).

A job is two rows: the user's record (`ImportBatch`, `ExportJob`: state, progress, result) and a django-tasks task
(database backend) that a worker claims and runs. Both are written in one transaction, so a job the page shows is
in the queue, whatever happens to the web process afterwards. The record follows its task: `refresh()` marks it
failed when the task failed or when the worker running it died (core.worker). A failed job may be retried: a new
task for the next `attempt`; a task runs its job only while the job is queued for that very attempt, so neither
a task delivered twice nor an old attempt runs it again, and a job that succeeded is never run again.

An import runs in one transaction (core.importing): a worker killed in the middle leaves the data as they were,
and the retry writes every row once. The uploaded file waits in the data directory under the batch id until the
import has succeeded, was rejected, cancelled or expired (`SQDJ_IMPORT_PENDING_SECONDS`); the workers share the
data directory with the web process. Export files wait there for `SQDJ_EXPORT_KEEP_SECONDS`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.http import FileResponse, Http404, QueryDict
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task
from django_tasks_db import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from . import audit, pii
from .context import acting_as
from .context import current as current_context
from .exporting import audit_export
from .importing import MessageLog, get_importer, write_error_report
from .models import BackgroundJob, ExportJob, ImportBatch
from .saved_search import looks_personal, split
from .tabular import write_table
from .worker import WorkerDied, reap_task

log = logging.getLogger("sqdj.jobs")
J = TypeVar("J", bound=BackgroundJob)
S = BackgroundJob.Status
E = BackgroundJob.Error


# ---- files ---------------------------------------------------------------------------------------------------------


def _dir(name: str) -> Path:
    d = Path(settings.DATA_DIR) / name
    d.mkdir(parents=True, exist_ok=True)
    return d


def pending_dir() -> Path:
    return _dir("imports")


def pending_file(batch: ImportBatch) -> Path:
    return pending_dir() / batch.pk.hex


def discard(batch: ImportBatch) -> None:
    pending_file(batch).unlink(missing_ok=True)


def export_file(job: ExportJob) -> Path:
    return _dir("exports") / f"{job.pk.hex}.{job.fmt}"


def report_file(batch: ImportBatch) -> Path:
    """The error report of an import (the uploaded sheet with its messages), kept as long as an export."""
    return _dir("import-reports") / f"{batch.pk.hex}.xlsx"


def _stale(directory: Path, seconds: int) -> dict[str, Path]:
    limit = time.time() - seconds
    stale = {}
    for f in directory.iterdir():
        try:
            if f.stat().st_mtime < limit:
                stale[f.name.split(".")[0]] = f
        except FileNotFoundError:
            pass
    return stale


def purge_stale_files() -> None:
    """Delete waiting uploads and finished exports past their time — not the files of queued or running jobs."""
    for model, directory, seconds in (
        (ImportBatch, pending_dir(), settings.SQDJ_IMPORT_PENDING_SECONDS),
        (ExportJob, _dir("exports"), settings.SQDJ_EXPORT_KEEP_SECONDS),
        (ImportBatch, _dir("import-reports"), settings.SQDJ_EXPORT_KEEP_SECONDS),
    ):
        stale = _stale(directory, seconds)
        if not stale:
            continue
        keep = {
            pk.hex
            for pk in model._default_manager.filter(
                status__in=BackgroundJob.ACTIVE, pk__in=[k for k in stale if len(k) == 32]
            ).values_list("pk", flat=True)
        }
        for name, f in stale.items():
            if name not in keep:
                f.unlink(missing_ok=True)


# ---- progress ------------------------------------------------------------------------------------------------------


class Progress:
    """`progress(done, total, stage)` for a job's record, at most twice a second (and at each new stage).

    Where it is written. The check stage of an import runs outside any transaction: its progress is written on the
    job's own connection and is visible at once. The write stage runs inside the import's one transaction, which
    would hide — and for a dry run roll back — a row written on the same connection. On PostgreSQL the write-stage
    progress goes through a second connection (owned by a small thread): committed at once, and never held up by
    the import, which does not touch the job's row. On SQLite the import's transaction holds the database's only
    write lock until it ends, so no other connection may write: the page shows the last count of the check stage
    until the import ends. Nor is anything written from a job run inside a caller's transaction (the immediate
    backend of the tests): nobody else could see it.
    """

    interval = 0.5

    def __init__(self, job: BackgroundJob):
        self.model, self.pk = type(job), job.pk
        self.done = self.total = 0
        self.stage = ""
        self._last = 0.0
        self._side_ok = connection.vendor == "postgresql" and not connection.in_atomic_block
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def __call__(self, done: int, total: int, stage: str = "write") -> None:
        new_stage = stage != self.stage
        self.done, self.total, self.stage = done, total, stage
        now = time.monotonic()
        if not new_stage and done != total and now - self._last < self.interval:
            return
        self._last = now
        log.debug("%s %s: %s %d/%d", self.model._meta.model_name, self.pk, stage, done, total)
        values = {"done": done, "total": total, "stage": stage}
        if not connection.in_atomic_block:
            try:
                self.model._default_manager.filter(pk=self.pk).update(**values)
            except OperationalError:  # SQLite: another worker's import holds the write lock
                log.info("progress of %s not written: the database is busy", self.pk)
        elif self._side_ok:
            if self._thread is None:
                self._thread = threading.Thread(target=self._side_writer, name=f"progress-{self.pk}", daemon=True)
                self._thread.start()
            self._queue.put(values)

    def _side_writer(self) -> None:
        try:
            while (values := self._queue.get()) is not None:
                try:
                    self.model._default_manager.filter(pk=self.pk).update(**values)
                except Exception:  # progress is a courtesy: never fail the job for it
                    log.exception("progress of %s not written", self.pk)
        finally:
            connection.close()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None


# ---- the record follows its task -------------------------------------------------------------------------------


def _submit(job: BackgroundJob, job_task) -> None:
    """Queue `job` (already marked queued for `job.attempt`, in the caller's transaction) and remember its task."""
    result = job_task.enqueue(str(job.pk), job.attempt)
    type(job)._default_manager.filter(pk=job.pk).update(task_id=str(result.id))


def _claim(model, pk: str, attempt: int) -> bool:
    """The task's right to run the job: it is queued, for this attempt (a second delivery, an old attempt: no)."""
    return bool(
        model._default_manager.filter(pk=pk, attempt=attempt, status=S.QUEUED).update(
            status=S.RUNNING, stage="", done=0, total=0
        )
    )


def _finish(model, pk, attempt: int, status: str, **values) -> None:
    # a job marked failed meanwhile (its worker was judged dead) takes the real outcome of the same attempt
    model._default_manager.filter(pk=pk, attempt=attempt).exclude(status=S.DONE).update(
        status=status, finished=timezone.now(), **values
    )


def _fail(job: BackgroundJob, error: str) -> None:
    active = type(job)._default_manager.filter(pk=job.pk, attempt=job.attempt, status__in=job.ACTIVE)
    if active.update(status=S.FAILED, error=error, finished=timezone.now()):
        job.refresh_from_db()


def refresh(job: J) -> J:
    """Bring a queued or running job's record up to date with its task: failed if the task failed, if its worker
    died (the task is marked failed too), or if the task is gone."""
    if not job.active:
        return job
    if not isinstance(run_import.get_backend(), DatabaseBackend):  # the immediate backend: it ran when queued
        return job
    row = DBTaskResult.objects.filter(pk=job.task_id).first() if job.task_id else None
    try:
        if row is None:  # queued by a web process before the queue existed, or its task was pruned
            _fail(job, E.LOST)
        elif row.status == TaskResultStatus.FAILED:
            died = row.exception_class_path.endswith(WorkerDied.__qualname__)
            _fail(job, E.WORKER_DIED if died else (job.error or E.CRASHED))
        elif reap_task(row):
            _fail(job, E.WORKER_DIED)
    except OperationalError:  # SQLite: a worker's import holds the write lock; the next look will do it
        log.info("job %s not brought up to date: the database is busy", job.pk)
    return job


def retry(job: BackgroundJob) -> bool:
    """Queue a failed job again (True). A job that is waiting, running or done is left alone: nothing is doubled."""
    model = type(job)
    job_task = run_import if model is ImportBatch else run_export
    if isinstance(job, ImportBatch) and not pending_file(job).exists():
        return False
    with transaction.atomic():
        if not model._default_manager.filter(pk=job.pk, status=S.FAILED).update(
            status=S.QUEUED, attempt=F("attempt") + 1, error="", stage="", done=0, total=0, finished=None
        ):
            return False
        job.refresh_from_db()
        _submit(job, job_task)
    job.refresh_from_db()
    return True


# ---- imports -------------------------------------------------------------------------------------------------------


def start_import(kind: str, data: bytes, filename: str, *, user, dry_run: bool) -> ImportBatch:
    """Keep the file and queue its import (a dry run first: the preview)."""
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            user=user,
            kind=kind,
            filename=filename,
            sha256=hashlib.sha256(data).hexdigest(),
            dry_run=dry_run,
            attempt=1,
        )
        pending_file(batch).write_bytes(data)  # kept for the worker, a retry, and a dry run's confirmation
        _submit(batch, run_import)
    batch.refresh_from_db()
    return batch


def confirm_import(preview: ImportBatch, *, user) -> ImportBatch | None:
    """Queue for real the file of a successful dry run; None if it has expired or was confirmed already."""
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            user=user,
            kind=preview.kind,
            filename=preview.filename,
            sha256=preview.sha256,
            dry_run=False,
            attempt=1,
        )
        try:  # the rename is atomic: of two confirmations at once, one gets the file
            pending_file(preview).rename(pending_file(batch))
        except FileNotFoundError:
            transaction.set_rollback(True)
            return None
        _submit(batch, run_import)
    batch.refresh_from_db()
    return batch


@task()
def run_import(batch_id: str, attempt: int) -> dict | None:
    """The task: import the batch's file for this attempt (None: not this task's to run)."""
    if not _claim(ImportBatch, batch_id, attempt):
        log.info("import %s attempt %s: not queued for it, nothing to do", batch_id, attempt)
        return None
    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    progress = Progress(batch)
    messages = MessageLog()  # every message, uncapped, on disk: for the error report
    try:
        try:
            data = pending_file(batch).open("rb")  # read as it is used: not the whole file in memory
        except FileNotFoundError:
            _finish(ImportBatch, batch.pk, attempt, S.FAILED, error=E.FILE_GONE)
            return None
        importer = get_importer(batch.kind)(user=batch.user)
        importer.message_log = messages
        with data, acting_as(batch.user):
            result = importer.run(data, batch.filename, dry_run=batch.dry_run, progress=progress)
        summary = result.as_dict()
        # the first rows as parsed (numbers masked), sealed like any personal data kept in a job's row
        if importer.preview:
            preview = {"headers": importer.headers, "rows": importer.preview}
            summary["preview_sealed"] = pii.encrypt(json.dumps(preview, ensure_ascii=False))
        summary["report_rows"] = _error_report(batch, messages)
    except BaseException:  # rolled back; the file stays for a retry. The task is marked failed too (re-raised).
        log.exception("import %s failed", batch.pk)
        progress.close()
        _finish(ImportBatch, batch.pk, attempt, S.FAILED, error=E.CRASHED)
        raise
    finally:
        messages.close()
    progress.close()
    if not (result.ok and batch.dry_run):  # a rejected file is not kept; a confirmed one is done with
        discard(batch)
    _finish(ImportBatch, batch.pk, attempt, S.DONE, result=summary, done=progress.done, total=progress.total)
    return {"ok": result.ok, "created": result.created, "updated": result.updated, "unchanged": result.unchanged}


def _error_report(batch: ImportBatch, messages: MessageLog) -> int:
    """Write the batch's error report if a row has a message; the number of such rows (0: no report)."""
    if not messages.count():
        return 0
    target = report_file(batch)
    tmp = target.with_suffix(".part")
    try:
        marked = write_error_report(pending_file(batch), batch.filename, messages, tmp)
    except Exception:  # the report is a help: the import's outcome stands without it
        log.exception("error report of import %s not written", batch.pk)
        tmp.unlink(missing_ok=True)
        return 0
    if not marked:  # only the file's or its header's problems: nothing to mark row by row
        tmp.unlink(missing_ok=True)
        return 0
    tmp.replace(target)
    return marked


def import_progress(batch: ImportBatch) -> dict:
    """What the progress bar shows, every figure from the same counts: rows checked and rows written out of the
    rows of the file, and the percentage of the work — checking is the first half, writing the second — so that
    the text never disagrees with the bar. On SQLite the write stage reports nothing until it ends (core.jobs
    Progress): the figures then say the check is complete and writing is under way."""
    total, done = batch.total, min(batch.done, batch.total)
    if batch.status == S.DONE:
        checked = written = total
    elif batch.stage == "check":
        checked, written = done, 0
    elif batch.stage:
        checked, written = total, done
    else:
        checked = written = 0
    percent = 100 if batch.status == S.DONE else (50 * (checked + written) // total if total else 0)
    return {"total": total, "checked": checked, "written": written, "percent": percent,
            "writing": bool(total) and checked == total and batch.status != S.DONE}  # fmt: skip


# ---- exports -------------------------------------------------------------------------------------------------------


def start_export(views, query: QueryDict, fmt: str, *, user, reveal_reason: str = "") -> ExportJob:
    """Queue the export of a list page (`views`: its ModelViews class) with the list's filters."""
    importer = views.importer
    params: dict[str, str | None] = {"views": f"{views.__module__}.{views.__qualname__}"}
    query_text = query.urlencode()
    # filters holding an ID or phone number are kept encrypted in the job's row, as the saved search keeps them
    # (and a search by the last 4 digits of one, which keeps them as saved_search.split does)
    private = looks_personal(query_text) or bool(split(query)[1])
    params |= {"query_sealed": pii.encrypt(query_text)} if private else {"query": query_text}
    if reveal_reason:  # full numbers: each one is logged with the reason and the requester's address
        ctx = current_context()
        params |= {"reveal_reason": reveal_reason, "remote_addr": ctx.remote_addr if ctx else None}
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user, kind=importer.kind, fmt=fmt, params=params, filename=f"{importer.kind}.{fmt}", attempt=1
        )
        _submit(job, run_export)
    job.refresh_from_db()
    return job


def export_queryset_of(views, user, query: QueryDict):
    """The rows the list page shows `user` with these filters (what its export contains)."""
    qs = views.queryset if views.queryset is not None else views.model.objects.all()
    qs = qs.all().restrict(user, "view")
    if views.filterset is not None and query:
        # the filters decide some things by the user (a search by a whole number finds only revealable rows)
        fs = views.filterset(query, queryset=qs, request=SimpleNamespace(user=user, GET=query))
        if fs.is_valid():
            qs = fs.qs
    return qs


@task()
def run_export(job_id: str, attempt: int) -> dict | None:
    if not _claim(ExportJob, job_id, attempt):
        log.info("export %s attempt %s: not queued for it, nothing to do", job_id, attempt)
        return None
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    progress = Progress(job)
    target = export_file(job)
    tmp = target.with_suffix(".part")
    try:
        views = import_string(job.params["views"])
        kwargs = {"reveal_reason": job.params["reveal_reason"]} if job.params.get("reveal_reason") else {}
        importer = views.importer(user=job.user, **kwargs)
        sealed = job.params.get("query_sealed")
        query = QueryDict(pii.decrypt(sealed) if sealed else job.params.get("query", ""))
        qs = export_queryset_of(views, job.user, query)
        total = qs.count()
        counted = [0]

        def rows():
            for row in importer.export_rows(qs):
                counted[0] += 1
                progress(counted[0], total, "export")
                yield row

        with acting_as(job.user, remote_addr=job.params.get("remote_addr")):
            tmp.write_bytes(write_table(importer.headers, rows(), job.fmt))
            audit_export(importer, counted[0], job.fmt)
        tmp.replace(target)  # a worker killed before this leaves no file that looks finished
    except BaseException:
        log.exception("export %s failed", job.pk)
        tmp.unlink(missing_ok=True)
        _finish(ExportJob, job.pk, attempt, S.FAILED, error=E.CRASHED)
        raise
    finally:
        progress.close()
    _finish(ExportJob, job.pk, attempt, S.DONE, rows=counted[0], done=counted[0], total=total)
    return {"rows": counted[0]}


def import_preview(batch: ImportBatch) -> dict | None:
    """The first rows of the batch's file as parsed, each cell with the errors (and warnings) of its column, each
    row with those of no column — for the page before the import is confirmed; None if there is none."""
    result = batch.result or {}
    if not result.get("preview_sealed"):
        return None
    try:
        preview = json.loads(pii.decrypt(result["preview_sealed"]))
    except ValueError:  # sealed under a key no longer configured: the page goes on without it
        return None
    headers = preview["headers"]
    found: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for level, key in (("error", "errors"), ("warning", "warnings")):
        for m in result.get(key, []):
            column = m["column"] if m["column"] in headers else ""
            found.setdefault((m["row"], column), []).append((level, m["message"]))
    rows = []
    for r in preview["rows"]:
        n = r["row"]
        cells = [{"value": v, "messages": found.get((n, h), [])} for h, v in zip(headers, r["cells"], strict=False)]
        rows.append({"row": n, "cells": cells, "messages": found.get((n, ""), []),
                     "failed": any(level == "error" for c in cells for level, _m in c["messages"])
                     or any(level == "error" for level, _m in found.get((n, ""), []))})  # fmt: skip
    return {"headers": headers, "rows": rows}


def report_download(batch: ImportBatch):
    """The error report as a download (the user's own upload with its messages: personal data, so never cached,
    and audited as an export)."""
    try:
        handle = report_file(batch).open("rb")
    except FileNotFoundError:
        raise Http404 from None
    stem = batch.filename.rsplit(".", 1)[0] or batch.kind
    response = FileResponse(handle, as_attachment=True, filename=f"{stem}-错误报告.xlsx")
    response["Cache-Control"] = "no-store"
    rows = (batch.result or {}).get("report_rows", 0)
    audit.record(audit.Event.EXPORT, object_type=batch.kind, detail={"error_report": str(batch.pk), "rows": rows})
    return response
