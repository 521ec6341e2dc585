"""Background jobs in one process (core.jobs): retries (of a failed job: from its page; of a succeeded one: nothing
is doubled), a job whose worker died shows as failed, the jobs page and the export page belong to their user, a
large export runs as a job, and where progress is written. Real `sqdj worker` processes: test_jobs_worker.py."""

from __future__ import annotations

import os
import subprocess
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sqdj.accounts.models import User
from sqdj.core import jobs, worker
from sqdj.core.models import ExportJob, ImportBatch, ObjectChange, WorkerProcess
from sqdj.members.models import Member, PiiReveal
from sqdj.members.services import do_create_member
from sqdj.members.views import MemberViews
from sqdj.orgs import services
from sqdj.orgs.importers import OrgImporter
from sqdj.orgs.models import Org
from sqdj.testing import build_world
from sqdj.testing.members import member_data

URL = "/orgs/import/"
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def csv(rows) -> bytes:
    return ("\n".join(",".join(r) for r in [OrgImporter.headers, *rows]) + "\n").encode()


def group_rows(n, prefix="XJ"):
    return [[f"{prefix}{i}", f"后台党小组{i}", "党小组", "ZBT1", "", "", ""] for i in range(n)]


def state():
    return Org.objects.count(), ObjectChange.objects.count()


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client(world):
    c = Client()
    c.force_login(world.admin1)
    return c


def upload_and_confirm(client, rows) -> ImportBatch:
    r = client.post(URL, {"file": SimpleUploadedFile("orgs.csv", csv(rows), "text/csv")})
    preview = ImportBatch.objects.get(pk=r["Location"].split("batch=")[1])
    assert preview.status == "done" and preview.result["ok"], preview.result
    r = client.post(URL, {"token": preview.pk})
    return ImportBatch.objects.get(pk=r["Location"].split("batch=")[1])


def test_retry_of_a_succeeded_import_changes_nothing(client):
    batch = upload_and_confirm(client, group_rows(3))
    assert batch.status == "done" and batch.result["created"] == 3 and batch.attempt == 1
    before = state()
    r = client.post(URL, {"retry": batch.pk}, follow=True)
    assert "没有需要重试的" in r.content.decode()
    assert not jobs.retry(batch)
    # the task of the attempt that ran, delivered once more (a second worker, a re-queued row): not its job to run
    assert jobs.run_import.call(str(batch.pk), 1) is None
    batch.refresh_from_db()
    assert (batch.status, batch.attempt, batch.result["created"]) == ("done", 1, 3)
    assert state() == before


def test_a_failed_import_is_retried_from_its_page_and_writes_each_row_once(client, monkeypatch):
    real, calls = services.do_create_org, []

    def flaky(**kw):
        calls.append(1)
        if len(calls) == 5:  # the preview's three rows passed; the real run's second row
            raise RuntimeError("power cut")
        return real(**kw)

    monkeypatch.setattr(services, "do_create_org", flaky)
    before = state()
    r = client.post(URL, {"file": SimpleUploadedFile("orgs.csv", csv(group_rows(3)), "text/csv")})
    preview = ImportBatch.objects.get(pk=r["Location"].split("batch=")[1])
    batch = jobs.confirm_import(preview, user=preview.user)
    assert (batch.status, batch.error) == ("failed", "crashed") and state() == before  # rolled back
    page = client.get(URL, {"batch": batch.pk}).content.decode()
    assert 'id="import-retry"' in page and "什么也没有写入" in page
    r = client.post(URL, {"retry": batch.pk})
    assert r.status_code == 302 and r["Location"].endswith(f"?batch={batch.pk}")
    batch.refresh_from_db()
    assert (batch.status, batch.attempt, batch.result["created"]) == ("done", 2, 3)
    assert Org.objects.filter(code__startswith="XJ").count() == 3 and state()[0] == before[0] + 3
    assert not jobs.pending_file(batch).exists()


@pytest.mark.parametrize("host", ["here", "elsewhere"])
def test_a_job_whose_worker_died_shows_as_failed_and_may_be_retried(client, world, settings, host):
    settings.TASKS = DB_BACKEND  # queued, and claimed by hand below: no worker in this test
    batch = jobs.start_import("orgs", csv(group_rows(2)), "o.csv", user=world.admin1, dry_run=False)
    assert batch.status == "queued" and client.get(URL, {"batch": batch.pk}).context["batch"].status == "queued"
    if host == "here":  # a process of this host that has exited: dead at once
        gone = subprocess.Popen(["true"])
        gone.wait()
        dead = WorkerProcess.objects.create(id="w-dead", host=worker.HOST, pid=gone.pid, seen=timezone.now())
    else:  # on another host: dead when its heartbeat is older than the lease
        dead = WorkerProcess.objects.create(id="w-dead", host="elsewhere", pid=1, seen=timezone.now())
    task = DBTaskResult.objects.get(pk=batch.task_id)
    task.claim(dead.id)
    ImportBatch.objects.filter(pk=batch.pk).update(status="running")
    if host == "elsewhere":
        assert client.get(URL, {"batch": batch.pk}).context["batch"].status == "running"  # within the lease
        settings.SQDJ_WORKER_LEASE = -1
    page = client.get(URL, {"batch": batch.pk})
    assert (page.context["batch"].status, page.context["batch"].error) == ("failed", "worker_died")
    assert 'id="import-retry"' in page.content.decode()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED and task.exception_class_path.endswith("WorkerDied")
    client.post(URL, {"retry": batch.pk})
    batch.refresh_from_db()
    assert (batch.status, batch.attempt) == ("queued", 2) and batch.task_id != str(task.pk)
    assert DBTaskResult.objects.get(pk=batch.task_id).status == TaskResultStatus.READY


def test_a_live_worker_on_this_host_is_not_judged_dead(world, settings):
    settings.TASKS = DB_BACKEND
    settings.SQDJ_WORKER_LEASE = -1  # the lease is for other hosts: here the process itself is checked
    batch = jobs.start_import("orgs", csv(group_rows(1)), "o.csv", user=world.admin1, dry_run=False)
    me = WorkerProcess.objects.create(
        id="w-me",
        host=worker.HOST,
        pid=os.getpid(),
        process_start=worker.process_start(os.getpid()),
        seen=timezone.now(),
    )
    DBTaskResult.objects.get(pk=batch.task_id).claim(me.id)
    ImportBatch.objects.filter(pk=batch.pk).update(status="running")
    assert jobs.refresh(ImportBatch.objects.get(pk=batch.pk)).status == "running"
    assert worker.reap() == 0 and WorkerProcess.objects.filter(pk="w-me").exists()
    # the same pid, started at another time: another process under a reused pid
    WorkerProcess.objects.filter(pk="w-me").update(process_start="1")
    assert worker.reap() == 1 and not WorkerProcess.objects.filter(pk="w-me").exists()
    assert jobs.refresh(ImportBatch.objects.get(pk=batch.pk)).status == "failed"


def test_a_job_without_its_task_is_failed(world, settings):
    settings.TASKS = DB_BACKEND
    batch = ImportBatch.objects.create(user=world.admin1, kind="orgs", filename="o.csv", status="running")
    assert (jobs.refresh(batch).status, batch.error) == ("failed", "lost")  # e.g. a thread of an old web process


def test_the_jobs_pages_belong_to_their_user(client, world, settings):
    settings.SQDJ_EXPORT_BACKGROUND_ROWS = 0
    batch = upload_and_confirm(client, group_rows(1))
    r = client.get("/orgs/", {"export": "csv"})
    export = ExportJob.objects.get(user=world.admin1)
    assert r.status_code == 302 and r["Location"] == f"/jobs/exports/{export.pk}/"
    mine = client.get("/jobs/").content.decode()
    assert f'id="job-{batch.pk}"' in mine and f'id="job-{export.pk}"' in mine and "我的后台任务" in mine
    other = Client()
    other.force_login(User.objects.get(username="root"))
    assert f"job-{batch.pk}" not in other.get("/jobs/").content.decode()
    for url in (f"/jobs/exports/{export.pk}/", f"/jobs/exports/{export.pk}/download/"):
        assert other.get(url).status_code == 404
    for pk in (export.pk, batch.pk):
        assert other.post(f"/jobs/{pk}/retry/").status_code == 404
    assert other.get(URL, {"batch": batch.pk}).status_code == 404
    assert client.get("/jobs/").status_code == 200 and Client().get("/jobs/").status_code == 302  # sign in first


def test_a_large_export_runs_as_a_job_and_is_downloaded_from_its_page(client, world, settings):
    settings.SQDJ_EXPORT_BACKGROUND_ROWS = 2
    small = client.get("/orgs/", {"export": "csv", "q": "第一党小组"})  # one row: in the request
    assert small.status_code == 200 and "XZT1" in small.content.decode("utf-8-sig")
    r = client.get("/orgs/", {"export": "csv"})
    job = ExportJob.objects.get()
    assert r["Location"] == f"/jobs/exports/{job.pk}/" and (job.status, job.rows) == ("done", 3)
    page = client.get(r["Location"]).content.decode()
    assert 'id="export-download"' in page
    data = b"".join(client.get(f"/jobs/exports/{job.pk}/download/").streaming_content).decode("utf-8-sig")
    codes = [line.split(",")[0] for line in data.splitlines()[1:]]
    assert sorted(codes) == ["SQT1", "XZT1", "ZBT1"]  # admin1's scope only
    assert not jobs.retry(job)  # done: nothing to do again
    jobs.export_file(job).unlink()
    assert "不再保留" in client.get(r["Location"]).content.decode()


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_at_once_outside_the_write_transaction():
    """The check stage writes on the job's connection; inside the import's transaction PostgreSQL writes through
    a second connection (visible before the import commits), SQLite writes nothing (it would wait for the write
    lock that the import holds)."""
    world = build_world()
    batch = ImportBatch.objects.create(user=world.admin1, kind="orgs", filename="o.csv", status="running")

    def seen():
        out = []
        t = threading.Thread(target=lambda: (out.append(ImportBatch.objects.get(pk=batch.pk)), connection.close()))
        t.start()
        t.join()
        return out[0].stage, out[0].done, out[0].total

    progress = jobs.Progress(batch)
    progress(5, 10, "check")
    assert seen() == ("check", 5, 10)
    with transaction.atomic():
        Org.objects.filter(pk=world.group1.pk).update(name="写入中")  # the import's writes: SQLite's write lock
        started = time.monotonic()
        progress(1, 10, "write")
        progress.close()
        assert time.monotonic() - started < 5
        if connection.vendor == "postgresql":
            assert seen() == ("write", 1, 10)
        else:
            assert seen() == ("check", 5, 10)
        transaction.set_rollback(True)


def test_a_large_members_export_with_a_reason_logs_each_full_number(client, world, settings):
    settings.SQDJ_EXPORT_BACKGROUND_ROWS = 1
    for seq, org in ((1, world.branch1), (2, world.group1), (9, world.branch2)):  # the last: another community
        do_create_member(acting_user=None, **member_data(org, seq=seq))
    r = client.get("/members/", {"export": "csv", "reveal_reason": "换届核对"})
    job = ExportJob.objects.get()
    assert r["Location"] == f"/jobs/exports/{job.pk}/" and (job.status, job.rows) == ("done", 2)
    download = client.get(f"/jobs/exports/{job.pk}/download/")
    assert download["Cache-Control"] == "no-store"
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    mine = Member.objects.filter(org__path__startswith=world.community1.path)
    assert all(m.id_number in text for m in mine) and "*" not in text.splitlines()[1].split(",")[3]
    reveals = set(PiiReveal.objects.values_list("member_id", "reason", "remote_addr", "user__username"))
    assert reveals == {(m.pk, "导出：换届核对", "127.0.0.1", "admin1") for m in mine}


def test_a_background_export_searched_by_a_whole_number_keeps_it_sealed_and_finds_only_revealable_rows(world):
    """The job's row holds the filters encrypted, and the search by a number answers what the same search on the
    page answers the same user: the member for one who may reveal it, nothing for a read-only user."""
    member = do_create_member(acting_user=None, **member_data(world.branch1, seq=1))
    query = QueryDict(mutable=True)
    query["q"] = member.id_number
    found = {}
    for user in (world.admin1, world.viewer1):
        job = jobs.start_export(MemberViews, query, "csv", user=user)
        job.refresh_from_db()
        assert member.id_number not in str(job.params) and "query_sealed" in job.params
        found[user.username] = job.rows
    assert found == {"admin1": 1, "viewer1": 0}


def test_a_background_export_searched_by_the_last_4_digits_keeps_them_sealed(world):
    """A search by the last 4 digits of an ID or phone number stays out of the job's row as out of the URL."""
    member = do_create_member(acting_user=None, **member_data(world.branch1, seq=1))
    query = QueryDict(mutable=True)
    query["q"] = member.phone[-4:]
    job = jobs.start_export(MemberViews, query, "csv", user=world.admin1)
    job.refresh_from_db()
    assert "query_sealed" in job.params and member.phone[-4:] not in str(job.params)
    assert job.rows == 1
