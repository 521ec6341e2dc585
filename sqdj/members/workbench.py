"""The members app on the home page: the members tile, and probations ending or ended as to-dos (issue 14).

Each count equals the rows of the page its link opens (sqdj/workbench/tests/test_todos.py)."""

from functools import reduce
from operator import or_

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.paging import cheap_count
from sqdj.core.plugins import DUE_SOON, OVERDUE, Tile, Todo, TodoCount, TodoSource
from sqdj.core.scope import anchors, is_unrestricted, may

from .choices import Standing
from .contact_changes import awaiting_decision
from .filtersets import awaiting_confirmation, probation_due
from .models import ContactChange, Member, Registration

SHOWN = 5


def _registered_elsewhere(user, visible) -> int:
    """Of the members `user` sees, those held by another org and seen because they registered (报到) with one of
    the user's communities: the org pages do not count them, the member list does (the home says so)."""
    if is_unrestricted(user):
        return 0
    held = [Q(org__path__startswith=o.path) if d else Q(org=o) for o, d in anchors(user, "view")]
    return visible.exclude(reduce(or_, held)).count() if held else 0


def _count(request):
    if not may(request.user, "view", Member):
        return None  # no tile for a page the user cannot open (a member sees their own record)
    # counted as the member list counts (core.paging): a city's scope must not cost a full count on every visit
    visible = Member.objects.restrict(request.user, "view").filter(standing=Standing.ACTIVE)
    n = cheap_count(visible)
    registered = _registered_elsewhere(request.user, visible)
    return {
        "label": _("Party members in my scope"),
        "count": n.value,
        "count_exact": n.exact,
        "url": reverse("members:member_list") + f"?standing={Standing.ACTIVE}",  # the rows counted, not all
        "note": _("including %(n)d members of other organizations registered (报到) with communities here")
        % {"n": registered}
        if registered
        else "",
        "note_count": registered,
    }


tiles = [Tile("members", "generic/_count_tile.html", _count, order=20)]


def _probation(user) -> list[TodoCount]:
    """Probations ending within the rulebook's reminder window (due soon) and those ended without a decision
    (overdue), of the members the user may change."""
    if not may(user, "change", Member):
        return []
    ending, ended = probation_due(Member.objects.restrict(user, "change"), dates.today())
    found = []
    url = reverse("members:member_list")
    for rows, value, severity, label in (
        (ended, "ended", OVERDUE, _("Probations ended without a decision")),
        (ending, "ending", DUE_SOON, _("Probations ending soon")),
    ):
        if not rows:
            continue
        rows = sorted(rows, key=lambda r: r[1])
        names = dict(Member.objects.filter(pk__in=[pk for pk, _end in rows[:SHOWN]]).values_list("pk", "name"))
        items = tuple(
            Todo(label=names.get(pk, ""), url=reverse("members:member", args=[pk]), due=end, overdue=value == "ended")
            for pk, end in rows[:SHOWN]
        )
        found.append(
            TodoCount(
                count=len(rows),
                url=f"{url}?probation={value}",
                due=rows[0][1],
                severity=severity,
                items=items,
                overdue=len(rows) if value == "ended" else 0,
                label=label,
                key=f"probation-{value}",
            )
        )
    return found


def _registrations(user) -> list[TodoCount]:
    """在职党员报到 awaiting the unit side's confirmation (issue 16): the registrations list, filtered to exactly
    those the user may confirm; due on the day they would count as confirmed by themselves."""
    if not may(user, "change", Member):
        return []
    qs = Registration.objects.restrict(user, "view").filter(awaiting_confirmation(user))
    n = qs.count()
    if not n:
        return []
    first = list(qs.select_related("member", "community").order_by("confirm_by", "pk")[:SHOWN])
    return [
        TodoCount(
            count=n,
            url=reverse("members:registration_list") + "?to_confirm=true",
            due=first[0].confirm_by,
            severity=DUE_SOON,
            items=tuple(
                Todo(label=f"{r.member.name} → {r.community.name}", url=r.get_absolute_url(), due=r.confirm_by)
                for r in first
            ),  # fmt: skip
            key="registrations-to-confirm",
        )
    ]


def _contact_changes(user) -> list[TodoCount]:
    """Members' requests to change their phone number or residence (issue 16 item 7) that the user may decide: the
    requests list filtered to exactly those; due on the day asked."""
    if not may(user, "change", Member):
        return []
    qs = ContactChange.objects.restrict(user, "view").filter(awaiting_decision(user))
    # the first rows, and a count only when they do not hold them all: one statement for the home as a rule
    first = list(qs.select_related("member").order_by("requested_at", "pk")[:SHOWN])
    n = len(first) if len(first) < SHOWN else qs.count()
    if not n:
        return []
    return [
        TodoCount(
            count=n,
            url=reverse("members:contactchange_list") + "?to_decide=true",
            due=first[0].requested_at.date(),
            severity=DUE_SOON,
            items=tuple(Todo(label=c.member.name, url=c.get_absolute_url(), due=c.requested_at.date()) for c in first),
            key="contact-changes-to-decide",
        )
    ]


todos = [
    TodoSource("probation", _("Probations"), counts=_probation, order=30),
    TodoSource("registrations", _("Community registrations to confirm"), counts=_registrations, order=35),
    TodoSource("contact_changes", _("Contact changes awaiting approval"), counts=_contact_changes, order=36),
]
