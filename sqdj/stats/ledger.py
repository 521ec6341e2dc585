"""The count ledger's reconciliation (党员增加/减少, issue 13): for an org's subtree and the days `start`..`end`, the
count at the start, the increases and decreases by kind of the annual report, the count at the end, and whether
start + increases − decreases = end.

The counts are the ledger's own: the members an org's events put on its roll up to a day (the sum of the effects:
+1 增加, −1 减少, 0 预备党员转正), so the identity holds by construction, whatever the subtree and the days; that the
ledger agrees with the roll (members in good standing who joined by that day) is tested, and `roll_count` gives the
roll's figure to compare. Events are seen through the org whose count they change, through `restrict()`: an org
outside the user's scope never counts. One aggregate query, on SQLite and PostgreSQL alike.

The period is whole days: the count "at the start" is before `start` (the end of the day before), the movements are
those dated `start`..`end` inclusive, the count "at the end" is at the end of `end` — the annual report's 上年底 /
本年 / 本年底 for `start` = 1 January and `end` = 31 December.
"""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When

from sqdj.core.scope import visible
from sqdj.members.choices import (
    DECREASE_KINDS,
    EVENT_REPORT_LABELS,
    EXIT_KINDS,
    INCREASE_KINDS,
    EventKind,
    Standing,
)
from sqdj.members.models import Member, MembershipEvent

EXIT_LABEL = "出党"  # the annual report's heading of the five ways out


def _effect() -> Case:
    return Case(
        When(kind__in=INCREASE_KINDS, then=Value(1)),
        When(kind__in=DECREASE_KINDS, then=Value(-1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _events(org, user):
    return visible(MembershipEvent.objects.all(), user).filter(org__path__startswith=org.path).order_by()


def ledger_count(org, user, on: datetime.date) -> int:
    """The count of `org`'s subtree at the end of `on`, from the ledger."""
    return _events(org, user).filter(date__lte=on).aggregate(n=Sum(_effect()))["n"] or 0


def roll_count(org, user, on: datetime.date) -> int:
    """The roll's count (what the statistics count): members in good standing held in the subtree who joined by
    `on`. For today it must equal `ledger_count` (tests/test_ledger.py)."""
    qs = visible(Member.objects.all(), user).filter(
        org__path__startswith=org.path, standing=Standing.ACTIVE, joined_on__lte=on
    )
    return qs.count()


def reconcile(org, *, user, start: datetime.date, end: datetime.date) -> dict:
    """The reconciliation object (the `ledger` key of `sqdj stats --json`); `start` ≤ `end`."""
    if start > end:
        raise ValueError("start after end")
    in_period = Q(date__gte=start, date__lte=end)
    aggregates = {
        "start": Sum(_effect(), filter=Q(date__lt=start)),
        "end": Sum(_effect(), filter=Q(date__lte=end)),
        **{kind: Count("pk", filter=in_period & Q(kind=kind)) for kind in (*INCREASE_KINDS, *DECREASE_KINDS)},
        EventKind.CONFIRMED: Count("pk", filter=in_period & Q(kind=EventKind.CONFIRMED)),
    }
    found = _events(org, user).aggregate(**aggregates)
    increases = {EVENT_REPORT_LABELS[k]: found[k] for k in INCREASE_KINDS}
    exits = {EVENT_REPORT_LABELS[k]: found[k] for k in EXIT_KINDS}
    decreases: dict = {}
    for k in DECREASE_KINDS:
        if k in EXIT_KINDS:
            decreases.setdefault(EXIT_LABEL, {"total": sum(exits.values()), **exits})
        else:
            decreases[EVENT_REPORT_LABELS[k]] = found[k]
    total_in = sum(increases.values())
    total_out = sum(found[k] for k in DECREASE_KINDS)
    at_start, at_end = found["start"] or 0, found["end"] or 0
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "start": at_start,
        "increases": {"total": total_in, **increases},
        "decreases": {"total": total_out, **decreases},
        EVENT_REPORT_LABELS[EventKind.CONFIRMED]: found[EventKind.CONFIRMED],  # net 0: probationary → full
        "end": at_end,
        "balanced": at_start + total_in - total_out == at_end,
    }
