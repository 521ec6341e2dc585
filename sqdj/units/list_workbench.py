"""The to-do of the three lists: open needs of the orgs the user may change whose wanted-from day has passed with no
project taking them (units.lists.needs_waiting), listed at /todo/?list=needs-waiting."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.plugins import OVERDUE, Todo, TodoCount, TodoSource
from sqdj.core.scope import may
from sqdj.orgs.models import Org

from .lists import needs_waiting

SHOWN = 5
KEY = "needs-waiting"


def _rows(user, key: str = KEY) -> list[Todo] | None:
    if key != KEY:
        return None
    if not may(user, "change", Org):
        return []
    return [
        Todo(label=_("%(need)s · %(org)s") % {"need": n.title, "org": n.org.name}, url=n.get_absolute_url(),
             due=n.wanted_from, overdue=True)
        for n in needs_waiting(user).select_related("org")
    ]  # fmt: skip


def _counts(user) -> list[TodoCount]:
    rows = _rows(user) or []
    if not rows:
        return []
    return [
        TodoCount(count=len(rows), url=reverse("todo_list") + f"?list={KEY}", due=rows[0].due, severity=OVERDUE,
                  items=tuple(rows[:SHOWN]), overdue=len(rows), key=KEY)
    ]  # fmt: skip


todos = [
    TodoSource(KEY, gettext_lazy("Needs waiting for a project"), counts=_counts, rows=_rows, order=60),
]
