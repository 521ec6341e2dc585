"""Background jobs run by real `sqdj worker` processes on the test database (SQLite file or PostgreSQL): a worker
killed in the middle of an import (the batch fails, nothing is half-written, the retry from its page writes each row
once, a retry of the succeeded batch does nothing), the web process killed and restarted during an import (the job
lives in the database; the worker finishes it), two workers on one queue (each job runs once), and the daily jobs
queued once a day by two workers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sqdj.core import jobs
from sqdj.core.models import DailyRun, ImportBatch, ObjectChange, WorkerProcess
from sqdj.core.tasks import daily_jobs
from sqdj.orgs.importers import OrgImporter
from sqdj.orgs.models import Org
from sqdj.testing import build_world, processes

SQDJ = str(Path(sys.executable).with_name("sqdj"))
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
URL = "/orgs/import/"


# ---- a task for the queue test: the worker imports it from this module --------------------------------------------


@task()
def probe(n: int, log: str) -> int:
    with open(log, "a") as f:  # O_APPEND: lines of two processes do not mix
        f.write(f"{n} {os.getpid()}\n")
    time.sleep(0.02)
    return n


# ---- helpers -------------------------------------------------------------------------------------------------------


def process_env(**extra) -> dict:
    """sqdj's own settings on this test's database and data directory (the uploads are shared), a quick worker."""
    return processes.process_env(SQDJ_WORKER_HEARTBEAT="0.2", SQDJ_DAILY_JOBS_HOUR="0", **extra)


def wait_until(predicate, what: str, timeout: float = 60, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


class Proc:
    """A `sqdj` process whose output (stdout and stderr) is collected as it comes."""

    def __init__(self, *args: str, **env):
        self.proc = subprocess.Popen(
            [SQDJ, *args], env=process_env(**env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.pid = self.proc.pid
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in iter(self.proc.stdout.readline, b""):
            self.lines.append(line.decode("utf-8", "replace"))

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match:
        regex = re.compile(pattern)

        def found():
            if self.proc.poll() is not None and not self._reader.is_alive():
                raise AssertionError(f"exited with {self.proc.returncode} before {pattern!r}:\n{self.output[-3000:]}")
            for line in list(self.lines):
                if m := regex.search(line):
                    return m
            return None

        return wait_until(found, f"{pattern!r} in the output of {self.proc.args[1]}", timeout, every=0.02)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def wait(self, timeout: float = 120) -> int:
        rc = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return rc


def stop_all(*procs: Proc) -> list[int]:
    """Ctrl+C (SIGTERM) to each at once — a worker stops after its running job; a Python process takes a moment
    to end — then their exit codes."""
    for p in procs:
        if p.proc.poll() is None:
            p.proc.send_signal(signal.SIGTERM)
    return [p.wait(30) for p in procs]


@pytest.fixture
def procs(transactional_db, settings):
    """Start `sqdj` processes on the test database; all of them are ended before its tables are emptied. The test
    process queues on the database backend, like the web process."""
    settings.TASKS = DB_BACKEND
    started: list[Proc] = []

    def start(*args: str, **env) -> Proc:
        p = Proc(*args, **env)
        started.append(p)
        return p

    yield start
    for p in started:
        if p.proc.poll() is None:
            p.proc.kill()
        p.proc.wait(timeout=30)
        print(f"---- {' '.join(p.proc.args[1:])} (pid {p.pid}, exit {p.proc.returncode})\n{p.output[-5000:]}")


def worker(start, *args: str) -> Proc:
    return start("worker", "--no-startup-delay", "--interval", "0.05", "--verbosity", "2", *args)


def org_csv(n: int, prefix: str) -> bytes:
    rows = [OrgImporter.headers] + [
        [f"{prefix}{i:04d}", f"后台党小组{i}", "党小组", "ZBT1", "", "", ""] for i in range(n)
    ]
    return ("\n".join(",".join(r) for r in rows) + "\n").encode()


def roll() -> tuple:
    return Org.objects.count(), ObjectChange.objects.count(), Org.objects.get(code="ZBT1").numchild


# ---- a worker killed in the middle of an import --------------------------------------------------------------------


@pytest.mark.slow
def test_worker_killed_mid_import_fails_the_batch_and_the_retry_writes_each_row_once(procs):
    world = build_world()
    client = Client()
    client.force_login(world.admin1)
    n = 300
    before = roll()
    batch = jobs.start_import("orgs", org_csv(n, "XK"), "orgs.csv", user=world.admin1, dry_run=False)
    first = worker(procs, "--no-daily")
    # kill it as soon as it writes: the first rows are in the import's (uncommitted) transaction
    m = first.wait_for(rf"importbatch {batch.pk}: write (\d+)/(\d+)", timeout=120)
    first.kill()
    assert first.proc.returncode == -signal.SIGKILL and 0 < int(m[1]) < int(m[2]) == n, first.output[-2000:]
    assert roll() == before  # nothing of the import survived

    page = client.get(URL, {"batch": batch.pk})  # the page sees that its worker died
    shown = page.context["batch"]
    assert (shown.status, shown.error) == ("failed", "worker_died")
    assert 'id="import-retry"' in page.content.decode()
    failed_task = DBTaskResult.objects.get(pk=batch.task_id)
    assert failed_task.status == TaskResultStatus.FAILED and failed_task.exception_class_path.endswith("WorkerDied")
    assert not WorkerProcess.objects.exists()  # the dead worker is forgotten

    assert client.post(URL, {"retry": batch.pk}).status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.attempt) == ("queued", 2)
    second = worker(procs, "--no-daily", "--batch")
    assert second.wait(timeout=300) == 0, second.output[-3000:]
    batch.refresh_from_db()
    assert batch.status == "done" and batch.result["created"] == n and batch.total == n, batch.result
    created = Org.objects.filter(code__startswith="XK")
    assert created.count() == n and roll()[0] == before[0] + n and roll()[2] == before[2] + n
    assert ObjectChange.objects.count() == before[1] + n  # one change row per written row
    assert DBTaskResult.objects.get(pk=batch.task_id).status == TaskResultStatus.SUCCESSFUL

    # a retry of the batch that succeeded does nothing
    after = roll()
    r = client.post(URL, {"retry": batch.pk}, follow=True)
    assert "没有需要重试的" in r.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.attempt) == ("done", 2) and roll() == after
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


# ---- the web process killed and restarted during an import ---------------------------------------------------------


class Web:
    """`sqdj runserver` on a free port, signed in with a session of the test database."""

    def __init__(self, start, session: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = start("runserver", "--noreload", "--skip-checks", f"127.0.0.1:{self.port}")
        self.cookies = {"sessionid": session}
        wait_until(self._up, "the web server", timeout=60)

    def _up(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def request(self, path: str, data: bytes | None = None, content_type: str = "") -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if data is not None:
            headers |= {"Content-Type": content_type, "X-CSRFToken": self.cookies.get("csrftoken", "")}

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, headers=headers)
        try:
            resp = opener.open(req, timeout=60)
        except urllib.error.HTTPError as exc:  # a 302 is an "error" without the redirect handler
            resp = exc
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return resp.status, resp.headers.get("Location", ""), resp.read().decode()

    def post(self, path: str, fields: dict, files: dict | None = None):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content) in (files or {}).items():
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            parts.append(f"{head}Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(path, body, f"multipart/form-data; boundary={boundary}")


@pytest.mark.slow
def test_web_process_restarted_during_an_import_the_worker_finishes_it(procs):
    world = build_world()
    signed_in = Client()
    signed_in.force_login(world.admin1)
    session = signed_in.cookies["sessionid"].value
    n = 150
    before = roll()
    worker(procs, "--no-daily")
    web = Web(procs, session)
    assert web.request(URL)[0] == 200  # the form, and the CSRF cookie
    status, location, _page = web.post(URL, {}, {"file": ("orgs.csv", org_csv(n, "XW"))})
    assert status == 302 and "batch=" in location
    preview = ImportBatch.objects.get(pk=location.split("batch=")[1])
    wait_until(lambda: ImportBatch.objects.get(pk=preview.pk).status == "done", "the preview", timeout=120)
    status, location, _page = web.post(URL, {"token": str(preview.pk)})
    batch = ImportBatch.objects.get(pk=location.split("batch=")[1])
    assert not batch.dry_run
    wait_until(lambda: ImportBatch.objects.get(pk=batch.pk).status != "queued", "the worker to take it", timeout=60)
    web.proc.kill()  # the web process dies in the middle of the import…
    assert ImportBatch.objects.get(pk=batch.pk).status == "running"
    web = Web(procs, session)  # …and comes back
    page = wait_until(
        lambda: (p := web.request(f"{URL}?batch={batch.pk}")[2]) and 'id="import-result"' in p and p,
        "the result on the page of the restarted web process",
        timeout=120,
        every=0.2,
    )
    assert "导入完成" in page and f"新增 {n}" in page
    batch.refresh_from_db()
    assert (batch.status, batch.attempt, batch.result["created"]) == ("done", 1, n)
    assert roll()[0] == before[0] + n and Org.objects.filter(code__startswith="XW").count() == n


# ---- two workers on one queue --------------------------------------------------------------------------------------


def test_two_workers_on_one_queue_run_each_job_once(procs, tmp_path):
    world = build_world()
    a, b = worker(procs, "--no-daily"), worker(procs, "--no-daily")
    wait_until(lambda: WorkerProcess.objects.count() == 2, "both workers to register")
    log = tmp_path / "probe.log"
    results = [probe.enqueue(i, str(log)) for i in range(40)]
    batches = [
        jobs.start_import("orgs", org_csv(1, f"XQ{i}"), "o.csv", user=world.admin1, dry_run=False) for i in range(4)
    ]
    ids = [r.id for r in results] + [b_.task_id for b_ in batches]
    wait_until(
        lambda: DBTaskResult.objects.filter(pk__in=ids, status=TaskResultStatus.SUCCESSFUL).count() == len(ids),
        "every job to finish",
        timeout=120,
    )
    assert stop_all(a, b) == [0, 0]
    lines = log.read_text().split()
    runs = [int(x) for x in lines[0::2]]
    assert sorted(runs) == list(range(40))  # each probe ran once
    assert len(set(lines[1::2])) == 2  # and both workers took some
    for task_row in DBTaskResult.objects.filter(pk__in=ids):
        assert len(task_row.worker_ids) == 1  # claimed once, by one worker
    for batch in batches:
        batch.refresh_from_db()
        assert (batch.status, batch.attempt, batch.result["created"]) == ("done", 1, 1)
    assert Org.objects.filter(code__startswith="XQ").count() == 4
    assert not WorkerProcess.objects.exists()  # both left cleanly


# ---- the daily jobs: once a day, whatever the number of workers ----------------------------------------------------


def test_two_workers_queue_each_daily_job_once_a_day(procs):
    names = sorted(daily_jobs())
    paths = {job.module_path for job in daily_jobs().values()}
    assert {"transfers.expire", "transfers.remind"} <= set(names)
    a, b = worker(procs), worker(procs)  # both schedule at start-up, at the same moment, and with every heartbeat
    wait_until(
        lambda: (
            DBTaskResult.objects.filter(task_path__in=paths, status=TaskResultStatus.SUCCESSFUL).count() == len(paths)
        ),
        "the daily jobs to run",
        timeout=120,
    )
    wait_until(lambda: WorkerProcess.objects.count() == 2, "both workers to register")
    for _beat in range(3):  # a few more heartbeats of both: each time each of them tried to queue again
        seen = dict(WorkerProcess.objects.values_list("pk", "seen"))
        beat = lambda seen=seen: all(w.seen > seen[w.pk] for w in WorkerProcess.objects.all())  # noqa: E731
        wait_until(beat, "a heartbeat of both")
    assert stop_all(a, b) == [0, 0]
    assert sorted(DailyRun.objects.values_list("job", flat=True)) == names  # one row per job for today
    assert DBTaskResult.objects.filter(task_path__in=paths).count() == len(paths)  # each queued once, run once
    # a third worker later the same day queues nothing more
    third = worker(procs, "--batch")
    assert third.wait() == 0
    assert DBTaskResult.objects.filter(task_path__in=paths).count() == len(paths)
