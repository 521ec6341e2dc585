"""The members' tables carry the indexes their reads use and no more: each index is one more insert for every row an
import writes (100,000 members: docs/performance.md, "Member import"). Migrations members 0011 and core 0006 drop
the LIKE-pattern indexes of the keyed hashes (PostgreSQL) and the one-column foreign-key indexes a composite index
leading with the column serves — without rebuilding a table (on SQLite that would drop the members' triggers)."""

from __future__ import annotations

import pytest
from django.db import connection

from sqdj.core.models import ObjectChange
from sqdj.members.models import Member, MembershipEvent
from sqdj.testing.migrations import migrate_to

BEFORE = [("members", "0010_registration_member_org"), ("core", "0005_count_function_exact")]


def indexes(model) -> dict[str, tuple[tuple[str, ...], bool]]:
    """{index name: (columns, unique)} of the model's table."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: (tuple(i["columns"]), bool(i["unique"])) for name, i in found.items() if i["index"] or i["unique"]}


def pattern_indexed_columns(model) -> set[str]:
    """PostgreSQL: the columns with a LIKE-pattern (`…_pattern_ops`) index."""
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
            "JOIN pg_opclass o ON o.oid = i.indclass[0] "
            "WHERE i.indrelid = %s::regclass AND o.opcname LIKE '%%pattern_ops'",
            [model._meta.db_table],
        )
        return {row[0] for row in cursor.fetchall()}


def triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def check_current_indexes() -> None:
    members = indexes(Member)
    assert (("id_number_index",), True) in members.values()  # the import's key, and the uniqueness rule
    assert (("phone_index",), False) in members.values()  # the search by a whole phone number
    if connection.vendor == "postgresql":  # the names are searched by prefix; the keyed hashes never
        assert pattern_indexed_columns(Member) == {"name", "name_pinyin", "name_initials"}
    events = indexes(MembershipEvent).values()
    assert (("org_id",), False) not in events and (("org_id", "date", "kind"), False) in events
    changes = indexes(ObjectChange).values()
    assert (("content_type_id",), False) not in changes and (("content_type_id", "object_id"), False) in changes


@pytest.mark.django_db
def test_the_tables_carry_the_indexes_their_reads_use():
    check_current_indexes()


@pytest.mark.django_db(transaction=True)
def test_the_migrations_drop_the_indexes_and_give_them_back_keeping_the_triggers():
    kept = triggers()
    assert {"members_registration_member_org", "members_member_org_moved"} <= kept
    try:
        migrate_to(BEFORE)
        assert (("org_id",), False) in indexes(MembershipEvent).values()
        assert (("content_type_id",), False) in indexes(ObjectChange).values()
        if connection.vendor == "postgresql":
            assert {"id_number_index", "phone_index"} <= pattern_indexed_columns(Member)
        assert triggers() == kept
    finally:
        migrate_to()
    check_current_indexes()
    assert triggers() == kept
