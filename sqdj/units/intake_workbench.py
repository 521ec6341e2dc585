"""To-dos of the authority lists and the instructors (issue 15 items 3 and 4), each linking to exactly the rows it
counts: newly registered units awaiting contact past their due day (overdue) or not yet (due soon), of the entries
the user may change — the entries' list, filtered; and units whose instructors have not visited them for more than
`unit.visit_interval_days` — a list of the workbench's own (`/todo/?list=units-visits-overdue`)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.plugins import DUE_SOON, OVERDUE, Todo, TodoCount, TodoSource
from sqdj.core.rules import param
from sqdj.core.scope import may

from .intake import pending_q, visit_overdue_units
from .intake_filtersets import OPEN
from .intake_filtersets import OVERDUE as DUE_OVERDUE
from .models import AuthorityEntry, Instructor, Unit

SHOWN = 5
VISITS_KEY = "units-visits-overdue"


def _pending(user) -> list[TodoCount]:
    if not may(user, "change", AuthorityEntry):
        return []
    today = dates.today()
    mine = AuthorityEntry.objects.restrict(user, "change")
    found = []
    for value, overdue, severity, label in (
        (DUE_OVERDUE, True, OVERDUE, _("Newly registered units not contacted in time")),
        (OPEN, False, DUE_SOON, _("Newly registered units awaiting contact")),
    ):
        qs = mine.filter(pending_q(today, overdue=overdue))
        n = qs.count()
        if not n:
            continue
        first = list(qs.order_by("due_on", "pk").only("pk", "name", "due_on")[:SHOWN])
        found.append(
            TodoCount(
                count=n,
                url=reverse("units:authorityentry_list") + f"?due={value}",
                due=first[0].due_on,
                severity=severity,
                items=tuple(
                    Todo(label=e.name, url=e.get_absolute_url(), due=e.due_on, overdue=overdue) for e in first
                ),  # fmt: skip
                overdue=n if overdue else 0,
                label=label,
                key=f"units-intake-{value}",
            )
        )
    return found


def visit_rows(user, on: datetime.date | None = None) -> list[Todo]:
    """The units the user may change with an open instructor not seen for too long, the longest first; each row
    links to the unit's open assignment started last (where the visit is recorded)."""
    on = on or dates.today()
    if not may(user, "change", Instructor):
        return []
    assigned = Instructor.objects.restrict(user, "change").filter(ended_on__isnull=True).values("unit")
    units = visit_overdue_units(Unit.objects.filter(pk__in=assigned), on)

    def seen(u) -> datetime.date:
        return max(d for d in (u.last_start, u.last_visit) if d is not None)

    units = sorted(units, key=lambda u: (seen(u), u.name, u.pk))
    if not units:
        return []
    days = int(param("unit.visit_interval_days", on))
    latest: dict[int, int] = {}
    for unit_id, pk in (
        Instructor.objects.filter(unit__in=[u.pk for u in units], ended_on__isnull=True)
        .order_by("unit_id", "started_on", "pk")
        .values_list("unit_id", "pk")
    ):
        latest[unit_id] = pk  # the last started wins
    rows = []
    for u in units:
        rows.append(
            Todo(
                label=u.name,
                url=reverse("units:instructor", args=[latest[u.pk]]),
                due=seen(u) + datetime.timedelta(days=days),
                overdue=True,
            )
        )
    return rows


def _visits(user) -> list[TodoCount]:
    rows = visit_rows(user)
    if not rows:
        return []
    return [
        TodoCount(
            count=len(rows),
            url=reverse("todo_list") + f"?list={VISITS_KEY}",
            due=rows[0].due,
            severity=OVERDUE,
            items=tuple(rows[:SHOWN]),
            overdue=len(rows),
            key=VISITS_KEY,
        )
    ]


def _visit_list(user, key: str) -> list[Todo] | None:
    return visit_rows(user) if key == VISITS_KEY else None


todos = [
    TodoSource("units-intake", _("Registration authority lists"), counts=_pending, order=60),
    TodoSource(
        "units-visits", _("Units not visited by their instructor"), counts=_visits, rows=_visit_list, order=61
    ),  # fmt: skip
]
