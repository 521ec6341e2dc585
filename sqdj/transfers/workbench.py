"""The transfers app's to-dos on the home page (issue 14): cases waiting for the user, inflows not verified and mobile
members not contacted for too long. Each links to a list of exactly the rows it counts (sqdj/workbench/tests/
test_todos.py checks it per demo role). Members who could move to their residence community are not a to-do: for a
retiree it is a choice and for a 离休 cadre their own request (rules.md 6.9, issue 13); the residence list offers it."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.plugins import DUE_SOON, OVERDUE, WAITING, Tile, Todo, TodoCount, TodoSource
from sqdj.core.scope import may
from sqdj.members.choices import Standing

from .mobile_filtersets import contact_overdue_q
from .mobile_services import contact_due
from .models import Inflow, Outflow, Transfer
from .services import cases_waiting_for, due_date

SHOWN = 5  # rows the home shows of a to-do (the rest behind its "all N" link)


def _waiting_url() -> str:
    return reverse("transfers:transfer_list") + "?waiting=true"


def _waiting(request):
    if not may(request.user, "change", Transfer):
        return None  # only the staff of an org act on cases
    todo = next(iter(_cases(request.user)), None)
    return {
        "label": _("Transfer cases waiting for me"),
        "count": todo.count if todo else 0,
        "overdue": todo.overdue if todo else 0,
        "url": _waiting_url(),  # the list of exactly these cases (it said 1 where the open cases listed 4)
    }


tiles = [Tile("open-transfers", "generic/_count_tile.html", _waiting, order=40)]


def _cases(user) -> list[TodoCount]:
    """The open cases whose next step is the user's, overdue ones first."""
    if not may(user, "change", Transfer):
        return []
    today = dates.today()
    rows = [
        Todo(label=f"{case} · {case.get_state_display()}", url=case.get_absolute_url(),
             due=due_date(case), overdue=overdue)
        for case, overdue in cases_waiting_for(user, today)
    ]  # fmt: skip
    if not rows:
        return []
    rows.sort(key=lambda t: (not t.overdue, t.due or datetime.date.max))
    overdue = sum(t.overdue for t in rows)
    soon = _soon(rows, today)
    return [
        TodoCount(
            count=len(rows),
            url=_waiting_url(),
            due=min((t.due for t in rows if t.due), default=None),
            severity=OVERDUE if overdue else (DUE_SOON if soon else WAITING),
            items=tuple(rows[:SHOWN]),
            overdue=overdue,
        )
    ]


def _soon(rows: list[Todo], today: datetime.date) -> bool:
    """A step due within a week counts as due soon (the case's own due date comes from the rulebook)."""
    return any(t.due is not None and t.due <= today + datetime.timedelta(days=7) for t in rows)


def _inflows_unverified(user) -> list[TodoCount]:
    if not may(user, "change", Inflow):
        return []
    qs = Inflow.objects.restrict(user, "view").filter(ended_on__isnull=True, verified_on__isnull=True)
    n = qs.count()
    if not n:
        return []
    first = qs.order_by("arrived_on", "pk").only("pk", "name", "arrived_on")[:SHOWN]
    return [
        TodoCount(
            count=n,
            url=reverse("transfers:inflow_list") + "?state=unverified",
            items=tuple(Todo(label=i.name, url=i.get_absolute_url()) for i in first),
        )
    ]


def _contact_overdue(user) -> list[TodoCount]:
    """Outflows and inflows whose last contact is older than the rulebook's interval (two lists, two to-dos)."""
    q = contact_overdue_q()
    if q is None:
        return []
    found = []
    for model, name, related, extra, label in (
        (Outflow, "outflow", ("member",), {"lost_contact_since__isnull": True, "member__standing": Standing.ACTIVE,
                                           "left_on__lte": dates.today()},
         _("Outflowing members not contacted for too long")),
        (Inflow, "inflow", (), {"arrived_on__lte": dates.today()}, _("Inflowing members not contacted for too long")),
    ):  # fmt: skip
        if not may(user, "change", model):
            continue
        qs = model.objects.restrict(user, "view").filter(q, **extra)
        n = qs.count()
        if n:
            first = list(qs.select_related(*related).order_by("last_contact_on", "pk")[:SHOWN])
            found.append(
                TodoCount(
                    count=n,
                    url=reverse(f"transfers:{name}_list") + "?state=contact_overdue",
                    due=contact_due(first[0].last_contact_on),
                    severity=OVERDUE,
                    overdue=n,
                    items=tuple(Todo(label=str(r), url=r.get_absolute_url(), overdue=True) for r in first),
                    label=label,
                    key=f"contact-overdue-{name}",
                )
            )
    return found


todos = [
    TodoSource("transfers", _("Transfer cases waiting for me"), counts=_cases, order=40),
    TodoSource("inflows-unverified", _("Inflowing members not verified"), counts=_inflows_unverified, order=46),
    TodoSource("contact-overdue", _("Mobile members not contacted for too long"), counts=_contact_overdue, order=47),
]
