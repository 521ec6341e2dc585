"""Party organization operations. The placement rules live in `choices.ALLOWED_PARENTS`; the leadership rules
(positions, elections, terms, residents' committees: rules.md §2) are in `sqdj.leadership.services`."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.scope import anchors as scope_anchors
from sqdj.core.scope import is_unrestricted, visible
from sqdj.core.services import UNSET, TreeRules, do_create, do_update, ensure_in_scope

from .choices import ALLOWED_PARENTS, ROOT_TYPES, OrgType, default_sector
from .models import GuidanceLink, Org

rules = TreeRules(Org, ALLOWED_PARENTS, ROOT_TYPES, lambda t: OrgType(t).label)


def community_of(org):
    """The community area the org is located in, or None (not a community org)."""
    area = org.area if org.area_id else None
    return area if area is not None and area.type == AreaType.COMMUNITY else None


def community_org(community) -> Org | None:
    """A community's own party organization: the shallowest org placed on the community area (None: none)."""
    if community is None:
        return None
    return Org.objects.filter(area=community).order_by("depth", "path").first()


def _check_area(area, acting_user):
    """An org may only be located in an area the acting user can see."""
    if area is None or acting_user is None:
        return
    if not Area.objects.restrict(acting_user, "view").filter(pk=area.pk).exists():
        raise ValidationError({"area": _("You may not choose this area.")})


def do_create_org(*, acting_user, parent, **data) -> Org:
    _check_area(data.get("area"), acting_user)
    if not data.get("sector"):  # required, but a form, an import row or an API call may leave it to the type
        area = data.get("area")
        data["sector"] = default_sector(data.get("type"), parent.sector if parent else None, area and area.type)
    return rules.create(acting_user=acting_user, parent=parent, data=data)


def do_update_org(org: Org, *, acting_user, parent=UNSET, **data) -> Org:
    if "area" in data and data["area"] != org.area:
        _check_area(data["area"], acting_user)
    return rules.update(org, acting_user=acting_user, parent=parent, data=data)


def do_delete_org(org: Org, *, acting_user) -> None:
    rules.delete(org, acting_user=acting_user)


def find_org(code: str, user):
    """The organization with this code if `user` may see it, else None (unknown and out of scope look alike);
    `EVERYTHING` for the operator at the shell."""
    return visible(Org.objects.select_related("area"), user).filter(code=code).first()


# ---- guidance links (属地管理, 双重管理, 指导协调; core.scope: what they let the guide's admins see) ----


def guided_by(anchors: list, *, beyond: bool = False) -> list[Org]:
    """The orgs guided, by an open link, by the orgs of these (org, descendants) anchors (core.scope); with
    `beyond`, only those outside the anchors' own reach (what the scope gate adds: a city's admin, who reaches
    every org, gets none instead of the thousands its subdistricts guide)."""
    reach = reduce(or_, (Q(guide__path__startswith=o.path) if below else Q(guide=o) for o, below in anchors))
    links = GuidanceLink.objects.filter(reach, ended_on__isnull=True).select_related("org")
    if beyond:
        links = links.exclude(
            reduce(or_, (Q(org__path__startswith=o.path) if below else Q(org=o) for o, below in anchors))
        )
    return [link.org for link in links]


def _would_loop(guide: Org, org: Org) -> bool:
    """Whether `org`'s subtree already guides, link after link, `guide` or an org above it: the new link would
    close a loop (each would see the other through the links)."""
    frontier, seen = [org], {org.pk}
    while frontier:
        reached = guided_by([(o, True) for o in frontier])
        if any(guide.path.startswith(o.path) for o in reached):
            return True
        frontier = [o for o in reached if o.pk not in seen]
        seen.update(o.pk for o in frontier)
    return False


@transaction.atomic
def do_link_guidance(*, acting_user, guide: Org, org: Org, kind: str, started_on, note: str = "") -> GuidanceLink:
    """`guide` guides `org` from `started_on`. Whoever may change `org` (its own line of leadership decides whom
    it answers to) links it to a guide they can see; a link to the org itself, to an org above it (the parent line
    already guides it), to one below it, or one that closes a loop of links is refused."""
    ensure_in_scope(org, acting_user, "change")
    ensure_in_scope(guide, acting_user, "view")
    if guide.pk == org.pk:
        raise ValidationError({"guide": _("An organization cannot guide itself.")})
    if org.path.startswith(guide.path):
        raise ValidationError(
            {
                "guide": _("%(guide)s is already above %(org)s in the party organization tree.")
                % {"guide": guide, "org": org}
            }
        )
    if guide.path.startswith(org.path):
        raise ValidationError(
            {"guide": _("%(guide)s is subordinate to %(org)s: it cannot guide it.") % {"guide": guide, "org": org}}
        )
    if GuidanceLink.objects.filter(guide=guide, org=org, ended_on__isnull=True).exists():
        raise ValidationError({"guide": _("%(guide)s already guides %(org)s.") % {"guide": guide, "org": org}})
    if _would_loop(guide, org):
        raise ValidationError(
            {
                "guide": _("%(org)s already guides %(guide)s through other links: this link would close a loop.")
                % {"guide": guide, "org": org}
            }
        )
    data = {"guide": guide, "org": org, "kind": kind, "started_on": started_on, "note": note}
    return do_create(GuidanceLink, acting_user=acting_user, data=data, action=None)  # permission checked above


def do_end_guidance(link: GuidanceLink, *, acting_user, ended_on) -> GuidanceLink:
    """The link ends on `ended_on` (its history stays); by whoever may change the guided org."""
    ensure_in_scope(link.org, acting_user, "change")
    if link.ended_on is not None:
        raise ValidationError(_("This guidance link has already ended."))
    if ended_on < link.started_on:
        raise ValidationError(
            {"ended_on": _("The end cannot be before the start (%(date)s).") % {"date": link.started_on.isoformat()}}
        )
    return do_update(link, acting_user=acting_user, data={"ended_on": ended_on}, action=None)


def top_orgs(user) -> list:
    """The user's own top organizations (the roots of the assignments, nested ones dropped)."""
    if is_unrestricted(user):
        return list(Org.objects.filter(depth=1).order_by("path"))
    roots: list = []
    seen: list[str] = []
    for org, _desc in sorted(scope_anchors(user, "view"), key=lambda a: a[0].path):
        if not any(org.path.startswith(p) for p in seen):
            seen.append(org.path)
            roots.append(org)
    return roots
