"""The hours part's to-dos on the home page (core.plugins.TodoSource): the records waiting for the user's
verification; the count equals the rows of the list its link opens (`?to_verify=true`)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import WAITING, Todo, TodoCount, TodoSource
from sqdj.core.scope import may

from .hours import awaiting_verification
from .models import ServiceHours

SHOWN = 5


def _to_verify(user) -> list[TodoCount]:
    if not may(user, "change"):
        return []
    qs = ServiceHours.objects.restrict(user, "view").filter(awaiting_verification(user))
    n = qs.count()
    if not n:
        return []
    first = list(qs.select_related("member").order_by("recorded_at", "pk")[:SHOWN])
    return [
        TodoCount(
            count=n,
            url=reverse("volunteers:servicehours_list") + "?to_verify=true",
            severity=WAITING,
            items=tuple(
                Todo(label=f"{r.member.name} · {r.served_on:%Y-%m-%d} · {r.hours}", url=r.get_absolute_url())
                for r in first
            ),  # fmt: skip
            key="hours-to-verify",
        )
    ]


todos = [TodoSource("hours", _("Service records awaiting verification"), counts=_to_verify, order=60)]
