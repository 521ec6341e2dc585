"""Search by the last 4 digits of an ID or phone number (issue 14): keyed indexes, never the plain digits, kept in
step by every write path (create, update, import, the migration's backfill), found within the reveal scope only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from sqdj.core.pii import blind_index
from sqdj.members.filtersets import MemberFilterSet
from sqdj.members.models import Member, id_number_suffix_index, phone_suffix_index
from sqdj.members.services import FIELDS, bulk_upsert_members, do_create_member, do_update_member
from sqdj.testing.members import member_data, world_with_members
from sqdj.testing.migrations import migrate_to

SUFFIX_COLUMNS = ("id_number_suffix_index", "phone_suffix_index")


@pytest.fixture
def world(db):
    return world_with_members()


def _found(user, q, queryset=None) -> set[str]:
    request = type("R", (), {"user": user})()
    fs = MemberFilterSet({"q": q}, queryset=queryset or Member.objects.all(), request=request)
    assert fs.is_valid(), fs.errors
    return set(fs.qs.values_list("name", flat=True))


def _raw_rows() -> list[dict]:
    """The members' rows as stored (no field decrypts or converts anything)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Member._meta.db_table}")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_no_plain_suffix_is_stored(world):
    members = {m.pk: m for m in Member.objects.all()}
    for row in _raw_rows():
        member = members[row["id"]]
        id_tail, phone_tail = member.id_number[-4:], member.phone[-4:]
        for column, tail in (("id_number_suffix_index", id_tail), ("phone_suffix_index", phone_tail)):
            stored = row[column]
            assert len(stored) == 52 and stored.isalnum() and stored.islower(), (column, stored)  # a keyed hash
            assert stored != tail and stored != blind_index(tail)  # not the digits, nor their plain blind index
        assert row["id_number_suffix_index"] == id_number_suffix_index(member.id_number)
        assert row["phone_suffix_index"] == phone_suffix_index(member.phone)
        for value in row.values():  # no column holds the last digits as its value
            assert str(value) not in (id_tail, phone_tail)
    # the same 4 digits as an ID suffix and as a phone suffix give different indexes (their own prefixes)
    assert id_number_suffix_index("x0001") != phone_suffix_index("0001") != ""
    assert phone_suffix_index("123") == phone_suffix_index("") == id_number_suffix_index("12X") == ""


def test_search_finds_by_either_suffix_within_the_reveal_scope(world):
    admin = world.admin1  # community admin of branch1's community: may reveal m1 and m2, not `out` (branch2)
    assert _found(admin, world.m1.phone[-4:]) == {"张三丰"}
    assert _found(admin, world.m2.id_number[-4:]) == {"王二小"}
    assert _found(admin, world.m2.id_number[-4:].lower()) == {"王二小"}  # an x typed small
    assert _found(admin, world.out.phone[-4:]) == set()  # outside the scope
    assert _found(world.superuser, world.out.phone[-4:]) == {"李四光"}
    assert _found(world.viewer1, world.m1.phone[-4:]) == set()  # may see but not reveal: no hint of the digits
    assert _found(admin, "9999") == set()


def test_an_id_suffix_with_x_never_matches_members_without_a_phone(world):
    m = do_create_member(acting_user=None, **member_data(world.branch1, seq=40, name="无电话", phone=""))
    assert m.phone_suffix_index == ""
    # "123X" ends no phone number: the members without one (an empty phone index) are not found by it
    assert _found(world.superuser, "123X") == {m.name for m in Member.objects.all() if m.id_number.endswith("123X")}
    assert "无电话" not in _found(world.superuser, "123X") or m.id_number.endswith("123X")
    tail = m.id_number[-4:]
    assert _found(world.superuser, tail) == {"无电话"}


def test_update_keeps_the_index_in_step(world):
    old = world.m1.phone[-4:]
    do_update_member(world.m1, acting_user=None, phone="13900005678")
    assert _found(world.admin1, "5678") == {"张三丰"}
    assert _found(world.admin1, old) == set()


def test_import_keeps_the_indexes_in_step(world):
    rows = [{f: member_data(world.branch1, seq=60, name="导入新")[f] for f in FIELDS}]
    rows[0]["phone"] = "13700004321"
    existing = {f: getattr(world.m2, f) for f in FIELDS}
    rows.append({**existing, "phone": "13700008765"})
    created, updated, _unchanged = bulk_upsert_members(rows, acting_user=None)
    assert (created, updated) == (1, 1)
    assert _found(world.superuser, "4321") == {"导入新"}
    assert _found(world.superuser, "8765") == {"王二小"}
    assert _found(world.superuser, rows[0]["id_number"][-4:]) == {"导入新"}
    new = Member.objects.get(name="导入新")
    assert new.id_number_suffix_index == id_number_suffix_index(new.id_number)


def test_the_list_page_finds_by_suffix_and_keeps_it_out_of_the_url(world):
    client = Client()
    client.force_login(world.admin1)
    r = client.post(reverse("members:member_list"), {"q": world.m1.phone[-4:]})
    assert r.status_code == 303 and world.m1.phone[-4:] not in r["Location"] and "s=" in r["Location"]
    page = client.get(r["Location"])
    assert {row.record.name for row in page.context["table"].page.object_list} == {"张三丰"}


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_indexes_of_existing_members():
    w = world_with_members()
    more = [do_create_member(acting_user=None, **member_data(w.branch1, seq=70 + i, name=f"旧{i}")) for i in range(3)]
    try:
        migrate_to([("members", "0008_probation_rules_since_1982")])  # the columns are dropped
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {Member._meta.db_table} WHERE 1 = 0")
            assert not set(SUFFIX_COLUMNS) & {c[0] for c in cursor.description}
    finally:
        migrate_to()  # 0009 adds them and computes them from the decrypted numbers
    for m in [w.m1, w.m2, w.out, *more]:
        stored = Member.objects.get(pk=m.pk)
        assert stored.id_number_suffix_index == id_number_suffix_index(m.id_number) != ""
        assert stored.phone_suffix_index == phone_suffix_index(m.phone) != ""
