"""The tamper-evident audit trail (core.audit; security.md R8–R11): the hash chain and `sqdj audit verify`, the
append-only table (PostgreSQL: a trigger), retention with its 184-day floor, and the purge's checkpoint."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from sqdj.core import audit
from sqdj.core.models import AuditEvent

pytestmark = pytest.mark.django_db
E = AuditEvent.Event
PG = "postgresql"


def chain(n: int, *, start_days_ago: float = 0) -> list[AuditEvent]:
    """n events, oldest first, one hour apart from `start_days_ago` days ago."""
    start = timezone.now() - datetime.timedelta(days=start_days_ago)
    return [
        audit.record(E.CONFIG, user=None, detail={"i": i}, time=start + datetime.timedelta(hours=i)) for i in range(n)
    ]


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def as_attacker(sql: str, params=()) -> None:
    """What someone with the database's password could do: on PostgreSQL, switch the trigger off first."""
    if connection.vendor == PG:
        raw("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
    raw(sql, params)
    if connection.vendor == PG:
        raw("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def verify_cli(*args) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("audit", "verify", "--json", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return exc.code, json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def test_an_intact_chain_verifies_and_each_row_links_to_the_one_before():
    rows = chain(4)
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert rows[0].prev_hash == ""
    status, result = verify_cli()
    assert status == 0
    assert result == {"ok": True, "rows": 4, "head": rows[-1].hash, "purged_through": None}
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "4" in out.getvalue()


@pytest.mark.parametrize("column,value", [("username", "someone else"), ("detail", '{"i": 99}')])
def test_verify_finds_an_edited_row(column, value):
    rows = chain(4)
    if connection.vendor == PG:  # the trigger refuses the edit
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(f"UPDATE core_auditevent SET {column} = %s WHERE id = %s", [value, rows[2].pk])
    as_attacker(f"UPDATE core_auditevent SET {column} = %s WHERE id = %s", [value, rows[2].pk])
    status, result = verify_cli()
    assert status == 1
    assert (result["ok"], result["id"], result["problem"]) == (False, rows[2].pk, "edited")
    assert result["time"] == rows[2].time.astimezone(datetime.UTC).isoformat()
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", stdout=io.StringIO())
    assert exc.value.returncode == 1
    assert str(rows[2].pk) in str(exc.value)


def test_verify_finds_a_row_edited_with_its_hash_recomputed():
    rows = chain(3)
    forged = {**AuditEvent.objects.values(*audit.HASHED).get(pk=rows[1].pk), "username": "x"}
    as_attacker(
        "UPDATE core_auditevent SET username = 'x', hash = %s WHERE id = %s",
        [audit.chain_hash(rows[1].prev_hash, forged), rows[1].pk],
    )
    result = audit.verify()
    assert (result["ok"], result["id"], result["problem"]) == (False, rows[2].pk, "missing")


@pytest.mark.parametrize("which", [0, 2, 4])
def test_verify_finds_a_deleted_row(which):
    rows = chain(5)
    if connection.vendor == PG:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw("DELETE FROM core_auditevent WHERE id = %s", [rows[which].pk])
    as_attacker("DELETE FROM core_auditevent WHERE id = %s", [rows[which].pk])
    result = audit.verify()
    if which == 4:  # the newest row gone: the chain's head moved back (the head hash, kept elsewhere, tells)
        assert result["ok"] and result["head"] == rows[3].hash
        return
    assert (result["ok"], result["id"], result["problem"]) == (False, rows[which + 1].pk, "missing")


def test_the_orm_neither_updates_nor_deletes_audit_rows():
    row = chain(1)[0]
    row.username = "x"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=row.pk).update(username="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert audit.verify()["ok"]


def test_purge_keeps_184_days_and_verify_passes_after_it():
    old = chain(3, start_days_ago=200)
    young = chain(2, start_days_ago=100)
    result = audit.purge()
    assert result == {"deleted": 3, "keep_days": 184, "through_id": old[-1].pk}
    assert not AuditEvent.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[r.pk for r in young]).count() == 2
    checkpoint = AuditEvent.objects.get(event=E.AUDIT_PURGE)
    assert checkpoint.detail["through_hash"] == old[-1].hash and checkpoint.detail["deleted"] == 3
    status, verified = verify_cli()
    assert status == 0 and verified["rows"] == 3 and verified["purged_through"] == old[-1].pk
    assert audit.purge()["deleted"] == 0  # a second run the same day: nothing more
    # deleting the oldest remaining row behind the purge's back is found
    as_attacker("DELETE FROM core_auditevent WHERE id = %s", [young[0].pk])
    result = audit.verify()
    assert (result["ok"], result["id"], result["problem"]) == (False, young[1].pk, "missing")


def test_purge_never_deletes_the_newest_row_nor_a_row_younger_than_the_floor():
    only = chain(1, start_days_ago=400)
    assert audit.purge()["deleted"] == 0  # the head stays: the chain goes on from it
    assert AuditEvent.objects.filter(pk=only[0].pk).exists()
    chain(1, start_days_ago=150)
    with override_settings(SQDJ_AUDIT_KEEP_DAYS=30):  # below the floor: raised to 184
        assert audit.keep_days() == 184
        assert audit.purge()["deleted"] == 1  # the 400-day-old row only; the 150-day-old one stays
    assert AuditEvent.objects.filter(time__lt=timezone.now() - datetime.timedelta(days=140)).count() == 1


def test_a_longer_retention_setting_is_honoured():
    chain(2, start_days_ago=200)
    chain(1)
    with override_settings(SQDJ_AUDIT_KEEP_DAYS=365):
        assert audit.purge()["deleted"] == 0
    with override_settings(SQDJ_AUDIT_KEEP_DAYS=190):
        assert audit.purge()["deleted"] == 2
    assert audit.verify()["ok"]


def test_a_retention_below_the_floor_is_warned_about():
    with override_settings(SQDJ_AUDIT_KEEP_DAYS=90):
        found = [m for m in checks.run_checks() if m.id == "sqdj.audit.W001"]
    assert len(found) == 1 and found[0].level == checks.WARNING
    with override_settings(SQDJ_AUDIT_KEEP_DAYS=184):
        assert not [m for m in checks.run_checks() if m.id == "sqdj.audit.W001"]


def test_purge_command_and_daily_job():
    from sqdj.core import tasks

    chain(2, start_days_ago=300)
    chain(1)
    assert "core.audit_purge" in tasks.daily_jobs()
    out = io.StringIO()
    call_command("audit", "purge", "--json", stdout=out)
    assert json.loads(out.getvalue())["deleted"] == 2
    assert tasks.daily_audit_purge.call(timezone.localdate().isoformat())["deleted"] == 0


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_a_delete_even_of_an_old_row_outside_the_purge_function():
    rows = chain(2, start_days_ago=300)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("DELETE FROM core_auditevent WHERE id = %s", [rows[0].pk])
    young = chain(2)
    # the purge function itself cannot reach below the floor
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("SELECT sqdj_audit_purge(%s)", [young[0].pk])
    assert AuditEvent.objects.count() == 4
