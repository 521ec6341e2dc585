"""The leadership app's to-dos on the home page (issue 14): terms of office ended without an election or ending
within the rulebook's reminder window (`org.term_reminder_months`), and secretaries' elections awaiting the
superior's approval — of the orgs the user may change. As the rulebook checks org.term_expired / org.term_expiring
judge them (leadership.checks), without running the whole rulebook."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core import dates
from sqdj.core.dates import add_months
from sqdj.core.plugins import DUE_SOON, OVERDUE, WAITING, Todo, TodoCount, TodoSource
from sqdj.core.rules import param
from sqdj.core.scope import may
from sqdj.orgs.choices import TERM_TYPES
from sqdj.orgs.models import Org

from . import terms
from .filtersets import pending_elections
from .models import Election

SHOWN = 5
EXPIRED, ENDING = "terms-expired", "terms-ending"
_TERM_FIELDS = ("pk", "name", "path", "type", "sector", "term_started_on", "term_extended_to",
                "term_extension_approval")  # fmt: skip


def term_rows(user, on: datetime.date | None = None) -> tuple[list[Todo], list[Todo]]:
    """(expired, ending): the orgs the user may change whose term ended without a general election recorded after
    its start, and those whose term ends within `org.term_reminder_months` — each a row linking to the org's page
    (where the election is recorded), the earliest end first. Two queries."""
    on = on or dates.today()
    if not may(user, "change", Org):
        return [], []
    orgs = (
        Org.objects.restrict(user, "change")
        .filter(type__in=sorted(TERM_TYPES), term_started_on__lte=on)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=on))
        .only(*_TERM_FIELDS)
        .order_by("path")
    )
    months = param("org.term_reminder_months", on, default=None)
    memo: dict[tuple, datetime.date | None] = {}  # orgs alike in these share their end (leadership.checks)
    ended, ending = [], []
    for o in orgs:
        key = (o.type, o.sector, o.term_started_on, o.term_extended_to, bool(o.term_extension_approval))
        if key not in memo:
            memo[key] = terms.term_end(o, on)
        end = memo[key]
        if end is None:
            continue
        if on >= end:
            ended.append((o, end))
        elif months is not None and add_months(end, -months) <= on:
            ending.append((o, end))
    if ended:  # an election recorded after the term's start counts (the check does the same)
        latest: dict[int, datetime.date] = {}
        for org_id, held in (
            Election.objects.filter(org_id__in=[o.pk for o, _e in ended], kind="regular", held_on__lte=on)
            .order_by()
            .values_list("org_id", "held_on")
        ):
            latest[org_id] = max(held, latest.get(org_id, held))
        ended = [(o, end) for o, end in ended if not (o.pk in latest and latest[o.pk] > o.term_started_on)]

    def row(o, end, overdue):
        last_day = end - datetime.timedelta(days=1)
        return Todo(label=o.name, url=reverse("orgs:org", args=[o.pk]), due=last_day, overdue=overdue)

    key = lambda r: (r[1], r[0].path)  # noqa: E731
    return (
        [row(o, end, True) for o, end in sorted(ended, key=key)],
        [row(o, end, False) for o, end in sorted(ending, key=key)],
    )


def _terms(user) -> list[TodoCount]:
    expired, ending = term_rows(user)
    found = []
    for rows, key, severity, label in (
        (expired, EXPIRED, OVERDUE, gettext_lazy("Terms of office ended without an election")),
        (ending, ENDING, DUE_SOON, gettext_lazy("Terms of office ending soon")),
    ):
        if rows:
            found.append(
                TodoCount(
                    count=len(rows),
                    url=reverse("todo_list") + f"?list={key}",
                    due=rows[0].due,
                    severity=severity,
                    items=tuple(rows[:SHOWN]),
                    overdue=len(rows) if severity == OVERDUE else 0,
                    label=label,
                    key=key,
                )
            )
    return found


def _term_list(user, key: str) -> list[Todo] | None:
    if key not in (EXPIRED, ENDING):
        return None
    expired, ending = term_rows(user)
    return expired if key == EXPIRED else ending


def _elections(user) -> list[TodoCount]:
    """Secretaries' elections whose approval by the superior is not recorded (the election list, filtered)."""
    if not may(user, "change", Election):
        return []
    qs = pending_elections(Election.objects.restrict(user, "change"))
    n = qs.count()
    if not n:
        return []
    first = list(qs.select_related("org").order_by("held_on", "pk")[:SHOWN])
    items = tuple(
        Todo(label=_("%(org)s · held on %(date)s") % {"org": e.org.name, "date": e.held_on.isoformat()},
             url=e.get_absolute_url())
        for e in first
    )  # fmt: skip
    url = reverse("leadership:election_list") + "?pending_approval=true"
    return [TodoCount(count=n, url=url, due=None, severity=WAITING, items=items)]


todos = [
    TodoSource("terms", gettext_lazy("Terms of office"), counts=_terms, rows=_term_list, order=20),
    TodoSource("elections-pending", gettext_lazy("Elections awaiting approval"), counts=_elections, order=25),
]
