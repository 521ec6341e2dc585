"""Rulebook checks of the units app (issue 15; interfaces.md §4): registered on import (core.rules.register).

The units of a checked org are those of its territory as the user sees them (coverage.territory: located under its
area, or held by an org of its subtree) that exist on the checked day. Each check is one or two queries."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.rules import CheckContext, Finding, describe_parameters, param, register, url_maker
from sqdj.core.scope import visible
from sqdj.orgs.choices import OrgType
from sqdj.orgs.models import Org

from .choices import ENDED_STATUSES, NEWORG_CATEGORIES
from .coverage import existing_on, has_instructor, territory
from .models import Unit

# 中共中央组织部关于进一步加强和改进街道社区党的建设工作的意见（2004）五: "对暂不具备建立党组织条件的……选派党建工作
# 指导员": the words of the regulation, cited as the finding's source (no figure, hence no rulebook parameter)
OPINION_2004_V = "中共中央组织部关于进一步加强和改进街道社区党的建设工作的意见五"


# 支部工作条例第九条: a branch whose unit has changed so that it no longer meets the conditions of its setting up is
# adjusted or dissolved by the superior organization (no figure: no rulebook parameter)
BRANCH_RULES_9 = "中国共产党支部工作条例（试行）第九条"


# the figures units/migrations carry, as the rulebook names them (read by the intake, instructor and agreement parts)
describe_parameters(
    {
        "unit.intake_days": gettext_lazy("Days to contact a newly registered unit"),
        "unit.visit_interval_days": gettext_lazy("Longest interval between an instructor's visits"),
        "unit.agreement_renewal_days": gettext_lazy("Reminder before a co-building agreement ends"),
    }
)


def _unit_finding(rule, severity, unit, message, source, action, basis="") -> Finding:
    pk, code, name, url = unit
    return Finding(rule, severity, "unit", code, name, message, source, action, pk, url(pk), basis)


def _units(ctx: CheckContext):
    """The units of the checked territory that exist on the checked day."""
    return territory(ctx.org, ctx.user).filter(existing_on(ctx.on)).order_by()


def ended_by(day) -> Q:
    """The units gone by `day`: ended on or before it, or in an ended state with no date recorded."""
    return Q(ended_on__lte=day) | Q(status__in=ENDED_STATUSES, ended_on__isnull=True)


@register("org.required", "error", title=gettext_lazy("Community or unit without its own party organization"))
def unit_without_org(ctx: CheckContext):
    """The units' part of the rule (the communities' is the leadership app's, core.rules runs both): N is
    `org.min_full_members`; a unit with ≥N full members — 正式党员人数 where it is known, else its 党员人数 — and no
    party org, neither its own nor a 联合党支部."""
    threshold = param("org.min_full_members", ctx.on, default=None)
    if threshold is None:
        return
    enough = Q(full_members__gte=threshold) | Q(full_members__isnull=True, party_members__gte=threshold)
    rows = (
        _units(ctx)
        .filter(enough, org__isnull=True)
        .values_list("pk", "credit_code", "name", "full_members", "party_members")
    )
    url = url_maker("units:unit")
    source = ctx.source("org.min_full_members")
    action = _(
        "Set up a party organization in the unit, with the approval of the subdistrict working committee or the "
        "superior organization."
    )
    for pk, code, name, full, members in rows:
        n = full if full is not None else members
        yield _unit_finding(
            "org.required",
            "error",
            (pk, code, name, url),
            _("The unit has %(n)d full members (%(min)d or more) but no party organization")
            % {"n": n, "min": threshold},
            source,
            action,
            "org.min_full_members",
        )


@register("org.joint_branch_units", "warning", title=gettext_lazy("Joint branch covering too many units"))
def joint_branch_units(ctx: CheckContext):
    """A 联合党支部 covering more than `org.joint_branch_max_units` units: the units linked to it (Unit.org) that
    exist on the checked day; for a branch with no unit linked at all, the number typed on the org (units_covered,
    from before the registry)."""
    limit = param("org.joint_branch_max_units", ctx.on, default=None)
    if limit is None:
        return
    branches = list(
        visible(Org.objects.all(), ctx.user)
        .filter(type=OrgType.JOINT_BRANCH, path__startswith=ctx.org.path)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=ctx.on))
        .order_by("code")
        .values_list("pk", "code", "name", "units_covered")
    )
    if not branches:
        return
    # not restricted: whoever sees a branch sees the units it holds (both hang off the same org anchors)
    linked = {
        org_id: (every, existing)
        for org_id, every, existing in Unit.objects.filter(org_id__in=[b[0] for b in branches])
        .order_by()
        .values_list("org_id")
        .annotate(every=Count("pk"), existing=Count("pk", filter=existing_on(ctx.on)))
    }
    basis = "org.joint_branch_max_units"
    source = ctx.source(basis)
    action = _("Review the joint branch: units that are neighbours or in the same trade, of a manageable number.")
    url = url_maker("orgs:org")
    for pk, code, name, typed in branches:
        every, existing = linked.get(pk, (0, 0))
        n = existing if every else typed
        if n is not None and n > limit:
            message = _("The joint branch covers %(n)d units, more than the usual %(max)d") % {"n": n, "max": limit}
            yield Finding(
                "org.joint_branch_units", "warning", "org", code, name, message, source, action, pk, url(pk), basis
            )


@register(
    "unit.uncovered",
    "warning",
    title=gettext_lazy("New economic or social organization with neither a party organization nor an instructor"),
)
def unit_uncovered(ctx: CheckContext):
    """A 两新组织 (非公有制企业, 社会组织) existing on the checked day with no party org (its own or a 联合党支部) and
    no party-building instructor or liaison assigned that day (2004 意见五: where a party organization cannot yet be
    set up, send an instructor)."""
    rows = (
        _units(ctx)
        .filter(category__in=NEWORG_CATEGORIES, org__isnull=True)
        .filter(~has_instructor(ctx.on))
        .values_list("pk", "credit_code", "name")
    )
    url = url_maker("units:unit")
    message = _("The unit has neither a party organization nor a party-building instructor")
    action = _(
        "Send a party-building instructor or liaison to the unit; where it has enough full members, set up a party "
        "organization or bring it into a joint branch."
    )
    for pk, code, name in rows:
        yield _unit_finding("unit.uncovered", "warning", (pk, code, name, url), message, OPINION_2004_V, action)


@register("unit.ended_org", "warning", title=gettext_lazy("Party organization of a unit that has ended"))
def unit_ended_org(ctx: CheckContext):
    """A unit that has ended by the checked day (注销, 吊销, 迁出) and is still linked to a party org none of whose
    other units exists that day: the org is to be dissolved or adjusted (撤销或调整)."""
    ended = list(
        territory(ctx.org, ctx.user)
        .filter(ended_by(ctx.on), org__isnull=False)
        .order_by()
        .values_list("pk", "credit_code", "name", "org_id", "org__name")
    )
    if not ended:
        return
    # the orgs that still hold a unit existing that day (any unit: one the user does not see still needs the org)
    alive = set(
        Unit.objects.filter(org_id__in={row[3] for row in ended})
        .filter(existing_on(ctx.on))
        .order_by()
        .values_list("org_id", flat=True)
        .distinct()
    )
    url = url_maker("units:unit")
    message = _("The unit has ended but is still linked to %(org)s, which covers no other existing unit")
    action = _("Dissolve or adjust the party organization, and move its members' membership.")
    for pk, code, name, org_id, org_name in ended:
        if org_id not in alive:
            yield _unit_finding(
                "unit.ended_org", "warning", (pk, code, name, url), message % {"org": org_name}, BRANCH_RULES_9, action
            )
