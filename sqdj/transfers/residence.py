"""Receiving retired, unemployed and unit-less members into their residence community (issue 5, item 6).

Such members belong where they live: the party organization of the community of their home area. That org is
the shallowest org located in the community's area that can hold a membership (not a party group, not a level of
the administration). A member qualifies when that org exists and does not already hold them (their org is not
in its subtree) and they have no open transfer case.
"""

from __future__ import annotations

from django.db.models import F, OuterRef, Q, Subquery

from sqdj.areas.choices import AreaType
from sqdj.members.choices import Category, Standing
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .choices import OPEN_STATES, TransferReason
from .models import Transfer
from .services import NOT_RECEIVING

# Categories whose membership may move to the residence community (besides anyone without a work unit). For
# retirees it is a choice (rules.md 6.9): the list offers it, nothing makes it a to-do. 离休 cadres move only at
# their own request: their member page offers the case, the list leaves them out (LISTED).
CATEGORIES = (Category.RETIRED, Category.VETERAN_RETIRED, Category.UNEMPLOYED)
LISTED = (Category.RETIRED, Category.UNEMPLOYED)
_NOT_TARGETS = tuple(NOT_RECEIVING)


def community_orgs():
    """Orgs that may be a community's own party organization, shallowest first."""
    return Org.objects.exclude(type__in=_NOT_TARGETS).order_by("depth", "path")


def community_org(area) -> Org | None:
    """The party organization of a community area (None when the area is no community or has none)."""
    if area is None or area.type != AreaType.COMMUNITY:
        return None
    return community_orgs().filter(area=area).first()


def qualifies(member: Member) -> bool:
    """Whether the member's kind of membership belongs with the residence community."""
    return member.category in CATEGORIES or (
        member.category != Category.MOBILE and not (member.work_unit or "").strip()
    )


def reason_for(member: Member) -> str:
    if member.category in (Category.RETIRED, Category.VETERAN_RETIRED):
        return TransferReason.RETIREMENT
    return TransferReason.UNEMPLOYMENT  # "unemployment or no work unit"


def target_org(member: Member) -> Org | None:
    """The org to receive the member, or None when the flow does not apply to them (now)."""
    if member.standing != Standing.ACTIVE or not qualifies(member):
        return None
    org = community_org(member.home_area)
    if org is None or member.org.path.startswith(org.path):
        return None
    if Transfer.objects.filter(member=member, state__in=OPEN_STATES).exists():
        return None
    return org


def candidates(members):
    """`members` narrowed to those the list offers (LISTED, or without a work unit; not 离休), annotated with
    `target_id` (their community org) — in one query, so that the list of a whole district pages in the database."""
    target = community_orgs().filter(area=OuterRef("home_area"))
    return (
        members.filter(standing=Standing.ACTIVE, home_area__type=AreaType.COMMUNITY)
        .filter(
            Q(category__in=LISTED) | (Q(work_unit="") & ~Q(category__in=(Category.MOBILE, Category.VETERAN_RETIRED)))
        )
        .annotate(target_id=Subquery(target.values("pk")[:1]), target_path=Subquery(target.values("path")[:1]))
        .filter(target_id__isnull=False)
        .exclude(org__path__startswith=F("target_path"))
        .exclude(transfers__state__in=OPEN_STATES)
    )
