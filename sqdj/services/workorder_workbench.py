"""The work orders' to-dos on the home page (core.plugins.TodoSource): the red and the yellow warnings (an order is
in one of them at most) and the orders waiting to be placed (待分派). Each count equals the rows of the list its link
opens (`?warning=red`, `?warning=yellow`, the 待分派 list)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import DUE_SOON, OVERDUE, WAITING, Todo, TodoCount, TodoSource
from sqdj.core.scope import may

from .models import WorkOrder
from .workorders import RED, YELLOW, red_q, yellow_q

SHOWN = 5


def _todo(qs, url: str, severity: str, key: str, label) -> list[TodoCount]:
    n = qs.count()
    if not n:
        return []
    first = qs.order_by("received_at", "pk")[:SHOWN]
    items = tuple(Todo(label=f"{o.number} · {o.category_text}", url=reverse("services:workorder", args=[o.pk]))
                  for o in first)  # fmt: skip
    return [TodoCount(count=n, url=url, severity=severity, items=items, key=key, label=label,
                      overdue=n if severity == OVERDUE else 0)]  # fmt: skip


def _counts(user) -> list[TodoCount]:
    if not may(user, "change"):
        return []
    qs = WorkOrder.objects.restrict(user, "view")
    listed = reverse("services:workorder_list")
    return [
        *_todo(qs.filter(red_q()), f"{listed}?warning={RED}", OVERDUE, "workorders-red",
               _("Work orders with a red warning")),
        *_todo(qs.filter(yellow_q()), f"{listed}?warning={YELLOW}", DUE_SOON, "workorders-yellow",
               _("Work orders with a yellow warning")),
        *_todo(qs.filter(request__placed=False), reverse("services:workorder_unplaced") + "?placed=false", WAITING,
               "workorders-unplaced", _("Work orders waiting to be placed")),
    ]  # fmt: skip


todos = [TodoSource("workorders", _("12345 work orders"), counts=_counts, order=40)]
