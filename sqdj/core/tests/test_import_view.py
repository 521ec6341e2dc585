"""The web import wizard: preview writes nothing, confirm writes, cancel and expiry delete the waiting file."""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from sqdj.core.testing import build_world
from sqdj.orgs.importers import OrgImporter
from sqdj.orgs.models import Org

pytestmark = pytest.mark.django_db
URL = "/orgs/import/"


@pytest.fixture
def client():
    world = build_world()
    c = Client()
    c.force_login(world.admin1)
    return c


def upload(client, rows):
    text = "\n".join(",".join(r) for r in [OrgImporter.headers, *rows]) + "\n"
    return client.post(URL, {"file": SimpleUploadedFile("orgs.csv", text.encode("gbk"), "text/csv")})


def waiting() -> list[Path]:
    d = Path(settings.DATA_DIR) / "imports"
    return list(d.iterdir()) if d.exists() else []


GOOD = [["XZW1", "甲社区网页党小组", "党小组", "ZBT1", "", "", ""]]


def test_preview_then_confirm(client):
    r = upload(client, GOOD)
    token = r.context["token"]
    assert r.context["result"].created == 1 and not Org.objects.filter(code="XZW1").exists()
    assert (Path(settings.DATA_DIR) / "imports" / token).exists()
    r = client.post(URL, {"token": token})
    assert r.context["result"].ok and r.context["confirmed"]
    assert Org.objects.filter(code="XZW1").exists()
    assert not (Path(settings.DATA_DIR) / "imports" / token).exists()
    r = client.post(URL, {"token": token})  # a second confirmation of the same token does nothing
    assert r.status_code == 302


def test_rejected_file_shows_rows_and_keeps_nothing(client):
    before = len(waiting())
    r = upload(client, [["XZW2", "乙社区党小组", "党小组", "ZBT2", "", "", ""]])
    assert not r.context["result"].ok and r.context["token"] == ""
    assert "第2行" in r.content.decode()
    assert len(waiting()) == before and not Org.objects.filter(code="XZW2").exists()


def test_cancel_deletes_the_waiting_file(client):
    token = upload(client, GOOD).context["token"]
    r = client.post(URL, {"token": token, "cancel": "1"})
    assert r.status_code == 302
    assert not (Path(settings.DATA_DIR) / "imports" / token).exists()
    assert not Org.objects.filter(code="XZW1").exists()


def test_token_is_bound_to_the_kind_and_the_session(client):
    token = upload(client, GOOD).context["token"]
    assert client.post("/areas/import/", {"token": token}).status_code == 302  # an orgs token is no areas token
    from sqdj.accounts.models import User

    other = Client()
    other.force_login(User.objects.get(username="root"))
    assert other.post(URL, {"token": token}).status_code == 302  # another session cannot use it
    assert not Org.objects.filter(code="XZW1").exists()


@override_settings(SQDJ_IMPORT_PENDING_SECONDS=60)
def test_stale_waiting_files_are_purged(client):
    token = upload(client, GOOD).context["token"]
    f = Path(settings.DATA_DIR) / "imports" / token
    old = time.time() - 3600
    os.utime(f, (old, old))
    client.get(URL)
    assert not f.exists()
