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
from operator import itemgetter
from typing import NamedTuple

from django.db import connection, connections
from django.db.models import BooleanField, Count, F, Func, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.dates import add_months
from sqdj.core.rules import (
    CheckContext,
    Finding,
    describe_parameters,
    describe_values,
    param,
    register,
    source_of,
    url_maker,
)
from sqdj.core.scope import visible
from sqdj.members.choices import Category, MemberType, Standing
from sqdj.members.models import Member
from sqdj.orgs.choices import BRANCH_TYPES, TERM_TYPES, OrgType, Sector
from sqdj.orgs.models import Org

from . import terms
from .choices import PositionRole
from .models import Election, Position

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
    "sector",
)


@dataclass(slots=True)
class OrgRow:
    """The fields of an org the checks read (plain values: a city has tens of thousands of orgs), its URL, and the
    active members of the org and of its descendants (`total`; `full`: full members among them)."""

    pk: int
    code: str
    name: str
    type: str
    path: str
    depth: int
    term_started_on: datetime.date | None
    term_extended_to: datetime.date | None
    term_extension_approval: str
    sector: str  # drives the term (terms.term_rule), not where the org is located
    url: str = ""
    total: int = 0
    full: int = 0

    def get_absolute_url(self) -> str:
        return self.url


class AreaRow(NamedTuple):
    pk: int
    code: str
    name: str
    path: str
    depth: int


def _visible_orgs(ctx: CheckContext):
    """The orgs of the subtree the user may see that exist on the checked day (党小组 included)."""
    return (
        visible(Org.objects.all(), ctx.user)
        .filter(path__startswith=ctx.org.path)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=ctx.on))
        .order_by()
    )


def _orgs(ctx: CheckContext) -> dict[int, OrgRow]:
    """The orgs of the subtree the user may see that exist on the checked day, with member counts rolled up."""

    def compute():
        on = ctx.on
        orgs = _visible_orgs(ctx)
        url = url_maker("orgs:org")
        # 党小组 are never judged; only their members count for the branch above them
        facts = {}
        by_path = ctx.memo["orgs.by_path"] = {}
        rows = list(orgs.exclude(type=OrgType.GROUP).values_list(*_ORG_FIELDS))
        # in code order: the checks then yield their findings in the order of the page (sorting them costs less)
        rows.sort(key=itemgetter(1))
        for row in rows:
            facts[row[0]] = by_path[row[4]] = OrgRow(*row, url(row[0]))
        # Not restricted: the members of an org the user sees are members the user sees (both are scoped by the
        # same org anchors), and rows of orgs outside `paths` are skipped below. Unfiltered by path at the top of a
        # tree, so that PostgreSQL counts from the index alone instead of joining every member to its org.
        members = _in_subtree(ctx, Member.objects.filter(standing=Standing.ACTIVE, joined_on__lte=on))
        counts = _raw_rows(
            members.order_by()
            .values_list("org_id")
            # counting a column of the index (not the key) lets PostgreSQL answer from the index alone
            .annotate(
                total=Count("org_id"),
                full=Count("org_id", filter=Q(member_type=MemberType.FULL, confirmed_on__lte=on)),
            )
        )
        # the groups holding members (read only those: a city has thousands of groups, most hold nobody)
        groups = [row[0] for row in counts if row[0] not in facts]
        group_paths = dict(orgs.filter(type=OrgType.GROUP, pk__in=groups).values_list("pk", "path")) if groups else {}
        # A member counts for the org holding the membership and for every org above it in the subtree. Rolled up
        # one level at a time from the deepest: each path hands its sums to its parent path (present or not), so
        # that the work is one step per org with members or above them, not one per org and ancestor.
        steplen, start = Org.steplen, len(ctx.org.path)
        levels: dict[int, dict[str, list[int]]] = defaultdict(dict)
        for org_id, total, full in counts:
            o = facts.get(org_id)
            path = o.path if o is not None else group_paths.get(org_id)
            if path is not None and len(path) >= start:
                levels[len(path)][path] = [total, full]
        for length in range(max(levels, default=0), start - 1, -steplen):
            level = levels.pop(length, None)
            if not level:
                continue
            parents = levels[length - steplen] if length > start else None
            for path, sums in level.items():
                o = by_path.get(path)
                if o is not None:
                    o.total += sums[0]
                    o.full += sums[1]
                if parents is not None:
                    up = parents.get(path[:-steplen])
                    if up is None:
                        parents[path[:-steplen]] = sums
                    else:
                        up[0] += sums[0]
                        up[1] += sums[1]
        return facts

    return ctx.cached("orgs.facts", compute)


def _raw_rows(queryset) -> list[tuple]:
    """The rows of a values_list() queryset of plain integers as the driver returns them: Django would pass each
    value of an aggregate through `int()` (a city's 10,000 per-org counts)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
    """Per org id: (people holding a post on the checked day, committee-member posts among them)."""

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
        return {org_id: (size, members) for org_id, size, members in _raw_rows(rows)}

    return ctx.cached("orgs.committees", compute)


class _AnyOf(Func):
    """PostgreSQL's `column = ANY(ARRAY(SELECT unnest(%s::bigint[])))`, the ids sent as one array: they are looked
    up in the order of the index. A long `IN (…)` list costs more to send and ~30 ms to plan (a selectivity
    estimate per element, which the sub-select hides from the planner), and `IN (subquery)` is planned as a
    join that visits the members in the posts' order, twice as slow for a city's secretaries."""

    output_field = BooleanField()

    def __init__(self, column, ids):
        super().__init__(column)
        self.ids = ids

    def as_sql(self, compiler, connection, **extra_context):
        column_sql, column_params = compiler.compile(self.get_source_expressions()[0])
        return f"{column_sql} = ANY(ARRAY(SELECT unnest(%s::bigint[])))", (*column_params, self.ids)


_IDS_PER_QUERY = 10_000  # SQLite: well below its limit of bound parameters


def _young_secretaries(ctx: CheckContext, years: int) -> list[tuple]:
    """(org id, name, member type, confirmed on) of the secretaries of the branches read by `_orgs` who may have
    under `years` of party age: the database narrows them down (a day's margin), the check decides exactly."""
    facts = _orgs(ctx)
    rows = _held(ctx).filter(role=PositionRole.SECRETARY).order_by().values_list("org_id", "member_id")
    secretaries = [(o, m) for o, m in rows if o in facts and facts[o].type in BRANCH_TYPES]
    if not secretaries:
        return []
    cutoff = add_months(ctx.on, -12 * years) - datetime.timedelta(days=1)
    young = ~Q(member_type=MemberType.FULL) | Q(confirmed_on__isnull=True) | Q(confirmed_on__gt=cutoff)
    ids = sorted({member_id for _org, member_id in secretaries})
    if connection.vendor == "postgresql":
        batches = [Q(_AnyOf(F("pk"), ids))]
    else:
        batches = [Q(pk__in=ids[i : i + _IDS_PER_QUERY]) for i in range(0, len(ids), _IDS_PER_QUERY)]
    people = {}
    for batch in batches:
        rows = Member.objects.filter(young, batch).order_by().values_list("pk", "name", "member_type", "confirmed_on")
        people.update((pk, rest) for pk, *rest in rows)
    return [(org_id, *people[member_id]) for org_id, member_id in sorted(secretaries) if member_id in people]


_new = tuple.__new__  # Finding(...) without its Python-level __new__: the size checks make 20,000 of them


def _finding(rule, severity, org, message, source, action, basis) -> Finding:
    return _new(Finding, (rule, severity, "org", org.code, org.name, message, source, action, org.pk, org.url, basis))


# --- organization setup (rules.md §1) ---------------------------------------------------------------------------


# the figures leadership/migrations carry, and the words of `org.term_sectors.*`'s value
describe_parameters(
    {
        "election.min_extra_candidates_ratio": gettext_lazy("Least extra candidates in a committee election"),
        "election.quorum_ratio": gettext_lazy("Share of the entitled voters who must be present"),
        "org.branch_max_members": gettext_lazy("Most members of a branch"),
        "org.committee_max_size": gettext_lazy("Usual largest size of a branch committee"),
        "org.committee_min_full_members": gettext_lazy("Full members for a branch to have a committee"),
        "org.committee_min_members": gettext_lazy("Members for a party committee"),
        "org.committee_min_members.community": gettext_lazy("Members for a community party committee"),
        "org.committee_min_size": gettext_lazy("Smallest size of a committee"),
        "org.general_branch_min_members": gettext_lazy("Members for a general branch"),
        "org.general_branch_min_members.community": gettext_lazy("Members for a community general branch"),
        "org.joint_branch_max_units": gettext_lazy("Most units covered by a joint branch"),
        "org.min_full_members": gettext_lazy("Full members to set up a party organization"),
        "org.secretary_min_party_age_years": gettext_lazy("Shortest party age of a branch secretary"),
        "org.term_max_extension_months": gettext_lazy("Longest postponement of an election"),
        "org.term_reminder_months": gettext_lazy("Reminder before a term of office ends"),
        "org.term_sectors.community": gettext_lazy("Sectors whose organizations have the community term"),
        "org.term_years.branch": gettext_lazy("Term of office of a branch or general branch"),
        "org.term_years.committee": gettext_lazy("Term of office of a grassroots party committee"),
        "org.term_years.community": gettext_lazy("Term of office of a community party organization"),
    }
)
describe_values("sectors", dict(Sector.choices))


@register("org.required", "error", title=gettext_lazy("Community without its own party organization"))
def community_without_org(ctx: CheckContext):
    """A community with ≥N full members living there whose membership could be held there, and no party org
    located in it (or below it).

    In-service members (在职党员) are not counted: their membership is held by their work unit's organization and
    stays there (they register with the community, 报到); three of them living in a community do not make it
    one that must set up an organization. "Held there" adds nothing else: a member is held in a community only by
    an org located in it, and then the community has an org."""
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
            .exclude(category=Category.EMPLOYED)
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
                url=url_maker("areas:area")(area.pk),
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


def _source(ctx: CheckContext, basis: str) -> str:
    return ctx.source(basis)


class _Messages(dict):
    """`template % values` memoized by a key: thousands of findings share a few hundred distinct messages."""

    def __init__(self, template: str, values):
        super().__init__()
        self.template, self.values = template, values

    def __missing__(self, key):
        text = self[key] = self.template % self.values(key)
        return text


@register("org.branch_size", "warning", title=gettext_lazy("Branch with too many members"))
def branch_size(ctx: CheckContext):
    limit = param("org.branch_max_members", ctx.on, default=None)
    if limit is None:
        return
    # translated once per run, not per finding (a city has thousands of findings)
    messages = _Messages(
        _("The branch has %(n)d members, more than the usual %(max)d"), lambda n: {"n": n, "max": limit}
    )
    action = _("Consider dividing the branch into party groups or splitting it.")
    rule, basis = "org.branch_size", "org.branch_max_members"
    source = _source(ctx, basis)
    for o in _orgs(ctx).values():
        if o.total > limit and o.type in BRANCH_TYPES:
            yield _new(
                Finding,
                (rule, "warning", "org", o.code, o.name, messages[o.total], source, action, o.pk, o.url, basis),
            )


def _by_sector(ctx: CheckContext, rule: str):
    """`sector -> (basis, value)`: the sector's own version of `rule` (`<rule>.<sector>`) in force on the checked day
    when there is one, else `rule` itself. A community's 总支/党委 thresholds cite the community's sources (社区规则
    第四条, before it 党章第三十条), a 机关 org's the 机关条例 (rules.md 1.7, 1.8)."""
    memo: dict = ctx.cached(f"by_sector:{rule}", dict)  # type: ignore[assignment]

    def lookup(sector: str):
        hit = memo.get(sector)
        if hit is None:
            own = f"{rule}.{sector}"
            value = param(own, ctx.on, default=None) if sector else None
            hit = memo[sector] = (own, value) if value is not None else (rule, param(rule, ctx.on, default=None))
        return hit

    return lookup


def _setup_action(sector: str, community: str, other: str) -> str:
    # a community's 总支/党委 is approved or decided by the 街道党工委 (乡镇党委) (社区规则第四条)
    return community if sector == Sector.COMMUNITY else other


@register("org.may_become_general_branch", "reminder", title=gettext_lazy("Branch that may become a general branch"))
def may_become_general_branch(ctx: CheckContext):
    """A branch with at least `org.general_branch_min_members` and fewer than `org.committee_min_members` members
    (probationary members included) may, if the work requires it, become a general branch: a reminder ("可以"), by
    the version of the org's sector (`….community` for a community org)."""
    low_of = _by_sector(ctx, "org.general_branch_min_members")
    high_of = _by_sector(ctx, "org.committee_min_members")
    messages = _Messages(
        _("The branch has %(n)d members (%(low)d to %(high)d): it may become a general branch"),
        lambda key: {"n": key[0], "low": key[1], "high": key[2] - 1},
    )
    community = _(
        "If the work requires it, ask the subdistrict working committee (township committee) to approve or decide "
        "on a general branch."
    )
    other = _("If the work requires it, ask the superior organization to approve a general branch.")
    rule = "org.may_become_general_branch"
    for o in _orgs(ctx).values():
        if o.type not in BRANCH_TYPES:
            continue
        basis, low = low_of(o.sector)
        high = high_of(o.sector)[1]
        if low is None or high is None or not low <= o.total < high:
            continue
        action = _setup_action(o.sector, community, other)
        message = messages[o.total, low, high]
        yield _new(
            Finding,
            (rule, "reminder", "org", o.code, o.name, message, ctx.source(basis), action, o.pk, o.url, basis),
        )


@register("org.may_become_committee", "reminder", title=gettext_lazy("Organization that may become a party committee"))
def may_become_committee(ctx: CheckContext):
    """A branch or general branch with at least `org.committee_min_members` members may, if the work requires it,
    become a primary party committee: a reminder ("可以"), by the version of the org's sector."""
    high_of = _by_sector(ctx, "org.committee_min_members")
    messages = _Messages(
        _("The organization has %(n)d members (%(min)d or more): it may become a primary party committee"),
        lambda key: {"n": key[0], "min": key[1]},
    )
    community = _(
        "If the work requires it, ask the subdistrict working committee (township committee) to approve or decide "
        "on a primary party committee."
    )
    other = _("If the work requires it, ask the superior organization to approve a primary party committee.")
    rule = "org.may_become_committee"
    for o in _orgs(ctx).values():
        if not (o.type in BRANCH_TYPES or o.type == OrgType.GENERAL_BRANCH):
            continue
        basis, high = high_of(o.sector)
        if high is None or o.total < high:
            continue
        action = _setup_action(o.sector, community, other)
        yield _new(
            Finding,
            (rule, "reminder", "org", o.code, o.name, messages[o.total, high], ctx.source(basis), action, o.pk,
             o.url, basis),
        )  # fmt: skip


@register("org.committee_over_size", "warning", title=gettext_lazy("Branch committee larger than usual"))
def committee_over_size(ctx: CheckContext):
    """支部工作条例: a branch committee 由3至5人组成，一般不超过7人 — "一般": more is a warning to explain, not an
    error."""
    high = param("org.committee_max_size", ctx.on, default=None)
    if high is None:
        return
    committees = _committees(ctx)
    basis = "org.committee_max_size"
    source = _source(ctx, basis)
    for o in _orgs(ctx).values():
        if o.type not in BRANCH_TYPES:
            continue
        size = committees.get(o.pk, (0, 0))[0]
        if size > high:
            yield _finding(
                "org.committee_over_size",
                "warning",
                o,
                _("The branch committee has %(size)d members; it generally has no more than %(high)d")
                % {"size": size, "high": high},
                source,
                _("Check at the next election whether so large a committee is needed."),
                basis,
            )


@register("org.committee_composition", "error", title=gettext_lazy("Branch committee composition"))
def committee_composition(ctx: CheckContext):
    need = param("org.committee_min_full_members", ctx.on, default=None)
    low = param("org.committee_min_size", ctx.on, default=None)
    high = param("org.committee_max_size", ctx.on, default=None)
    if None in (need, low, high):
        return
    committees = _committees(ctx)
    basis = "org.committee_min_full_members"
    source = _source(ctx, basis)
    for o in _orgs(ctx).values():
        if o.type not in BRANCH_TYPES:
            continue
        size, committee_members = committees.get(o.pk, (0, 0))
        has_committee = committee_members > 0 or size > 2
        if o.full >= need and size < low:
            yield _finding(
                "org.committee_composition",
                "error",
                o,
                _(
                    "The branch has %(n)d full members (%(need)d or more) but no branch committee of %(low)d to "
                    "%(high)d members (it has %(size)d)"
                )
                % {"n": o.full, "need": need, "low": low, "high": high, "size": size},
                source,
                _("Hold a members' meeting to elect a branch committee of %(low)d to %(high)d members.")
                % {"low": low, "high": high},
                basis,
            )
        elif o.full < need and has_committee:
            yield _finding(
                "org.committee_composition",
                "error",
                o,
                _("The branch has %(n)d full members (fewer than %(need)d) but a branch committee of %(size)d members")
                % {"n": o.full, "need": need, "size": size},
                source,
                _("Without a committee a branch has a secretary and, if needed, one deputy secretary."),
                basis,
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
    basis = "org.secretary_min_party_age_years"
    source = _source(ctx, basis)
    for org_id, name, member_type, confirmed in _young_secretaries(ctx, years):
        o = facts.get(org_id)
        if o is None or o.type not in BRANCH_TYPES:  # not visible, not founded yet, or not a branch
            continue
        confirmed = confirmed if member_type == MemberType.FULL else None
        # 党龄 counts from the day the member became a full member (党章第七条)
        if confirmed is None or confirmed > ctx.on or add_months(confirmed, 12 * years) > ctx.on:
            yield _finding(
                "org.secretary_party_age",
                "warning",
                o,
                message % {"name": name, "years": years},
                source,
                action,
                basis,
            )


# --- terms and elections (rules.md §2) --------------------------------------------------------------------------


def _term_orgs(ctx: CheckContext):
    """(org, end of term, parameter of its length) for the orgs with a term on the checked day, ignoring terms
    that start later."""

    def compute():
        out = []
        on = ctx.on
        # term_end and term_rule read the org's type, sector, term start, extension and approval: orgs alike in
        # those share the answer (a city's 11,000 terms have some 3,000 distinct ones)
        memo = {}
        for o in _orgs(ctx).values():
            if o.type not in TERM_TYPES or o.term_started_on is None or o.term_started_on > on:
                continue
            key = (o.type, o.sector, o.term_started_on, o.term_extended_to, bool(o.term_extension_approval))
            answer = memo.get(key)
            if answer is None:
                answer = memo[key] = (
                    terms.term_end(o, on),
                    terms.term_rule(o, on) or "org.term_years.branch",
                )
            if answer[0] is not None:
                out.append((o, *answer))
        return out

    return ctx.cached("orgs.terms", compute)


@register("org.term_expiring", "reminder", title=gettext_lazy("Term of office ending soon"))
def term_expiring(ctx: CheckContext):
    months = param("org.term_reminder_months", ctx.on, default=None)
    if months is None:
        return
    message = _("The term of office ends on %(date)s")
    action = _("Send the request for the general election to the superior organization and prepare the election.")
    reminder_from = {}  # by end of term: a city's 11,000 terms end on a few thousand days
    for o, end, basis in _term_orgs(ctx):
        if ctx.on >= end:
            continue
        start = reminder_from.get(end)
        if start is None:
            start = reminder_from[end] = add_months(end, -months)
        if start <= ctx.on:
            last_day = end - datetime.timedelta(days=1)
            yield _finding(
                "org.term_expiring",
                "reminder",
                o,
                message % {"date": last_day.isoformat()},
                _source(ctx, basis),
                action,
                basis,
            )


@register("org.term_expired", "error", title=gettext_lazy("Term of office ended without an election"))
def term_expired(ctx: CheckContext):
    expired = [(o, end, basis) for o, end, basis in _term_orgs(ctx) if ctx.on >= end]
    if not expired:
        return
    # an election recorded after the term's start (e.g. imported while the term field was not updated) counts
    latest: dict[int, datetime.date] = {}
    for org_id, held in (
        Election.objects.filter(org_id__in=[o.pk for o, _end, _basis in expired], kind="regular", held_on__lte=ctx.on)
        .order_by()
        .values_list("org_id", "held_on")
    ):
        if org_id not in latest or held > latest[org_id]:
            latest[org_id] = held
    months = param("org.term_max_extension_months", ctx.on, default=None)
    action = _("Hold the general election now; a postponement needs the superior organization's approval.")
    if months is not None:
        action = _(
            "Hold the general election now; a postponement needs the superior organization's approval (as a "
            "rule at most %(months)d months) and its record."
        ) % {"months": months}
    message = _("The term of office ended on %(date)s and no general election is recorded")
    for o, end, basis in expired:
        held = latest.get(o.pk)
        if held is not None and held > o.term_started_on:
            continue
        last_day = end - datetime.timedelta(days=1)
        yield _finding(
            "org.term_expired",
            "error",
            o,
            message % {"date": last_day.isoformat()},
            _source(ctx, basis),
            action,
            basis,
        )
