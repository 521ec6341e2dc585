"""members.0007_count_ledger: the ledger keeps only count events, old kinds mapped, and every member's ledger made to
agree with the roll — nothing lost, every row added without a known date carrying the note that lists it."""

from __future__ import annotations

import datetime

import pytest

from sqdj.core.scope import EVERYTHING
from sqdj.members.services import do_create_member, do_register
from sqdj.stats.ledger import ledger_count, roll_count
from sqdj.testing import build_world
from sqdj.testing.members import member_data
from sqdj.testing.migrations import migrate_to

BEFORE = [("members", "0006_work_status")]
D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_old_ledger_migrates_to_the_count_ledger(capsys):
    w = build_world()
    active, registered, suspended, deceased, removed = (
        do_create_member(acting_user=None, **member_data(w.branch1, seq=i)) for i in range(5)
    )
    do_register(registered, acting_user=None, community=w.community_area1, registered_on=D(2024, 3, 1))
    try:
        apps = migrate_to(BEFORE)
        Member = apps.get_model("members", "Member")
        Event = apps.get_model("members", "MembershipEvent")
        Event.objects.create(member_id=active.pk, kind="category_changed", date=D(2024, 1, 1), org_id=w.branch1.pk)
        # what the old do_register wrote
        Event.objects.create(member_id=registered.pk, kind="registered", date=D(2024, 3, 1), note="甲社区")
        # standings changed without a ledger row (the old ledger had no such kinds), one with the old "removed"
        Member.objects.filter(pk=suspended.pk).update(standing="suspended")
        Member.objects.filter(pk=deceased.pk).update(standing="deceased")
        Member.objects.filter(pk=removed.pk).update(standing="removed")
        Event.objects.create(member_id=removed.pk, kind="removed", date=D(2020, 5, 1), org_id=w.branch1.pk)
    finally:
        apps = migrate_to()
    Member = apps.get_model("members", "Member")
    Event = apps.get_model("members", "MembershipEvent")
    State = apps.get_model("members", "MemberState")
    assert Member.objects.count() == 5  # no member lost
    assert not Event.objects.filter(kind__in=["registered", "category_changed", "removed"]).exists()

    def kinds(m):
        return list(Event.objects.filter(member_id=m.pk).order_by("pk").values_list("kind", flat=True))

    assert kinds(active) == kinds(registered) == ["joined", "confirmed"]
    assert kinds(removed) == ["joined", "confirmed", "other_decrease"]  # the old row, its kind unknown
    assert kinds(suspended)[-1] == "suspended" and kinds(deceased)[-1] == "died"
    added = Event.objects.exclude(note="")
    assert sorted(added.values_list("member_id", flat=True)) == sorted([suspended.pk, deceased.pk])
    state = State.objects.get()
    assert (state.member_id, state.kind, state.ends_on) == (suspended.pk, "suspended", None)
    assert "2 ledger row(s) added" in capsys.readouterr().out
    today = datetime.date.today()
    assert ledger_count(w.district, EVERYTHING, today) == roll_count(w.district, EVERYTHING, today) == 2
