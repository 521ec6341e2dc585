"""The communities a party member belongs to: where they are registered (在职党员报到) and the community their own org
stands in (a local member). Self service (the volunteers' posts and activities, the residents' wishes to claim) is
offered there."""

from __future__ import annotations

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area

from .models import Member, Registration


def communities_of(members) -> list[int]:
    """The communities the given members belong to (ids)."""
    ids = set(Registration.objects.filter(member__in=members, active=True).values_list("community_id", flat=True))
    for member in members.select_related("org__area"):
        area = member.org.area
        if area is None:
            continue
        prefixes = [area.path[:i] for i in range(Area.steplen, len(area.path) + 1, Area.steplen)]
        ids.update(Area.objects.filter(path__in=prefixes, type=AreaType.COMMUNITY).values_list("pk", flat=True))
    return sorted(ids)


def own_communities(user) -> list[int]:
    """The communities a member (self service) belongs to (communities_of their member rows). Read once per request
    (the user object carries it)."""
    cache = user.__dict__.setdefault("_sqdj_own_communities", {})
    if "ids" not in cache:
        cache["ids"] = communities_of(Member.objects.filter(user=user))
    return cache["ids"]
