"""The organization checks of the rulebook (rules.md §§1–2; interfaces.md §4).

Each check reads its figures with `param(rule, ctx.on)` — the version in force on the checked day — and cites
the parameter's source. The data of a run are read once and shared through `ctx.cached`: the orgs of the
subtree (one query), member counts per org (one grouped query) and the current positions (one query), so a run
over a whole city is a handful of queries whatever its size.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.rules import CheckContext, Finding, param, register, source_of
from sqdj.core.scope import visible
from sqdj.members.choices import MemberType, Standing
from sqdj.members.models import Member
from sqdj.members.validation import add_months

from . import terms
from .choices import BRANCH_TYPES, TERM_TYPES, OrgType, PositionRole
from .models import Election, Org, Position

_ORG_FIELDS = (
    "pk",
    "code",
    "name",
    "type",
    "path",
    "depth",
    "term_started_on",
    "term_extended_to",
    "term_extension_approval",
    "units_covered",
)


@dataclass(slots=True)
class OrgRow:
    """The fields of an org the checks read (plain values: a city has tens of thousands of orgs)."""

    pk: int
    code: str
    name: str
    type: str
    path: str
    depth: int
    term_started_on: datetime.date | None
    term_extended_to: datetime.date | None
    term_extension_approval: str
    units_covered: int | None
    url: str = ""

    def get_absolute_url(self) -> str:
        return self.url


def _url_maker(viewname: str):
    """`reverse(viewname, args=[pk])` for many pks: reverse once, then fill in (reverse costs ~100 µs a call)."""
    marker = 987654321
    template = reverse(viewname, args=[marker]).replace(str(marker), "{}")
    return template.format


class AreaRow(NamedTuple):
    pk: int
    code: str
    name: str
    path: str
    depth: int


@dataclass
class OrgFacts:
    org: OrgRow
    total: int = 0  # active members of the org and of its descendants
    full: int = 0
    community: bool = False


def _orgs(ctx: CheckContext) -> dict[int, OrgFacts]:
    """The orgs of the subtree the user may see that exist on the checked day, with member counts rolled up."""

    def compute():
        on = ctx.on
        orgs = (
            visible(Org.objects.all(), ctx.user)
            .filter(path__startswith=ctx.org.path)
            .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=on))
            .order_by()
        )
        url = _url_maker("orgs:org")
        # 党小组 are never judged; only their members count for the branch above them
        rows = orgs.exclude(type=OrgType.GROUP).values_list(*_ORG_FIELDS)
        facts = {row[0]: OrgFacts(OrgRow(*row, url=url(row[0]))) for row in rows}
        paths = {pk: f.org.path for pk, f in facts.items()}
        by_path = {f.org.path: f for f in facts.values()}
        # Not restricted: the members of an org the user sees are members the user sees (both are scoped by the
        # same org anchors), and rows of orgs outside `paths` are skipped below. Unfiltered by path at the top of a
        # tree, so that PostgreSQL counts from the index alone instead of joining every member to its org.
        members = _in_subtree(ctx, Member.objects.filter(standing=Standing.ACTIVE, joined_on__lte=on))
        counts = (
            members.order_by()
            .values_list("org_id")
            # counting a column of the index (not the key) lets PostgreSQL answer from the index alone
            .annotate(
                total=Count("org_id"),
                full=Count("org_id", filter=Q(member_type=MemberType.FULL, confirmed_on__lte=on)),
            )
        )
        counts = list(counts)
        # the groups holding members (read only those: a city has thousands of groups, most hold nobody)
        groups = [row[0] for row in counts if row[0] not in paths]
        if groups:
            paths.update(orgs.filter(type=OrgType.GROUP, pk__in=groups).values_list("pk", "path"))
        steplen, start = Org.steplen, len(ctx.org.path)
        for org_id, total, full in counts:
            path = paths.get(org_id)
            if path is None:
                continue
            # a member counts for the org holding the membership and for every org above it in the subtree
            for i in range(start, len(path) + 1, steplen):
                f = by_path.get(path[:i])
                if f is not None:
                    f.total += total
                    f.full += full
        community_paths = set(
            Org.objects.filter(area__type__in=sorted(terms.COMMUNITY_LEVEL))
            .filter(Q(path__startswith=ctx.org.path) | Q(path__in=_ancestor_paths(ctx.org.path)))
            .values_list("path", flat=True)
        )
        for f in facts.values():
            p = f.org.path
            f.community = any(p[:i] in community_paths for i in range(steplen, len(p) + 1, steplen))
        return facts

    return ctx.cached("orgs.facts", compute)


def _ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(Org.steplen, len(path), Org.steplen)]


def _in_subtree(ctx: CheckContext, queryset, field: str = "org"):
    """`queryset` limited to rows whose org is in the checked subtree — or not at all when the subtree is a whole
    tree: the caller then keeps only the orgs it has read (`_orgs`), which is cheaper than a join on the path."""
    if ctx.org.depth == 1:
        return queryset
    return queryset.filter(**{f"{field}__path__startswith": ctx.org.path})


def _held(ctx: CheckContext):
    """Posts held on the checked day in the subtree (the callers keep those of the branches in `_orgs`)."""
    on = ctx.on
    return _in_subtree(ctx, Position.objects.filter(started_on__lte=on)).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=on)
    )


def _committees(ctx: CheckContext) -> dict[int, tuple[int, int]]:
    """Per branch id: (people holding a post on the checked day, committee-member posts among them)."""

    def compute():
        rows = (
            _held(ctx)
            .order_by()
            .values_list("org_id")
            .annotate(
                size=Count("member_id", distinct=True),
                members=Count("member_id", filter=Q(role=PositionRole.COMMITTEE_MEMBER)),
            )
        )
        return {org_id: (size, members) for org_id, size, members in rows}

    return ctx.cached("orgs.committees", compute)


def _young_secretaries(ctx: CheckContext, years: int) -> list[tuple]:
    """(org id, name, member type, confirmed on) of branch secretaries who may have under `years` of party age:
    the database narrows them down (a day's margin), the check decides exactly."""
    cutoff = add_months(ctx.on, -12 * years) - datetime.timedelta(days=1)
    young = ~Q(member__member_type=MemberType.FULL) | Q(member__confirmed_on__isnull=True)
    young |= Q(member__confirmed_on__gt=cutoff)
    rows = _held(ctx).filter(young, role=PositionRole.SECRETARY).order_by("org_id")
    return list(rows.values_list("org_id", "member__name", "member__member_type", "member__confirmed_on"))


def _finding(ctx, rule, severity, org, message, basis, action) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        object_type="org",
        object_code=org.code,
        object_name=org.name,
        object_id=org.pk,
        url=org.get_absolute_url(),
        message=message,
        source=ctx.cached(f"source:{basis}", lambda: source_of(basis, ctx.on)),
        action=action,
        basis=basis,
    )


# --- organization setup (rules.md §1) ---------------------------------------------------------------------------


@register("org.required", "error", title=gettext_lazy("Community without its own party organization"))
def community_without_org(ctx: CheckContext):
    """A community with ≥N full members living there and no party org located in it (or below it).

    "Held there" adds nothing: a member is held in a community only by an org located in it, and then the
    community has an org."""
    threshold = param("org.min_full_members", ctx.on, default=None)
    root_area = ctx.org.area if ctx.org.area_id else None
    if threshold is None or root_area is None:
        return
    rows = (
        visible(Area.objects.all(), ctx.user)
        .filter(type=AreaType.COMMUNITY, path__startswith=root_area.path)
        .order_by("path")
        .values_list("pk", "code", "name", "path", "depth")
    )
    communities = [AreaRow(*row) for row in rows]
    if not communities:
        return
    located = visible(Org.objects.all(), ctx.user).filter(
        Q(founded_on__isnull=True) | Q(founded_on__lte=ctx.on), area__path__startswith=root_area.path
    )
    with_org = set()
    for depth in {c.depth for c in communities}:
        # the communities (path prefixes at their depth) in which some org is located, counted in the database
        prefixes = (
            located.filter(area__depth__gte=depth)
            .annotate(prefix=Substr("area__path", 1, depth * Area.steplen))
            .order_by()
            .values_list("prefix", flat=True)
            .distinct()
        )
        with_org.update(prefixes)
    bare = {c.path: c for c in communities if c.path not in with_org}
    if not bare:
        return
    counts = defaultdict(int)
    for depth in sorted({c.depth for c in bare.values()}):
        rows = (
            visible(Member.objects.all(), ctx.user)
            .filter(
                standing=Standing.ACTIVE,
                joined_on__lte=ctx.on,
                member_type=MemberType.FULL,
                confirmed_on__lte=ctx.on,
                home_area__depth__gte=depth,
                home_area__path__startswith=root_area.path,
            )
            .annotate(community=Substr("home_area__path", 1, depth * Area.steplen))
            .filter(community__in=[p for p, c in bare.items() if c.depth == depth])
            .order_by()
            .values("community")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            counts[row["community"]] += row["n"]
    for path, area in bare.items():
        n = counts.get(path, 0)
        if n >= threshold:
            yield Finding(
                rule="org.required",
                severity="error",
                object_type="area",
                object_code=area.code,
                object_name=area.name,
                object_id=area.pk,
                url=_url_maker("areas:area")(area.pk),
                message=_(
                    "%(n)d full members live in the community (%(min)d or more) but no party organization is set up "
                    "in it"
                )
                % {"n": n, "min": threshold},
                source=source_of("org.min_full_members", ctx.on),
                action=_(
                    "Ask the subdistrict working committee to approve a party organization (branch, general branch "
                    "or committee) located in this community."
                ),
                basis="org.min_full_members",
            )


@register("org.branch_size", "warning", title=gettext_lazy("Branch with too many members"))
def branch_size(ctx: CheckContext):
    limit = param("org.branch_max_members", ctx.on, default=None)
    if limit is None:
        return
    # translated once per run, not per finding (a city has thousands of findings)
    message = _("The branch has %(n)d members, more than the usual %(max)d")
    action = _("Consider dividing the branch into party groups or splitting it.")
    for f in _orgs(ctx).values():
        if f.org.type in BRANCH_TYPES and f.total > limit:
            yield _finding(
                ctx,
                "org.branch_size",
                "warning",
                f.org,
                message % {"n": f.total, "max": limit},
                "org.branch_max_members",
                action,
            )


@register("org.may_become_general_branch", "reminder", title=gettext_lazy("Branch that may become a general branch"))
def may_become_general_branch(ctx: CheckContext):
    low = param("org.general_branch_min_members", ctx.on, default=None)
    high = param("org.committee_min_members", ctx.on, default=None)
    if low is None or high is None:
        return
    message = _("The branch has %(n)d members (%(low)d to %(high)d): it may become a general branch")
    action = _("If the work requires it, ask the superior organization to approve a general branch.")
    for f in _orgs(ctx).values():
        if f.org.type in BRANCH_TYPES and low <= f.total < high:
            yield _finding(
                ctx,
                "org.may_become_general_branch",
                "reminder",
                f.org,
                message % {"n": f.total, "low": low, "high": high - 1},
                "org.general_branch_min_members",
                action,
            )


@register("org.may_become_committee", "reminder", title=gettext_lazy("Organization that may become a party committee"))
def may_become_committee(ctx: CheckContext):
    high = param("org.committee_min_members", ctx.on, default=None)
    if high is None:
        return
    message = _("The organization has %(n)d members (%(min)d or more): it may become a primary party committee")
    action = _("If the work requires it, ask the superior organization to approve a primary party committee.")
    for f in _orgs(ctx).values():
        if (f.org.type in BRANCH_TYPES or f.org.type == OrgType.GENERAL_BRANCH) and f.total >= high:
            yield _finding(
                ctx,
                "org.may_become_committee",
                "reminder",
                f.org,
                message % {"n": f.total, "min": high},
                "org.committee_min_members",
                action,
            )


@register("org.committee_composition", "error", title=gettext_lazy("Branch committee composition"))
def committee_composition(ctx: CheckContext):
    need = param("org.committee_min_full_members", ctx.on, default=None)
    low = param("org.committee_min_size", ctx.on, default=None)
    high = param("org.committee_max_size", ctx.on, default=None)
    if None in (need, low, high):
        return
    committees = _committees(ctx)
    for f in _orgs(ctx).values():
        if f.org.type not in BRANCH_TYPES:
            continue
        size, committee_members = committees.get(f.org.pk, (0, 0))
        has_committee = committee_members > 0 or size > 2
        if f.full >= need and not (low <= size <= high):
            yield _finding(
                ctx,
                "org.committee_composition",
                "error",
                f.org,
                _(
                    "The branch has %(n)d full members (%(need)d or more) but no branch committee of %(low)d to "
                    "%(high)d members (it has %(size)d)"
                )
                % {"n": f.full, "need": need, "low": low, "high": high, "size": size},
                "org.committee_min_full_members",
                _("Hold a members' meeting to elect a branch committee of %(low)d to %(high)d members.")
                % {"low": low, "high": high},
            )
        elif f.full < need and has_committee:
            yield _finding(
                ctx,
                "org.committee_composition",
                "error",
                f.org,
                _("The branch has %(n)d full members (fewer than %(need)d) but a branch committee of %(size)d members")
                % {"n": f.full, "need": need, "size": size},
                "org.committee_min_full_members",
                _("Without a committee a branch has a secretary and, if needed, one deputy secretary."),
            )


@register("org.secretary_party_age", "warning", title=gettext_lazy("Branch secretary with under a year of party age"))
def secretary_party_age(ctx: CheckContext):
    years = param("org.secretary_min_party_age_years", ctx.on, default=None)
    if years is None:
        return
    facts = _orgs(ctx)
    action = _(
        "A branch secretary should as a rule have at least %(years)d year(s) of party age; review the appointment "
        "with the superior organization."
    ) % {"years": years}
    message = _("The branch secretary %(name)s has under %(years)d year(s) of party age")
    for org_id, name, member_type, confirmed in _young_secretaries(ctx, years):
        f = facts.get(org_id)
        if f is None or f.org.type not in BRANCH_TYPES:  # not visible, not founded yet, or not a branch
            continue
        confirmed = confirmed if member_type == MemberType.FULL else None
        # 党龄 counts from the day the member became a full member (党章第七条)
        if confirmed is None or confirmed > ctx.on or add_months(confirmed, 12 * years) > ctx.on:
            yield _finding(
                ctx,
                "org.secretary_party_age",
                "warning",
                f.org,
                message % {"name": name, "years": years},
                "org.secretary_min_party_age_years",
                action,
            )


@register("org.joint_branch_units", "warning", title=gettext_lazy("Joint branch covering too many units"))
def joint_branch_units(ctx: CheckContext):
    limit = param("org.joint_branch_max_units", ctx.on, default=None)
    if limit is None:
        return
    for f in _orgs(ctx).values():
        n = f.org.units_covered
        if f.org.type == OrgType.JOINT_BRANCH and n is not None and n > limit:
            yield _finding(
                ctx,
                "org.joint_branch_units",
                "warning",
                f.org,
                _("The joint branch covers %(n)d units, more than the usual %(max)d") % {"n": n, "max": limit},
                "org.joint_branch_max_units",
                _("Review the joint branch: units that are neighbours or in the same trade, of a manageable number."),
            )


# --- terms and elections (rules.md §2) --------------------------------------------------------------------------


def _term_orgs(ctx: CheckContext):
    """(facts, end of term) for the orgs with a term on the checked day, ignoring terms that start later."""

    def compute():
        out = []
        for f in _orgs(ctx).values():
            o = f.org
            if o.type not in TERM_TYPES or o.term_started_on is None or o.term_started_on > ctx.on:
                continue
            end = terms.term_end(o, f.community, ctx.on)
            if end is not None:
                out.append((f, end))
        return out

    return ctx.cached("orgs.terms", compute)


@register("org.term_expiring", "reminder", title=gettext_lazy("Term of office ending soon"))
def term_expiring(ctx: CheckContext):
    months = param("org.term_reminder_months", ctx.on, default=None)
    if months is None:
        return
    message = _("The term of office ends on %(date)s")
    action = _("Send the request for the general election to the superior organization and prepare the election.")
    for f, end in _term_orgs(ctx):
        if add_months(end, -months) <= ctx.on < end:
            last_day = end - datetime.timedelta(days=1)
            yield _finding(
                ctx,
                "org.term_expiring",
                "reminder",
                f.org,
                message % {"date": last_day.isoformat()},
                _term_basis(f),
                action,
            )


@register("org.term_expired", "error", title=gettext_lazy("Term of office ended without an election"))
def term_expired(ctx: CheckContext):
    expired = [(f, end) for f, end in _term_orgs(ctx) if ctx.on >= end]
    if not expired:
        return
    # an election recorded after the term's start (e.g. imported while the term field was not updated) counts
    elected = set(
        Election.objects.filter(
            org_id__in=[f.org.pk for f, _end in expired], kind="regular", held_on__lte=ctx.on
        ).values_list("org_id", "held_on")
    )
    for f, end in expired:
        if any(org_id == f.org.pk and held > f.org.term_started_on for org_id, held in elected):
            continue
        last_day = end - datetime.timedelta(days=1)
        months = param("org.term_max_extension_months", ctx.on, default=None)
        action = _("Hold the general election now; a postponement needs the superior organization's approval.")
        if months is not None:
            action = _(
                "Hold the general election now; a postponement needs the superior organization's approval (as a "
                "rule at most %(months)d months) and its record."
            ) % {"months": months}
        yield _finding(
            ctx,
            "org.term_expired",
            "error",
            f.org,
            _("The term of office ended on %(date)s and no general election is recorded")
            % {"date": last_day.isoformat()},
            _term_basis(f),
            action,
        )


def _term_basis(f: OrgFacts) -> str:
    return terms.term_rule(f.org, f.community) or "org.term_years.branch"
