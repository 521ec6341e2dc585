import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import Tile, Todo, TodoSource
from sqdj.core.scope import may

from .services import cases_waiting_for, due_date, waiting_for


def _waiting(request):
    if not may(request.user, "change"):
        return None  # only the staff of an org act on cases (the open-cases page is theirs)
    mine, overdue = waiting_for(request.user)
    return {
        "label": _("Transfer cases waiting for me"),
        "count": mine,
        "overdue": overdue,
        "url": reverse("transfers:transfer_open"),
    }


tiles = [Tile("open-transfers", "generic/_count_tile.html", _waiting, order=40)]


def _todos(user) -> list[Todo]:
    """The cases whose next step is the user's, overdue ones first (at most 20; the tile links to all)."""
    rows = [
        Todo(label=f"{case} · {case.get_state_display()}", url=case.get_absolute_url(),
             due=due_date(case), overdue=overdue)
        for case, overdue in cases_waiting_for(user)
    ]  # fmt: skip
    rows.sort(key=lambda t: (not t.overdue, t.due or datetime.date.max))
    return rows[:20]


todos = [TodoSource("transfers", _("Transfer cases"), _todos, order=40)]
