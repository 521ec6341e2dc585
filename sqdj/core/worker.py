"""The `sqdj worker` process: django-tasks-db's worker loop, plus who is alive, what died, and the daily jobs.

Claiming. django-tasks-db's loop takes a job in one transaction: on PostgreSQL it locks the oldest ready row with
SELECT … FOR UPDATE SKIP LOCKED (a second worker skips that row and takes the next one) and marks it RUNNING with
its worker id before the commit; on SQLite the transaction is BEGIN EXCLUSIVE, so workers claim one after the other
and the second one no longer sees the row as ready. Either way a job is claimed once. The job records themselves
(core.jobs) add a second guard: a task runs its job only if the job is queued for that very attempt.

Dead workers. Each worker registers a `WorkerProcess` row (host, pid, the process's start time) and refreshes its
heartbeat from a thread every `SQDJ_WORKER_HEARTBEAT` seconds. A worker is dead when
- it ran on this host and its process is gone (or is another process under a reused pid, or a zombie) — known at
  once, whatever the database; SQLite deployments are on one host, so this is how they find dead workers;
- it ran on another host and its heartbeat is older than `SQDJ_WORKER_LEASE` (PostgreSQL: the heartbeat thread has a
  connection of its own and is not held up by a job's open transaction).
A RUNNING task whose worker is dead is marked FAILED (`WorkerDied`) by `reap()` — each worker calls it with every
heartbeat, and the pages call `reap_task()` for the job they show — so its job shows as failed and can be retried.
The dead worker's transaction was rolled back by the database when its connection dropped: nothing is half-written.

A task claimed by a worker that left no `WorkerProcess` row (django-tasks-db's plain `db_worker`) is never judged:
run `sqdj worker`.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, close_old_connections, connection, connections
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from .models import WorkerProcess
from .tasks import schedule_daily

log = logging.getLogger("sqdj.jobs")

HOST = socket.gethostname()[:255]


class WorkerDied(Exception):
    """Recorded as the error of a task whose worker stopped while running it."""


def process_start(pid: int) -> str | None:
    """The start time of process `pid` (Linux: clock ticks after boot), "" where /proc is missing, None when there
    is no such live process (a zombie — killed and not yet waited for — counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        if Path("/proc/self/stat").exists():
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return ""
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": field 3 (state) is [0], field 22 (starttime) [19]
    if fields[0] in ("Z", "X"):
        return None
    return fields[19]


def _dead(workers) -> dict[str, WorkerProcess]:
    """The dead ones among `workers` (a WorkerProcess queryset), by id. Heartbeats are written and compared in the
    database's time, so the hosts' clocks need not agree."""
    lease = datetime.timedelta(seconds=settings.SQDJ_WORKER_LEASE)
    stale = set(workers.filter(seen__lt=Now() - lease).values_list("pk", flat=True))
    dead = {}
    for w in workers:
        if w.host == HOST:
            started = process_start(w.pid)
            gone = started is None or bool(w.process_start and started and started != w.process_start)
        else:
            gone = w.pk in stale
        if gone:
            dead[w.pk] = w
    return dead


def _fail(task_ids, worker: WorkerProcess) -> int:
    return DBTaskResult.objects.filter(pk__in=list(task_ids), status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        return_value=None,
        exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
        traceback=f"WorkerDied: worker {worker.id} ({worker.host}, pid {worker.pid}) stopped while running this job\n",
    )


def reap() -> int:
    """Fail the running tasks of dead workers and forget those workers; returns how many tasks were failed."""
    dead = _dead(WorkerProcess.objects.all())
    if not dead:
        return 0
    failed = 0
    by_worker: dict[str, list] = {}
    for pk, worker_ids in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list("pk", "worker_ids"):
        if worker_ids and worker_ids[-1] in dead:
            by_worker.setdefault(worker_ids[-1], []).append(pk)
    for worker_id, task_ids in by_worker.items():
        failed += _fail(task_ids, dead[worker_id])
        log.warning("worker %s died: %d running job(s) marked failed", worker_id, len(task_ids))
    WorkerProcess.objects.filter(pk__in=list(dead)).delete()
    return failed


def reap_task(task: DBTaskResult) -> bool:
    """If `task` is running on a dead worker, mark it failed (True) — with every other job of dead workers."""
    if task.status != TaskResultStatus.RUNNING or not task.worker_ids:
        return False
    if not _dead(WorkerProcess.objects.filter(pk=task.worker_ids[-1])):
        return False
    reap()
    return True


class Worker(DBWorker):
    """django-tasks-db's loop, registered as a `WorkerProcess` with a heartbeat thread that also reaps dead workers'
    jobs and queues the daily jobs (`daily=False`: not this worker)."""

    def __init__(self, *, daily: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.daily = daily
        self._stop = threading.Event()
        self._parent = int(os.environ.get("SQDJ_WORKER_PARENT", "0") or 0)
        self._start = process_start(os.getpid()) or ""

    def shutdown(self, signum, frame) -> None:
        if self.running and not self.running_task:
            # Between jobs: end at the loop's next turn (within --interval) instead of raising SystemExit wherever
            # the signal lands. Landing inside the claim's exclusive transaction on SQLite, the exit's rollback
            # failed and a clean stop exited 1. A second signal still stops at once (the library's own handling).
            log.warning("Received %s - shutting down gracefully...", signal.strsignal(signum))
            self.running = False
            return
        super().shutdown(signum, frame)

    def run(self) -> None:
        if connection.vendor == "sqlite":
            # One writer at a time. A worker's transactions take the write lock when they begin (IMMEDIATE): an
            # import that read first and then wanted to write would fail at once if another process had written
            # meanwhile. And a worker waits for the lock as long as another worker's import holds it.
            options = connections.settings[DEFAULT_DB_ALIAS].setdefault("OPTIONS", {})
            options.update({"transaction_mode": "IMMEDIATE", "timeout": settings.SQDJ_WORKER_SQLITE_WAIT})
            connection.close()  # the next query connects with these options
        self.register()
        try:
            self.housekeeping()  # before the first job: a job left by a dead worker fails now, today's jobs are queued
        except OperationalError:  # SQLite: another worker's job holds the write lock; the heartbeat will do it
            log.info("housekeeping postponed: the database is busy")
        beat = threading.Thread(target=self._heartbeat, name="sqdj-worker-heartbeat", daemon=True)
        beat.start()
        try:
            super().run()
        finally:
            self._stop.set()
            beat.join(timeout=5)  # on SQLite it may be waiting for another worker's write lock: it is a daemon
            close_old_connections()
            WorkerProcess.objects.filter(pk=self.worker_id).delete()

    def register(self) -> None:
        while True:
            try:
                WorkerProcess.objects.update_or_create(
                    pk=self.worker_id,
                    defaults={"host": HOST, "pid": os.getpid(), "process_start": self._start, "seen": Now()},
                )
                return
            except OperationalError as exc:  # SQLite: a job of another worker holds the write lock for a while
                if not is_locked_database_exception(exc):
                    raise
                log.info("waiting for the database to register the worker")

    def housekeeping(self) -> None:
        if not WorkerProcess.objects.filter(pk=self.worker_id).update(seen=Now()):
            self.register()  # judged dead (a lease run out) while alive: come back
        reap()
        if self.daily:
            schedule_daily()

    def _heartbeat(self) -> None:
        """Runs in its own thread, on its own database connection. On SQLite, a write here waits while a job holds
        the write lock (an import's transaction); the process check does not need the heartbeat there."""
        try:
            while not self._stop.wait(settings.SQDJ_WORKER_HEARTBEAT):
                if self._parent and os.getppid() != self._parent:  # started beside `sqdj demo`, which is gone
                    log.warning("the process that started this worker has gone: stopping")
                    os.kill(os.getpid(), signal.SIGTERM)
                try:
                    close_old_connections()
                    self.housekeeping()
                except Exception:  # a locked database, a lost connection: try again at the next beat
                    log.exception("worker housekeeping failed")
        finally:
            connection.close()


@contextlib.contextmanager
def worker_beside(stdout=None):
    """Run a `sqdj worker` process for as long as the block runs (`sqdj demo` serves the web pages in the block):
    one command starts both, and stopping it stops both. The worker stops by itself if this process is killed."""
    env = {**os.environ, "SQDJ_WORKER_PARENT": str(os.getpid())}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sqdj.cli", "worker", "--no-reload", "--verbosity", "1"],
        env=env,
        start_new_session=True,  # Ctrl+C reaches this process only; the worker is stopped below
    )
    if stdout is not None:
        stdout.write(_("Background worker started (process %(pid)d).") % {"pid": proc.pid})
    try:
        yield proc
    finally:
        # the first SIGTERM stops the worker when idle; a second one stops a running job too (it is marked failed and
        # may be retried from its page: its transaction is rolled back)
        for wait in (2, 10):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=wait)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
