"""The web import wizard: preview writes nothing, confirm writes, cancel and expiry delete the waiting file,
batches belong to their user, and the background run reports progress and survives a crash."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from sqdj.accounts.models import User
from sqdj.core import jobs
from sqdj.core.models import ImportBatch
from sqdj.orgs import services
from sqdj.orgs.importers import OrgImporter
from sqdj.orgs.models import Org
from sqdj.testing import build_world

URL = "/orgs/import/"
GOOD = [["XZW1", "甲社区网页党小组", "党小组", "ZBT1", "", "", ""]]


@pytest.fixture
def client(db):
    world = build_world()
    c = Client()
    c.force_login(world.admin1)
    return c


def upload(client, rows):
    text = "\n".join(",".join(r) for r in [OrgImporter.headers, *rows]) + "\n"
    r = client.post(URL, {"file": SimpleUploadedFile("orgs.csv", text.encode("gbk"), "text/csv")})
    assert r.status_code == 302
    return ImportBatch.objects.get(pk=r["Location"].split("batch=")[1])


def test_preview_then_confirm(client):
    batch = upload(client, GOOD)
    assert batch.dry_run and batch.result["created"] == 1 and not Org.objects.filter(code="XZW1").exists()
    assert jobs.pending_file(batch).exists() and len(batch.sha256) == 64
    page = client.get(URL, {"batch": batch.pk}).content.decode()
    assert "确认导入" in page and "1" in page
    r = client.post(URL, {"token": batch.pk})
    real = ImportBatch.objects.get(pk=r["Location"].split("batch=")[1])
    assert not real.dry_run and real.result["ok"] and Org.objects.filter(code="XZW1").exists()
    assert not jobs.pending_file(batch).exists()
    assert client.post(URL, {"token": batch.pk}).status_code == 302  # a second confirmation does nothing more
    assert Org.objects.filter(code="XZW1").count() == 1 and ImportBatch.objects.filter(dry_run=False).count() == 1


def test_rejected_file_shows_rows_and_keeps_nothing(client):
    batch = upload(client, [["XZW2", "乙社区党小组", "党小组", "ZBT2", "", "", ""]])
    assert not batch.result["ok"] and not jobs.pending_file(batch).exists()
    page = client.get(URL, {"batch": batch.pk}).content.decode()
    assert "第2行" in page and "确认导入" not in page
    assert client.post(URL, {"token": batch.pk}).status_code == 302  # cannot be confirmed
    assert not Org.objects.filter(code="XZW2").exists()


def test_cancel_deletes_the_waiting_file(client):
    batch = upload(client, GOOD)
    assert client.post(URL, {"token": batch.pk, "cancel": "1"}).status_code == 302
    assert not jobs.pending_file(batch).exists()
    client.post(URL, {"token": batch.pk})
    assert not Org.objects.filter(code="XZW1").exists()


def test_batches_belong_to_their_user_and_kind(client):
    batch = upload(client, GOOD)
    assert client.get("/areas/import/", {"batch": batch.pk}).status_code == 404
    assert client.get(URL, {"batch": "not-a-uuid"}).status_code == 404
    other = Client()
    other.force_login(User.objects.get(username="root"))
    assert other.get(URL, {"batch": batch.pk}).status_code == 404
    assert other.post(URL, {"token": batch.pk}).status_code == 302
    assert not Org.objects.filter(code="XZW1").exists()


@override_settings(SQDJ_IMPORT_PENDING_SECONDS=60)
def test_stale_waiting_files_are_purged(client):
    batch = upload(client, GOOD)
    old = time.time() - 3600
    os.utime(jobs.pending_file(batch), (old, old))
    client.get(URL)
    assert not jobs.pending_file(batch).exists()


@pytest.mark.django_db(transaction=True)
def test_background_run_reports_progress_then_the_result():
    world = build_world()
    c = Client()
    c.force_login(world.admin1)
    rows = [[f"XZB{i}", f"后台党小组{i}", "党小组", "ZBT1", "", "", ""] for i in range(30)]
    batch = upload(c, rows)
    deadline = time.time() + 30
    while ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.RUNNING and time.time() < deadline:
        r = c.get(URL, {"batch": batch.pk}, HTTP_HX_REQUEST="true")  # the htmx poll: just the batch block
        assert r.status_code == 200 and "<html" not in r.content.decode()
        time.sleep(0.1)
    batch.refresh_from_db()
    assert batch.status == "done" and batch.total == 30 and batch.result["created"] == 30
    assert not Org.objects.filter(code="XZB0").exists()  # it was the preview


@pytest.mark.django_db(transaction=True)
def test_background_crash_is_recorded_and_writes_nothing(monkeypatch):
    world = build_world()
    before = Org.objects.count()
    real, calls = services.do_create_org, []

    def flaky(**kw):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(**kw)

    monkeypatch.setattr(services, "do_create_org", flaky)
    batch = jobs.start_import(
        "orgs",
        "\n".join(
            ",".join(r)
            for r in [OrgImporter.headers, *[[f"XZC{i}", "组", "党小组", "ZBT1", "", "", ""] for i in range(3)]]
        ).encode(),
        "o.csv",
        user=world.admin1,
        dry_run=False,
    )
    deadline = time.time() + 30
    while ImportBatch.objects.get(pk=batch.pk).status == "running" and time.time() < deadline:
        time.sleep(0.05)
    assert ImportBatch.objects.get(pk=batch.pk).status == "failed"
    assert Org.objects.count() == before
    page = Client()
    page.force_login(world.admin1)
    assert page.get(URL, {"batch": batch.pk}).context["batch"].status == "failed"
