"""Personal data at rest: ciphertext in the database, blind-index search, masking, rotation, tamper detection."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from sqdj.core import pii
from sqdj.members.models import Member
from sqdj.members.services import do_create_member
from sqdj.testing import build_world
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    w = build_world()
    return do_create_member(acting_user=None, **member_data(w.branch1, seq=3))


def raw(member, column):
    with connection.cursor() as c:
        c.execute(f"SELECT {column} FROM members_member WHERE id = %s", [member.pk])
        return c.fetchone()[0]


def test_database_holds_ciphertext_only(member):
    for column, value in (("id_number", member.id_number), ("phone", member.phone)):
        stored = raw(member, column)
        assert value not in stored and not any(ch.isdigit() for ch in stored[:4])
    assert Member.objects.get(pk=member.pk).id_number == member.id_number
    assert Member.objects.filter(id_number_index=pii.blind_index(member.id_number)).get() == member


def test_masks():
    # the disclosure policy (docs/security.md): the province of an ID number, a phone's carrier prefix and last two
    assert pii.mask_id_number("12010119800229123X") == "12****************"
    assert pii.mask_phone("13812345678") == "138******78"
    assert pii.mask_phone("022-12345678") == "022*******78" and pii.mask_phone("0591-1234567") == "059*******67"
    assert pii.mask_phone("1234567") == "*******"  # too short to show anything
    assert pii.mask_id_number("") == "" and pii.mask_phone("") == ""


def test_rotation_with_a_new_first_key(member, monkeypatch):
    old = raw(member, "id_number")
    current = pii._fernet()._fernets[0]._signing_key + pii._fernet()._fernets[0]._encryption_key
    import base64

    old_key = base64.urlsafe_b64encode(current).decode()
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("SQDJ_PII_KEYS", f"{new_key},{old_key}")
    pii.reset_keys()
    call_command("pii", "rotate", stdout=io.StringIO())
    assert raw(member, "id_number") != old
    monkeypatch.setenv("SQDJ_PII_KEYS", new_key)  # the old key can now be dropped
    pii.reset_keys()
    assert Member.objects.get(pk=member.pk).id_number == member.id_number
    monkeypatch.delenv("SQDJ_PII_KEYS")
    pii.reset_keys()


def test_wrong_key_or_tampering_is_detected(member, monkeypatch):
    monkeypatch.setenv("SQDJ_PII_KEYS", Fernet.generate_key().decode())
    pii.reset_keys()
    with pytest.raises(ValueError):
        Member.objects.get(pk=member.pk)

    with pytest.raises(CommandError), transaction.atomic():  # a savepoint: PostgreSQL aborts the failed one
        call_command("pii", "rotate", stdout=io.StringIO())
    monkeypatch.delenv("SQDJ_PII_KEYS")
    pii.reset_keys()
    stored = raw(member, "phone")
    tampered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    Member.objects.filter(pk=member.pk).update(work_unit="x")
    with connection.cursor() as c:
        c.execute("UPDATE members_member SET phone = %s WHERE id = %s", [tampered, member.pk])
    with pytest.raises(ValueError):
        Member.objects.get(pk=member.pk)
