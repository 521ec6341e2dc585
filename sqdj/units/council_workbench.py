"""To-dos of joint councils and agreements on the home page: overdue decisions of the councils the user may change,
and agreements to renew (their end within `unit.agreement_renewal_days`, or past). Both are listed at
/todo/?list=<key> (core.plugins.TodoSource.rows): their rows are exactly the ones counted."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core import dates
from sqdj.core.plugins import DUE_SOON, OVERDUE, Todo, TodoCount, TodoSource
from sqdj.core.scope import may

from .councils import overdue_decisions, renewal_due
from .models import Agreement, Decision

SHOWN = 5
DECISIONS, AGREEMENTS = "council-decisions-overdue", "agreements-renewal"


def decision_rows(user) -> list[Todo]:
    if not may(user, "change", Decision):
        return []
    qs = overdue_decisions(user).select_related("council", "owner").order_by("due_on", "pk")
    return [
        Todo(label=_("%(decision)s · %(owner)s (%(council)s)")
             % {"decision": d.title, "owner": d.owner.name, "council": d.council.name},
             url=d.get_absolute_url(), due=d.due_on, overdue=True)
        for d in qs
    ]  # fmt: skip


def agreement_rows(user) -> list[Todo]:
    if not may(user, "change", Agreement):
        return []
    today = dates.today()
    return [
        Todo(label=a.title, url=a.get_absolute_url(), due=a.ends_on, overdue=a.ends_on < today)
        for a in renewal_due(user, today).order_by("ends_on", "pk")
    ]


def _count(rows, key, label) -> list[TodoCount]:
    if not rows:
        return []
    overdue = sum(1 for r in rows if r.overdue)
    return [
        TodoCount(
            count=len(rows),
            url=reverse("todo_list") + f"?list={key}",
            due=rows[0].due,
            severity=OVERDUE if overdue else DUE_SOON,
            items=tuple(rows[:SHOWN]),
            overdue=overdue,
            label=label,
            key=key,
        )
    ]


def _decisions(user):
    return _count(decision_rows(user), DECISIONS, gettext_lazy("Overdue council decisions"))


def _agreements(user):
    return _count(agreement_rows(user), AGREEMENTS, gettext_lazy("Co-building agreements to renew"))


def _decision_list(user, key):
    return decision_rows(user) if key == DECISIONS else None


def _agreement_list(user, key):
    return agreement_rows(user) if key == AGREEMENTS else None


todos = [
    TodoSource(DECISIONS, gettext_lazy("Overdue council decisions"), counts=_decisions, rows=_decision_list, order=60),
    TodoSource(
        AGREEMENTS, gettext_lazy("Co-building agreements to renew"), counts=_agreements, rows=_agreement_list, order=61
    ),
]
