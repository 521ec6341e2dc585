"""The post part's to-dos on the home page (core.plugins.TodoSource): post claims and team requests awaiting the
community's decision, for whoever may decide them. Each count is the rows of the list its link opens
(`?state=pending&to_decide=true`: post_filtersets)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import WAITING, Todo, TodoCount, TodoSource
from sqdj.core.scope import may

from .choices import ClaimState
from .models import PostClaim, TeamMember

SHOWN = 5


def _awaiting(user, model, target: str, list_name: str, key: str, label) -> list[TodoCount]:
    qs = model.objects.restrict(user, "change").filter(state=ClaimState.PENDING)
    n = qs.count()
    if not n:
        return []
    first = list(qs.select_related("member", target).order_by("applied_on", "pk")[:SHOWN])
    return [
        TodoCount(
            count=n,
            url=reverse(list_name) + f"?state={ClaimState.PENDING}&to_decide=true",
            due=first[0].applied_on,
            severity=WAITING,
            items=tuple(
                Todo(label=f"{c.member.name} → {getattr(c, target)}", url=c.get_absolute_url(), due=c.applied_on)
                for c in first
            ),
            label=label,
            key=key,
        )
    ]


def _counts(user) -> list[TodoCount]:
    if not may(user, "change"):
        return []
    return [
        *_awaiting(user, PostClaim, "post", "volunteers:postclaim_list", "post-claims-to-decide",
                   _("Post claims awaiting approval")),
        *_awaiting(user, TeamMember, "team", "volunteers:teammember_list", "team-requests-to-decide",
                   _("Team requests awaiting approval")),
    ]  # fmt: skip


todos = [TodoSource("post-claims", _("Post claims and team requests awaiting approval"), counts=_counts, order=40)]
