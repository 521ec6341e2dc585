"""The feedback part's to-dos on the home page (core.plugins.TodoSource): the drafts the user may sign off — the
count is the rows of the list its link opens (`?to_sign=true`)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import WAITING, Todo, TodoCount, TodoSource
from sqdj.core.scope import may

from .feedback import period_label
from .feedback_filtersets import to_sign_q
from .models import Feedback

SHOWN = 5


def _to_sign(user) -> list[TodoCount]:
    if not may(user, "change", Feedback):
        return []
    qs = Feedback.objects.restrict(user, "view").filter(to_sign_q(user))
    n = qs.count()
    if not n:
        return []
    first = list(qs.select_related("member").order_by("period_start", "member__name", "pk")[:SHOWN])
    return [
        TodoCount(
            count=n,
            url=reverse("volunteers:feedback_list") + "?to_sign=true",
            severity=WAITING,
            items=tuple(
                Todo(label=f"{fb.member.name} · {period_label(fb)}", url=fb.get_absolute_url()) for fb in first
            ),
            key="feedback-to-sign",
        )
    ]


todos = [TodoSource("feedback-to-sign", _("Feedback letters to sign off"), counts=_to_sign, order=60)]
