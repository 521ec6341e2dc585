"""我的 (core.plugins.MineSection): the member's posts, teams, activities to sign up for, sign-ups, service hours and
certificates. Each card reads a few queries on the member's own indexed columns (ServiceHours: member, served_on),
through the gate (the member's self scope). No points, no ranking, no online time, no check-in prompt (2023
guidance): hours are shown as the member's own verified total and records, nothing compared with anyone.

The pages linked belong to the app's other parts: `mine_link` leaves a link out while its URL name is undefined."""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.plugins import MineSection, mine_link
from sqdj.members.communities import own_communities
from sqdj.members.mine import own_member

from .choices import ClaimState, HoursState
from .models import Activity, Certificate, PostClaim, ServiceHours, Signup, TeamMember

SHOWN = 5  # rows of a card (the rest behind its link)
CLAIMS_SHOWN = 10  # open and recent claims and team memberships


def _link(name: str, obj=None) -> str | None:
    return mine_link(f"volunteers:{name}", *([obj.pk] if obj is not None else []))


def _claims(request) -> dict | None:
    member = own_member(request)
    if member is None:
        return None
    user = request.user
    posts = PostClaim.objects.restrict(user, "view").filter(member=member).select_related("post")
    teams = TeamMember.objects.restrict(user, "view").filter(member=member).select_related("team")
    order = ("-applied_on", "-pk")
    return {
        "claims": [(c, _link("postclaim", c)) for c in posts.order_by(*order)[:CLAIMS_SHOWN]],
        "teams": [(t, _link("teammember", t)) for t in teams.order_by(*order)[:CLAIMS_SHOWN]],
        "open_states": (ClaimState.PENDING, ClaimState.APPROVED),
        "posts_url": _link("post_list"),
        "teams_url": _link("team_list"),
    }


def _activities(request) -> dict | None:
    member = own_member(request)
    if member is None:
        return None
    user = request.user
    now = timezone.now()
    mine = Signup.objects.filter(activity=OuterRef("pk"), member=member, withdrawn_at__isnull=True)
    # the member's own communities also for a user who administers more (the card is about where they live)
    upcoming = (
        Activity.objects.restrict(user, "view")
        .filter(community_id__in=own_communities(user), cancelled_on__isnull=True, starts_at__gt=now)
        .exclude(Exists(mine))
        .order_by("starts_at", "pk")[:SHOWN]
    )
    signups = (
        Signup.objects.restrict(user, "view")
        .filter(member=member, withdrawn_at__isnull=True)
        .select_related("activity")
        .order_by("-activity__starts_at", "-pk")[:SHOWN]
    )
    list_url = _link("activity_list")
    return {
        "upcoming": [(a, _link("activity", a)) for a in upcoming],
        "signups": [(s, _link("activity", s.activity)) for s in signups],
        "all_url": f"{list_url}?{urlencode({'upcoming': 'true'})}" if list_url else None,
    }


def _hours(request) -> dict | None:
    member = own_member(request)
    if member is None:
        return None
    user = request.user
    today = dates.today()
    own = ServiceHours.objects.restrict(user, "view").filter(member=member)
    year = own.filter(
        served_on__gte=datetime.date(today.year, 1, 1), served_on__lte=datetime.date(today.year, 12, 31),
        state=HoursState.VERIFIED,
    )  # fmt: skip
    total = Decimal(year.aggregate(total=Sum("hours"))["total"] or 0).quantize(Decimal("0.1"))  # SQLite: "4"
    records = own.order_by("-served_on", "-pk")[:SHOWN]
    return {
        "year": today.year,
        "total": total,
        "records": [(r, _link("servicehours", r)) for r in records],
        "declare_url": _link("servicehours_declare"),
        "all_url": _link("servicehours_list"),
        "verified": HoursState.VERIFIED,
        "rejected": HoursState.REJECTED,
    }


def _certificates(request) -> dict | None:
    member = own_member(request)
    if member is None:
        return None
    certs = (
        Certificate.objects.restrict(request.user, "view")
        .filter(member=member)
        .select_related("org")
        .order_by("-issued_on", "-pk")[:SHOWN]
    )
    return {"certificates": [(c, _link("certificate_pdf", c)) for c in certs]}


sections = [
    MineSection("claims", _("My posts and teams"), "workbench/me/_claims.html", _claims, order=40),
    MineSection("activities", _("Activities"), "workbench/me/_activities.html", _activities, order=50),
    MineSection("hours", _("My service hours"), "workbench/me/_hours.html", _hours, order=60),
    MineSection(
        "certificates", _("My service certificates"), "workbench/me/_certificates.html", _certificates, order=70
    ),  # fmt: skip
]
