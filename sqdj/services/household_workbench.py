"""The household part's to-dos on the home page (core.plugins.TodoSource): yearly reviews due (the community's
side), the households paired with me (a member). Each count equals the rows of the list its link opens
(`?review_due=true`, `?paired_with_me=true`)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import OVERDUE, WAITING, TodoCount, TodoSource, counted_todo
from sqdj.core.scope import acts_for_self, may

from .households import paired_with_q, review_due_q
from .models import Household


def _count(user, q, query: str, key: str, severity: str) -> list[TodoCount]:
    return counted_todo(Household.objects.restrict(user, "view").filter(q).select_related("area"), key=key,
                        severity=severity, url=f"{reverse('services:household_list')}?{query}=true",
                        order=("opened_on", "pk"), label=lambda h: f"{h.number} · {h.area.name}")  # fmt: skip


def _reviews_due(user) -> list[TodoCount]:
    if not may(user, "change"):
        return []
    return _count(user, review_due_q(), "review_due", "households-review-due", OVERDUE)


def _paired(user) -> list[TodoCount]:
    if not acts_for_self(user, "view", Household):
        return []
    return _count(user, paired_with_q(user), "paired_with_me", "households-paired", WAITING)


todos = [
    TodoSource("households-review-due", _("Yearly reviews of households due"), counts=_reviews_due, order=45),
    TodoSource("households-paired", _("Households I help"), counts=_paired, order=46),
]
