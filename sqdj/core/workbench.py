"""The user's unread notifications as a to-do of the home page (the notification list marks exactly these rows)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Notification
from .plugins import Todo, TodoCount, TodoSource

SHOWN = 5
READ_AT_ONCE = 50  # the notification list's page: up to this many unread, one query gives the rows and the count


def _unread(user) -> list[TodoCount]:
    qs = Notification.objects.filter(user=user, read_at__isnull=True).order_by("-created", "-pk")
    rows = list(qs.only("pk", "text")[: READ_AT_ONCE + 1])
    n = len(rows) if len(rows) <= READ_AT_ONCE else qs.count()
    if not n:
        return []
    first = rows[:SHOWN]
    items = tuple(Todo(label=note.text, url=reverse("notification_open", args=[note.pk])) for note in first)
    return [TodoCount(count=n, url=reverse("notifications"), items=items)]


todos = [TodoSource("messages", _("Unread messages"), counts=_unread, order=90)]
