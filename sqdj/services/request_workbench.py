"""The request part's to-dos on the home page (core.plugins.TodoSource): overdue requests (the community's side),
escalated ones (the subdistrict's and above), those assigned to me (a member). Each count equals the rows of the
list its link opens (the list's `?overdue=true`, `?escalated=true`, `?assigned_to_me=true`)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import OVERDUE, WAITING, TodoCount, TodoSource, counted_todo
from sqdj.core.scope import acts_for_self, anchors, may

from .models import Request
from .request_filtersets import assigned_to_me_q
from .requests import PLACEABLE, escalated_q, overdue_q


def _count(user, q, query: str, key: str, severity: str) -> list[TodoCount]:
    return counted_todo(Request.objects.restrict(user, "view").filter(q), key=key, severity=severity,
                        url=f"{reverse('services:request_list')}?{query}=true", order=("due_at", "pk"),
                        label=lambda r: f"{r.number} · {r.summary}",
                        due=lambda r: timezone.localdate(r.due_at))  # fmt: skip


def _overdue(user) -> list[TodoCount]:
    if not may(user, "change"):
        return []
    return _count(user, overdue_q(timezone.now()), "overdue", "requests-overdue", OVERDUE)


def _escalated(user) -> list[TodoCount]:
    """For those above the communities (a subdistrict's, a district's staff): a community's staff see theirs as
    overdue already."""
    above = any(org.area_id and org.area.type not in PLACEABLE for org, _below in anchors(user, "change"))
    if not (above or (user is not None and user.is_superuser and may(user, "change"))):
        return []
    return _count(user, escalated_q(), "escalated", "requests-escalated", OVERDUE)


def _assigned(user) -> list[TodoCount]:
    if not acts_for_self(user, "view", Request):
        return []
    return _count(user, assigned_to_me_q(user), "assigned_to_me", "requests-assigned", WAITING)


todos = [
    TodoSource("requests-overdue", _("Overdue resident requests"), counts=_overdue, order=40),
    TodoSource("requests-escalated", _("Requests escalated to the subdistrict"), counts=_escalated, order=41),
    TodoSource("requests-assigned", _("Requests assigned to me"), counts=_assigned, order=42),
]
