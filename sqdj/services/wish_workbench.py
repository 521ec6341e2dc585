"""The wish part's to-dos on the home page (core.plugins.TodoSource): late claimed wishes (the community's side) and
my claimed wishes (a member, a unit's liaison). Each count equals the rows of the list its link opens (the wish
list's `?late=true`, `?mine=true`)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import OVERDUE, WAITING, TodoCount, TodoSource, counted_todo
from sqdj.core.scope import acts_for_self, may

from . import wishes
from .models import Request


def _count(user, q, query: str, key: str, severity: str) -> list[TodoCount]:
    # the same rows as the list's (WishListView reads wishes.visible)
    return counted_todo(wishes.visible(user).filter(q), key=key, severity=severity,
                        url=f"{reverse('services:wish_list')}?{query}=true", order=("due_at", "pk"),
                        label=lambda w: f"{w.number} · {w.summary}",
                        item_url=lambda w: reverse("services:wish", args=[w.pk]),
                        due=lambda w: timezone.localdate(w.due_at))  # fmt: skip


def _late(user) -> list[TodoCount]:
    if not may(user, "change"):
        return []
    return _count(user, wishes.late_q(timezone.now()), "late", "wishes-late", OVERDUE)


def _mine(user) -> list[TodoCount]:
    if not acts_for_self(user, "view", Request):
        return []
    return _count(user, wishes.mine_q(user), "mine", "wishes-mine", WAITING)


todos = [
    TodoSource("wishes-late", _("Late small wishes"), counts=_late, order=45),
    TodoSource("wishes-mine", _("Small wishes I claimed"), counts=_mine, order=46),
]
