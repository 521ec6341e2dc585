"""The activity part's to-dos on the home page (core.plugins.TodoSource): activities whose attendance the organizer
means to take and has not — the count equals the rows of the list its link opens (`?attendance_due=true`)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import WAITING, Todo, TodoCount, TodoSource
from sqdj.core.scope import anchors, is_unrestricted

from .activities import attendance_due_q
from .models import Activity

SHOWN = 5


def _attendance(user) -> list[TodoCount]:
    if not (is_unrestricted(user) or anchors(user, "change")):
        return []  # the organizer side only: a member takes no attendance
    # the list's rows: what the user may view, filtered as `?attendance_due=true` filters (the same Q)
    qs = Activity.objects.restrict(user, "view").filter(attendance_due_q(timezone.now()))
    n = qs.count()
    if not n:
        return []
    first = list(qs.order_by("-ends_at", "pk")[:SHOWN])
    return [
        TodoCount(
            count=n,
            url=reverse("volunteers:activity_list") + "?attendance_due=true",
            severity=WAITING,
            items=tuple(Todo(label=a.title, url=a.get_absolute_url()) for a in first),
            key="activities-attendance",
        )
    ]


todos = [TodoSource("activities", _("Activities whose attendance is not yet taken"), counts=_attendance, order=60)]
