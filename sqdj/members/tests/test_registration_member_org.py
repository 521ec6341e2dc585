"""Registration.member_org is the database's copy of the member's org (migration 0010's triggers), and the
registrations path of the scope uses it: a community admin sees a member registered there from elsewhere, the
member's own line sees them by the org path, nobody sees them twice."""

import datetime

import pytest
from django.db import connection

from sqdj.core.scope import scope_parts
from sqdj.members.models import Member, Registration
from sqdj.members.services import do_create_member, do_register
from sqdj.testing import build_world
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _copy(reg) -> int | None:
    return Registration.objects.filter(pk=reg.pk).values_list("member_org_id", flat=True).get()


def test_the_copy_follows_every_way_a_member_moves(world):
    m = do_create_member(acting_user=None, **member_data(world.branch2, seq=1, name="王在职"))
    reg = do_register(m, community=world.community_area1, registered_on=datetime.date(2026, 1, 5), acting_user=None)
    assert _copy(reg) == world.branch2.pk  # set on insert, whatever the instance held
    Member.objects.filter(pk=m.pk).update(org=world.community2)  # a queryset update (imports, transfers)
    assert _copy(reg) == world.community2.pk
    m.refresh_from_db()
    m.org = world.branch1
    Member.objects.bulk_update([m], ["org"])
    assert _copy(reg) == world.branch1.pk
    m.org = world.branch2
    m.save()
    assert _copy(reg) == world.branch2.pk
    reg.refresh_from_db()
    reg.skills = "理发"
    reg.member_org_id = None  # a stale instance saved again: the database keeps its copy right
    reg.save()
    assert _copy(reg) == world.branch2.pk
    Registration.objects.bulk_create([Registration(member=m, community=world.community_area2, active=False,
                                                   registered_on=datetime.date(2026, 2, 1))])  # fmt: skip
    assert set(Registration.objects.filter(member=m).values_list("member_org_id", flat=True)) == {world.branch2.pk}


def test_registered_members_from_elsewhere_are_seen_once(world):
    outsider = do_create_member(acting_user=None, **member_data(world.branch2, seq=2, name="李外来"))
    insider = do_create_member(acting_user=None, **member_data(world.branch1, seq=3, name="张本地"))
    for m in (outsider, insider):
        do_register(m, community=world.community_area1, registered_on=datetime.date(2026, 1, 5), acting_user=None)
    seen = Member.objects.restrict(world.admin1, "view")
    assert set(seen.values_list("pk", flat=True)) == {outsider.pk, insider.pk}
    # the registrations path holds only the member from outside the anchor's subtree
    org_path, area_path = scope_parts(world.admin1, Member, "view")
    assert set(Member.objects.filter(area_path).values_list("pk", flat=True)) == {outsider.pk}
    assert set(Member.objects.filter(org_path).values_list("pk", flat=True)) == {insider.pk}
    # the viewer's and the admin's lists agree, and a change of the member's org is seen at once
    Member.objects.filter(pk=outsider.pk).update(org=world.branch1)
    assert set(Member.objects.filter(area_path).values_list("pk", flat=True)) == set()
    assert set(Member.objects.restrict(world.admin1, "view").values_list("pk", flat=True)) == {outsider.pk, insider.pk}


def test_the_triggers_exist_on_this_database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"members_registration_member_org", "members_member_org_moved"} <= names


@pytest.mark.parametrize(
    ("path", "inside", "outside"),
    [
        ("00010009", ["00010009", "000100090001", "00010009ZZZZ"], ["00010008ZZZZ", "0001000A", "0002"]),
        ("0001000Z", ["0001000Z", "0001000Z0001"], ["0001000Y", "00010010", "0002"]),
        ("ZZZZ", ["ZZZZ", "ZZZZ0001"], ["ZZZY", "0001"]),
    ],
)
def test_outside_a_subtree_is_a_range_of_paths(path, inside, outside):
    """The range `outside_subtree` writes holds exactly the paths that do not start with `path` (compared by the
    database, as the list compares them)."""
    from sqdj.areas.models import Area
    from sqdj.core.querysets import outside_subtree

    for i, p in enumerate(inside + outside):
        Area.objects.create(path=p, depth=len(p) // 4, code=f"R{i}", name=f"区域{i}", type="community")
    found = set(Area.objects.filter(outside_subtree("path", path, Area.alphabet)).values_list("path", flat=True))
    assert found == set(outside)
