"""`sqdj backup` / `sqdj restore` and the daily backup (core.backup): the restore drill — build data, back up, wipe,
restore, the same rows and checksums in every table, personal data still encrypted in the file and readable after
— and every refusal (a changed file, another deployment, other migrations, a database that is not empty). Runs on
SQLite and on PostgreSQL (scripts/with-postgres.sh)."""

from __future__ import annotations

import datetime
import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sqdj.core import audit, backup, pii, tasks
from sqdj.core.models import AuditEvent, ObjectChange
from sqdj.members.models import Member
from sqdj.members.services import do_create_member
from sqdj.testing import build_world
from sqdj.testing.members import member_data


def run(*args: str) -> tuple[int, dict]:
    """A command with --json: (exit status, its one JSON object)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, "--json", stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, json.loads(out.getvalue())


def digests() -> dict[str, tuple[int, str]]:
    return {m._meta.db_table: backup._digest(m, connection) for m in backup.backed_up_models()}


def file_text(path: Path) -> str:
    """Everything in the backup file, uncompressed."""
    with zipfile.ZipFile(path) as zf:
        return "\n".join(zf.read(name).decode() for name in zf.namelist())


def rewrite(path: Path, target: Path, change) -> Path:
    """A copy of the backup file with `change(name, bytes) -> bytes` applied to each of its members."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, change(name, src.read(name)))
    return target


@pytest.fixture
def world(transactional_db):
    w = build_world()
    members = [
        do_create_member(acting_user=w.superuser, **member_data(w.branch1, seq=1, name="李备份")),
        do_create_member(acting_user=w.superuser, **member_data(w.branch2, seq=2, name="王恢复", female=True)),
    ]
    # a change row with every kind of value: JSON, a UUID, an IP address
    ObjectChange.objects.filter(pk=ObjectChange.objects.order_by("pk").first().pk).update(
        request_id=uuid.uuid4(), remote_addr="10.1.2.3"
    )
    return w, members


@pytest.fixture
def saved(world, tmp_path):
    """The world backed up into a file."""
    path = tmp_path / "sqdj.backup"
    code, result = run("backup", "-o", str(path))
    assert code == 0 and result["ok"], result
    return path, result


def test_the_restore_drill(world, saved):
    w, members = world
    path, result = saved
    before = digests()
    ids = {m.pk: (m.id_number, m.phone) for m in members}
    assert result["tables"] == len(before) and result["rows"] == sum(n for n, _d in before.values())
    assert oct(path.stat().st_mode & 0o777) == "0o600"

    # personal data are in the file only encrypted, and no key is in it
    text = file_text(path)
    for id_number, phone in ids.values():
        assert id_number not in text and phone not in text
    keys = [(Path(settings.DATA_DIR) / name).read_text().strip() for name in ("pii_keys", "pii_index_key")]
    keys += [settings.SECRET_KEY]
    assert all(key and key not in text for key in keys)
    assert "django_session" not in text  # sessions are left out

    call_command("flush", interactive=False, verbosity=0)  # the wipe
    assert not Member.objects.exists() and backup.nonempty_tables() == []

    code, restored = run("restore", str(path))
    assert code == 0 and restored["ok"] and restored["rows"] == result["rows"], restored
    # every table: the same rows, the same checksum — the audit trail, after its restored rows, has the restore's event
    after, trail = digests(), AuditEvent._meta.db_table
    assert {t: d for t, d in after.items() if t != trail} == {t: d for t, d in before.items() if t != trail}
    assert after[trail][0] == before[trail][0] + 1 and audit.verify()["ok"]

    for pk, (id_number, phone) in ids.items():  # decryptable with the deployment's keys, found by the blind index
        member = Member.objects.get(pk=pk)
        assert (member.id_number, member.phone) == (id_number, phone)
        assert Member.objects.get(id_number_index=Member(id_number=id_number).id_number_index_value()) == member
    assert ObjectChange.objects.filter(remote_addr="10.1.2.3", request_id__isnull=False).count() == 1

    # the sequences go on after the restored rows
    new = do_create_member(acting_user=w.superuser, **member_data(w.branch1, seq=3, name="赵新增"))
    assert new.pk > max(ids)


def test_the_backup_never_decrypts(world, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a backup decrypted personal data")

    monkeypatch.setattr(pii.EncryptedCharField, "from_db_value", refuse)
    monkeypatch.setattr(pii, "decrypt", refuse)
    assert run("backup", "-o", str(tmp_path / "b.zip"))[0] == 0


def test_a_file_that_cannot_be_written_exits_2(world, tmp_path):
    (tmp_path / "file").write_text("")
    code, result = run("backup", "-o", str(tmp_path / "file" / "b.zip"))
    assert code == 2 and not result["ok"] and "b.zip" in result["error"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # nothing left behind


def test_the_manifest(saved):
    path, result = saved
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        tables = {t["table"]: t for t in manifest["tables"]}
        assert manifest["format"] == "sqdj-backup" and manifest["version"] == 1
        assert manifest["deployment"] == settings.SQDJ_DEPLOYMENT_ID
        assert "members.0001_initial" in manifest["migrations"]
        assert manifest["checksum"] == result["checksum"] == backup._manifest_checksum(manifest)
        members = tables["members_member"]
        assert members["rows"] == 2 and "id_number" in members["columns"]
        assert len(zf.read("tables/members_member.jsonl").splitlines()) == 2


def test_a_database_with_data_is_refused(saved):
    path, _result = saved
    before = digests()
    code, result = run("restore", str(path))
    assert code == 1 and not result["ok"]
    assert "不是空的" in result["error"] or "not empty" in result["error"]
    assert digests() == before


@pytest.mark.parametrize(
    "how",
    ["a changed row", "a missing row", "a changed manifest", "not a backup"],
)
def test_a_changed_file_is_refused(saved, tmp_path, how):
    path, _result = saved
    if how == "a changed row":
        changed = rewrite(path, tmp_path / "x.zip", lambda n, b: b.replace("李备份".encode(), "李改动".encode()))
    elif how == "a missing row":
        changed = rewrite(
            path, tmp_path / "x.zip", lambda n, b: b"".join(b.splitlines(True)[1:]) if "members_member" in n else b
        )
    elif how == "a changed manifest":

        def more_rows(name, data):
            if name != "manifest.json":
                return data
            manifest = json.loads(data)
            for table in manifest["tables"]:
                if table["table"] == "members_member":
                    table["rows"] += 1
            return json.dumps(manifest).encode()

        changed = rewrite(path, tmp_path / "x.zip", more_rows)
    else:
        changed = tmp_path / "x.zip"
        changed.write_bytes(b"PK not really")
    call_command("flush", interactive=False, verbosity=0)
    code, result = run("restore", str(changed))
    assert code == 1 and not result["ok"], result
    assert not Member.objects.exists() and backup.nonempty_tables() == []  # nothing was written


def _with_manifest(path: Path, target: Path, edit) -> Path:
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        manifest["checksum"] = backup._manifest_checksum(manifest)  # a consistent file, only not for here
        return json.dumps(manifest).encode()

    return rewrite(path, target, change)


def test_another_deployments_file_is_refused(saved, tmp_path, settings):
    path, _result = saved
    call_command("flush", interactive=False, verbosity=0)
    settings.SQDJ_DEPLOYMENT_ID = "another-city"
    code, result = run("restore", str(path))
    assert code == 1 and "another-city" in result["error"]
    settings.SQDJ_DEPLOYMENT_ID = "sqdj"
    other = _with_manifest(path, tmp_path / "o.zip", lambda m: m.update(deployment="another-city"))
    assert run("restore", str(other))[0] == 1
    assert backup.nonempty_tables() == []


def test_other_migrations_or_other_keys_are_refused(saved, tmp_path):
    path, _result = saved
    call_command("flush", interactive=False, verbosity=0)
    newer = _with_manifest(path, tmp_path / "m.zip", lambda m: m["migrations"].append("members.9999_future"))
    code, result = run("restore", str(newer))
    assert code == 1 and "members.9999_future" in result["error"]
    other_keys = _with_manifest(
        path, tmp_path / "k.zip", lambda m: m["key_check"].update(index=pii.blind_index("something else"))
    )
    code, result = run("restore", str(other_keys))
    assert code == 1 and "SQDJ_PII_KEYS" in result["error"]
    assert backup.nonempty_tables() == []


def test_the_human_output_is_chinese(saved):
    path, _result = saved
    out = io.StringIO()
    call_command("backup", "-o", str(path), stdout=out, stderr=io.StringIO())
    assert "备份" in out.getvalue()
    call_command("flush", interactive=False, verbosity=0)
    out = io.StringIO()
    call_command("restore", str(path), stdout=out, stderr=io.StringIO())
    assert "恢复" in out.getvalue()


# ---- the daily backup ---------------------------------------------------------------------------------------------


def test_the_daily_job_is_declared_unless_turned_off(settings):
    settings.SQDJ_BACKUP_KEEP_DAYS = 30
    assert "core.backup" in tasks.daily_jobs()
    settings.SQDJ_BACKUP_KEEP_DAYS = 0
    assert "core.backup" not in tasks.daily_jobs()


def test_the_daily_backup_writes_a_file_and_prunes_old_ones(world, tmp_path, settings):
    settings.SQDJ_BACKUP_DIR = tmp_path
    settings.SQDJ_BACKUP_KEEP_DAYS = 3
    day = datetime.date(2026, 12, 6)
    for old in (5, 3, 2):
        (tmp_path / f"sqdj-backup-{day - datetime.timedelta(days=old)}.zip").write_bytes(b"old")
    (tmp_path / "notes.txt").write_text("not ours")
    (tmp_path / "sqdj-backup-2020-01-01.zip.keep").write_text("not a daily file")
    result = tasks.daily_backup.call(day.isoformat())
    assert result["file"] == "sqdj-backup-2026-12-06.zip" and result["rows"] > 0
    assert sorted(result["pruned"]) == ["sqdj-backup-2026-12-01.zip", "sqdj-backup-2026-12-03.zip"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt",
        "sqdj-backup-2020-01-01.zip.keep",
        "sqdj-backup-2026-12-04.zip",
        "sqdj-backup-2026-12-06.zip",
    ]
    with zipfile.ZipFile(tmp_path / "sqdj-backup-2026-12-06.zip") as zf:
        assert backup.read_manifest(zf)["deployment"] == settings.SQDJ_DEPLOYMENT_ID
    again = tasks.daily_backup.call(day.isoformat())  # a retry the same day replaces that day's file
    assert again["file"] == result["file"] and len(list(tmp_path.iterdir())) == 4


def test_the_worker_queues_the_daily_backup(world, tmp_path, settings):
    settings.SQDJ_BACKUP_DIR = tmp_path
    settings.SQDJ_BACKUP_KEEP_DAYS = 30
    settings.SQDJ_DAILY_JOBS_HOUR = 0
    assert "core.backup" in tasks.schedule_daily()  # the immediate backend of the tests runs it at once
    assert len(list(tmp_path.glob("sqdj-backup-*.zip"))) == 1
