"""Two people act on the same case at the same moment: exactly one succeeds, the other gets a conflict
(security.md R44). Real transactions on two connections, so this runs on PostgreSQL (SQLite serializes whole
transactions with a database lock and cannot show row locking)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from sqdj.core.models import ObjectChange
from sqdj.testing.concurrency import race
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import services as T
from sqdj.transfers.choices import TransferState
from sqdj.transfers.models import Transfer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL"
    ),
]


def _submitted():
    tw = build_transfer_world()
    case = T.do_create_transfer(acting_user=tw.sender, member=tw.member, reason="work", to_org=tw.branch3)
    return tw, T.do_submit(case, acting_user=tw.sender, version=case.version)


def _change_rows(case) -> int:
    ct = ContentType.objects.get_for_model(Transfer)
    return ObjectChange.objects.filter(content_type=ct, object_id=case.pk).count()


def test_two_approvals_at_once_one_wins_one_conflicts():
    tw, case = _submitted()
    rows = _change_rows(case)
    v = case.version
    results = race(
        lambda: T.do_approve(Transfer.objects.get(pk=case.pk), acting_user=tw.district_admin, version=v),
        lambda: T.do_approve(Transfer.objects.get(pk=case.pk), acting_user=tw.district_admin, version=v),
    )
    wins = [r for r in results if isinstance(r, Transfer)]
    conflicts = [r for r in results if isinstance(r, T.Conflict)]
    assert len(wins) == 1 and len(conflicts) == 1, results
    fresh = Transfer.objects.get(pk=case.pk)
    assert fresh.state == TransferState.APPROVED and fresh.version == v + 1
    assert fresh.letter_number == wins[0].letter_number
    assert _change_rows(case) == rows + 1  # one "approved" change, not two


def test_approve_and_return_at_once_leave_one_outcome():
    tw, case = _submitted()
    v = case.version
    results = race(
        lambda: T.do_approve(Transfer.objects.get(pk=case.pk), acting_user=tw.district_admin, version=v),
        lambda: T.do_return(
            Transfer.objects.get(pk=case.pk), acting_user=tw.district_admin, reason="材料不全", version=v
        ),
    )
    assert sum(isinstance(r, Transfer) for r in results) == 1, results
    assert sum(isinstance(r, T.Conflict) for r in results) == 1, results
    fresh = Transfer.objects.get(pk=case.pk)
    winner = next(r for r in results if isinstance(r, Transfer))
    assert fresh.state == winner.state and fresh.version == v + 1


def test_two_completions_move_the_member_once():
    tw, case = _submitted()
    case = T.do_approve(case, acting_user=tw.district_admin, version=case.version)
    case = T.do_accept(case, acting_user=tw.district_admin, version=case.version)
    v = case.version
    results = race(
        lambda: T.do_complete(Transfer.objects.get(pk=case.pk), acting_user=tw.receiver, version=v),
        lambda: T.do_complete(Transfer.objects.get(pk=case.pk), acting_user=tw.receiver, version=v),
    )
    assert sum(isinstance(r, Transfer) for r in results) == 1, results
    assert sum(isinstance(r, T.Conflict) for r in results) == 1, results
    tw.member.refresh_from_db()
    assert tw.member.org == tw.branch3
    assert tw.member.events.filter(kind="transferred_in").count() == 1


def test_two_new_cases_for_one_member_at_once_make_one():
    tw = build_transfer_world()
    results = race(
        lambda: T.do_create_transfer(acting_user=tw.sender, member=tw.member, reason="work", to_org=tw.branch3),
        lambda: T.do_create_transfer(acting_user=tw.sender, member=tw.member, reason="work", to_org=tw.world.branch2),
    )
    assert sum(isinstance(r, Transfer) for r in results) == 1, results
    assert Transfer.objects.filter(member=tw.member).count() == 1
