"""core.bulk: many rows in a few statements, each value converted as the ORM would (JSON, dates, encryption);
pushed batch by batch; nothing left behind when the writing fails. Runs on SQLite (multi-row INSERT) and on
PostgreSQL (COPY)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sqdj.core import bulk
from sqdj.core.changelog import COLUMNS, attribution, change_row
from sqdj.core.context import acting_as
from sqdj.core.models import ObjectChange
from sqdj.core.querysets import AnyOf
from sqdj.members.models import Member
from sqdj.testing import build_world
from sqdj.testing.members import make_id_number

pytestmark = pytest.mark.django_db


class _Obj:
    def __init__(self, pk):
        self.pk = pk

    def __str__(self):
        return f"对象{self.pk}"


def change_rows(n, start=0):
    ct = ContentType.objects.get_for_model(ObjectChange).pk
    now = timezone.now()
    return [
        change_row(_Obj(i), "create", None, {"n": i, "on": "2026-01-01"}, who=attribution(), ct=ct, time=now)
        for i in range(start, start + n)
    ]


def test_writes_every_row_in_batches():
    n = 2 * bulk.MAX_ROWS_PER_INSERT + 7
    with CaptureQueriesContext(connection) as ctx:
        bulk.insert_rows(ObjectChange, COLUMNS, change_rows(n))
    assert ObjectChange.objects.count() == n
    statements = [q for q in ctx.captured_queries if "core_objectchange" in q["sql"].lower()]
    if connection.vendor == "sqlite":  # 11 columns: the parameter limit allows the full batch size
        # full batches, then the rest in powers of two (7 = 4 + 2 + 1): few distinct statements to keep prepared
        assert len(statements) == n // bulk.MAX_ROWS_PER_INSERT + bin(n % bulk.MAX_ROWS_PER_INSERT).count("1")
        assert all(q["sql"].startswith("INSERT INTO") for q in statements)
    else:
        assert len(statements) <= 1  # one COPY (psycopg's copy is not captured by every Django version)
    row = ObjectChange.objects.get(object_id=n - 1)
    assert row.postchange_data == {"n": n - 1, "on": "2026-01-01"}  # JSON converted by its field
    assert row.object_repr == f"对象{n - 1}" and row.action == "create" and row.user is None


def test_batches_pushed_one_after_another_and_returning():
    with bulk.BulkWriter(ObjectChange, COLUMNS) as writer:
        writer.write(change_rows(3))
        writer.write(iter(change_rows(2, start=3)))  # a generator too
        writer.write([])
    assert sorted(ObjectChange.objects.values_list("object_id", flat=True)) == [0, 1, 2, 3, 4]
    if connection.vendor == "sqlite":
        got = bulk.insert_rows(ObjectChange, COLUMNS, change_rows(2, start=10), returning=("object_id", "id"))
        assert {object_id for object_id, _pk in got} == {10, 11}
    else:
        with pytest.raises(ValueError):
            bulk.insert_rows(ObjectChange, COLUMNS, change_rows(1), returning=("id",))


def test_a_failure_leaves_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        with bulk.BulkWriter(ObjectChange, COLUMNS) as writer:
            writer.write(change_rows(5))
            raise RuntimeError("stop")
    assert not ObjectChange.objects.exists()


def test_personal_data_are_encrypted_and_the_member_reads_back():
    world = build_world()
    born = datetime.date(1970, 5, 4)
    number = make_id_number(born, 77)
    member = Member(name="李四", sex="male", ethnicity="汉族", id_number=number, birth_date=born,
                    education="bachelor", member_type="full", joined_on=datetime.date(1995, 7, 1),
                    confirmed_on=datetime.date(1996, 7, 1), category="resident", org=world.branch1,
                    phone="13812345678", work_unit="")  # fmt: skip
    member.fill_derived_fields()
    now = timezone.now()
    member.created = member.last_updated = now
    attnames = [f.attname for f in Member._meta.concrete_fields if not f.primary_key]
    bulk.insert_rows(Member, attnames, [[getattr(member, a) for a in attnames]])
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM members_member WHERE id_number_index = %s", [member.id_number_index])
        (stored,) = cursor.fetchone()
    assert number not in stored  # encrypted at rest by the field, as save() would
    saved = Member.objects.get(id_number_index=member.id_number_index)
    assert (saved.id_number, saved.phone, saved.birth_date) == (number, "13812345678", born)


def test_change_rows_are_the_ones_the_signals_write():
    world = build_world()
    before = ObjectChange.objects.count()
    with acting_as(world.admin1):
        world.branch1.name = "中共甲社区第一党支部（改）"
        world.branch1.save()
    logged = ObjectChange.objects.order_by("-pk").first()
    assert ObjectChange.objects.count() == before + 1
    with acting_as(world.admin1) as ctx:
        row = change_row(world.branch1, "update", logged.prechange_data, logged.postchange_data,
                         who=attribution(ctx), ct=logged.content_type_id, time=logged.time)  # fmt: skip
    built = dict(zip(COLUMNS, row, strict=True))
    assert built["request_id"] is not None and logged.request_id is not None  # one per acting_as
    del built["request_id"]
    assert built == {c: getattr(logged, c) for c in COLUMNS if c != "request_id"}
    assert built["user_id"] == world.admin1.pk and built["user_name"] == "admin1"


def test_chunks():
    assert list(bulk.chunks(list(range(7)), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(bulk.chunks([], 3)) == []


def test_any_of_finds_the_listed_keys_in_one_query_per_chunk():
    """core.querysets.AnyOf: the rows whose column is one of many values — on PostgreSQL one array parameter, so
    that an import's thousands of keys take one query, not one per 500; an empty list finds nothing."""
    n = 1200
    bulk.insert_rows(ObjectChange, COLUMNS, change_rows(n))
    wanted = [*range(0, n, 3), 10**12]
    found: set[int] = set()
    with CaptureQueriesContext(connection) as ctx:
        for chunk in bulk.key_chunks(wanted):
            found.update(ObjectChange.objects.filter(AnyOf("object_id", chunk)).values_list("object_id", flat=True))
    assert found == set(range(0, n, 3))
    expected_queries = 1 if connection.vendor == "postgresql" else -(-len(wanted) // bulk.CHUNK)
    assert len(ctx.captured_queries) == expected_queries
    assert not ObjectChange.objects.filter(AnyOf("object_id", [])).exists()
    # combined with other conditions, and negated
    assert ObjectChange.objects.filter(AnyOf("object_id", [1, 2]), action="create").count() == 2
    assert ObjectChange.objects.exclude(AnyOf("object_id", [1, 2])).count() == n - 2
