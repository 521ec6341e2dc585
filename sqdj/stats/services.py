"""Statistics derived from the records (interfaces.md §3): one function, `compute()`, behind the CLI, the API
and the page, so that the three always give the same object.

Everything is counted in the database: one aggregate query for the members (conditional counts; the age bands
are birth-date ranges whose cut-offs are computed here), one grouped query for the organizations and two for the
community coverage — a constant number of queries whatever the size of the subtree, on SQLite and PostgreSQL
alike. Only what the user may see counts: organizations, members and areas are read through `restrict()`.
"""

from __future__ import annotations

import datetime
import json
from functools import lru_cache, reduce
from operator import or_
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Q, Value
from django.db.models.functions import Substr

from sqdj.areas.choices import AreaType, depths_below
from sqdj.areas.models import Area
from sqdj.core import dates
from sqdj.core.dates import add_years
from sqdj.core.plugins import StatsSection, stats_sections
from sqdj.core.scope import (
    EVERYTHING,
    anchors,
    covers_subtree,
    covers_territory,
    is_unrestricted,
    sees_by_guidance,
    visible,
)
from sqdj.members.choices import (
    CATEGORY_LABELS,
    COLLEGE_OR_ABOVE,
    EDUCATION_LABELS,
    HAN,
    TYPE_LABELS,
    WORK_STATUS_LABELS,
    MemberType,
    Sex,
    Standing,
)
from sqdj.members.models import Member
from sqdj.orgs.choices import SECTOR_LABELS
from sqdj.orgs.choices import TEMPLATE_LABELS as ORG_TYPE_LABELS
from sqdj.orgs.models import Org

# (lowest age, highest age, key): whole years at as_of; the keys are the contract of interfaces.md §3
AGE_BANDS = [
    (None, 30, "30岁及以下"),
    (31, 35, "31至35岁"),
    (36, 40, "36至40岁"),
    (41, 45, "41至45岁"),
    (46, 50, "46至50岁"),
    (51, 55, "51至55岁"),
    (56, 60, "56至60岁"),
    (61, None, "61岁及以上"),
]
NEWORG_KEYS = ("neworgs", "neworgs_with_org", "neworgs_3plus_members_without_org")

# The row headings of the statistics report (xlsx, page tiles). Like the words of the import templates and the
# keys of §3 they are the report's own Chinese words, independent of the UI language.
MEMBER_LABELS = {
    "total": "党员总数",
    "full": TYPE_LABELS[MemberType.FULL],
    "probationary": TYPE_LABELS[MemberType.PROBATIONARY],
    "female": "女党员",
    "ethnic_minority": "少数民族党员",
    "college_or_above": "大专及以上学历党员",
}
ORGANIZATION_TOTAL_LABEL = "党组织总数"
COVERAGE_LABELS = {
    "communities": "社区数",
    "communities_with_org": "已建立党组织的社区数",
    "neworgs": "两新组织数",
    "neworgs_with_org": "已建立党组织的两新组织数",
    "neworgs_3plus_members_without_org": "有3名以上党员但未建立党组织的两新组织数（应建未建）",
}
SECTION_LABELS = {
    "organizations": "党组织",
    "by_type": "党组织类别",
    "by_sector": "党组织所属领域",  # issue 13: orgs by sector
    "members": "党员",
    "by_category": "党员分类",
    "by_work_status": "工作状况",
    "by_age_band": "年龄结构",
    "by_education": "学历结构",
    "coverage": "组织覆盖",
}


def years_before(day: datetime.date, years: int) -> datetime.date | None:
    """The same calendar day `years` earlier (29 February → 28 February); None before year 1.

    Someone born on or before this day is at least `years` old on `day`, matching
    `core.dates.age_on` (a 29 February birthday is reached on 1 March in a common year)."""
    if day.year - years < 1:
        return None
    return add_years(day, -years)


def _at_least(as_of: datetime.date, age: int) -> Q:
    cutoff = years_before(as_of, age)
    return Q(birth_date__lte=cutoff) if cutoff else Q(birth_date__isnull=True)  # nobody (birth_date is required)


def _age_band_q(as_of: datetime.date, low: int | None, high: int | None) -> Q:
    q = Q(birth_date__isnull=False)  # everybody
    if low is not None:
        q &= _at_least(as_of, low)
    if high is not None:
        q &= ~_at_least(as_of, high + 1)
    return q


def _in_subtree(queryset, user, org):
    """What `user` sees of `queryset`, already cut to `org`'s subtree: no scope condition when one of the user's
    anchors holds the whole subtree (the usual case: an admin's statistics of their own org or below), so that
    the database reads the subtree alone rather than the subtree and the scope."""
    return queryset if user is EVERYTHING or covers_subtree(user, "view", org) else queryset.restrict(user, "view")


def _main_member_counts(as_of: datetime.date) -> dict:
    """The main figures of the members (the report's first ones, and the columns of the table per child org)."""
    return {
        "total": Count("pk"),
        "full": Count("pk", filter=Q(member_type=MemberType.FULL, confirmed_on__lte=as_of)),
        "female": Count("pk", filter=Q(sex=Sex.FEMALE)),
        "ethnic_minority": Count("pk", filter=~Q(ethnicity=HAN)),
        "college_or_above": Count("pk", filter=Q(education__in=sorted(COLLEGE_OR_ABOVE))),
    }


def _member_counts(as_of: datetime.date) -> dict:
    counts = _main_member_counts(as_of)
    counts.update({f"category_{c}": Count("pk", filter=Q(category=c)) for c in CATEGORY_LABELS})
    counts.update({f"work_status_{w}": Count("pk", filter=Q(work_status=w)) for w in WORK_STATUS_LABELS})
    counts.update({f"education_{e}": Count("pk", filter=Q(education=e)) for e in EDUCATION_LABELS})
    counts.update(
        {f"age_{i}": Count("pk", filter=_age_band_q(as_of, lo, hi)) for i, (lo, hi, _k) in enumerate(AGE_BANDS)}
    )
    return counts


def _members_query(members, as_of: datetime.date):
    """The one aggregate statement over `members`, as (SQL, parameters, names of the columns)."""
    counts = _member_counts(as_of)
    query = members.order_by().annotate(_all=Value(1)).values("_all").annotate(**counts).values(*counts)
    sql, params = query.query.sql_with_params()
    return sql, params, list(counts)


@lru_cache(maxsize=512)
def _subtree_members_query(path: str, as_of: datetime.date, using: str):
    """`_members_query` of a whole subtree, built once: building the ORM expression of 25 conditional counts costs
    several times what PostgreSQL takes to count a community's members with it."""
    return _members_query(_subtree_members(Member.objects.using(using).all(), path, as_of), as_of)


def _subtree_members(queryset, path: str, as_of: datetime.date):
    # the members of the subtree's orgs by the orgs' ids (one index range on the org path, then each org's
    # members on the covering list index), rather than a join on the path that reads every member
    subtree = Org.objects.filter(path__startswith=path).values("pk")
    return queryset.filter(org__in=subtree, standing=Standing.ACTIVE, joined_on__lte=as_of)


def _members_statement(org, user, as_of: datetime.date):
    if user is EVERYTHING or covers_subtree(user, "view", org):
        return _subtree_members_query(org.path, as_of, Member.objects.db)
    try:
        return _members_query(_subtree_members(Member.objects.restrict(user, "view"), org.path, as_of), as_of)
    except EmptyResultSet:  # a scope of nothing: Django knows without asking the database
        return "", (), list(_member_counts(as_of))


def _members(found: dict | None, names: list[str]) -> dict:
    row = found or dict.fromkeys(names, 0)
    return {
        "total": row["total"],
        "full": row["full"],
        "probationary": row["total"] - row["full"],
        "female": row["female"],
        "ethnic_minority": row["ethnic_minority"],
        "college_or_above": row["college_or_above"],
        "by_category": {label: row[f"category_{c}"] for c, label in CATEGORY_LABELS.items()},  # derived
        "by_work_status": {label: row[f"work_status_{w}"] for w, label in WORK_STATUS_LABELS.items()},
        "by_age_band": {key: row[f"age_{i}"] for i, (_lo, _hi, key) in enumerate(AGE_BANDS)},
        "by_education": {label: row[f"education_{e}"] for e, label in EDUCATION_LABELS.items()},
    }


def _existing_orgs(user, as_of: datetime.date):
    """The organizations `user` may see that exist on `as_of` (no founding date: always existed)."""
    return visible(Org.objects.all(), user).filter(Q(founded_on__isnull=True) | Q(founded_on__lte=as_of)).order_by()


def _organizations_statement(org, user, as_of: datetime.date):
    orgs = _in_subtree(Org.objects.all(), user, org).filter(Q(founded_on__isnull=True) | Q(founded_on__lte=as_of))
    grouped = orgs.filter(path__startswith=org.path).order_by().values("type", "sector").annotate(n=Count("pk"))
    try:
        return grouped.query.sql_with_params()
    except EmptyResultSet:
        return "", ()


def _organizations(grouped: list[dict]) -> dict:
    rows: dict[str, int] = {}
    sectors: dict[str, int] = {}
    for found in grouped:  # one statement for both: by type and by sector (issue 13)
        org_type, sector, n = found["type"], found["sector"], found["n"]
        rows[org_type] = rows.get(org_type, 0) + n
        sectors[sector] = sectors.get(sector, 0) + n
    # one key per type present, in the order of the template's list of types
    by_type = {label: rows[t] for t, label in ORG_TYPE_LABELS.items() if rows.get(t)}
    # every sector, in the order of the import's 所属领域 words (an additive key of interfaces.md §3)
    by_sector = {label: sectors.get(s, 0) for s, label in SECTOR_LABELS.items()}
    return {"total": sum(by_type.values()), "by_type": by_type, "by_sector": by_sector}


def _visible_communities(area, user):
    """(whether the user's territory covers `area`, the community areas under it that the user sees)."""
    areas = Area.objects.all()
    covered = user is EVERYTHING or covers_territory(user, "view", area)
    if not covered:
        areas = visible(areas, user)
    return covered, areas.filter(type=AreaType.COMMUNITY, path__startswith=area.path).order_by()


def _communities_statement(org, user, as_of: datetime.date):
    """One statement: the community areas under the org's area that the user may see, and those where a party
    organization (one the user may see, existing on `as_of`) is located in the community or below it (none
    without an area).

    An org located below a community has that community's path as the prefix of its area's path; the prefix is
    cut at the community's depth — known from the area types' rules (areas.choices.depths_below: a community sits
    one level below a subdistrict), so no query asks for it first — and the test is a semi-join on the path index
    rather than a LIKE per community."""
    if org.area_id is None:
        return "", ()
    area = org.area
    depths = tuple(sorted(area.depth + k for k in depths_below(area.type, AreaType.COMMUNITY)))
    if not depths:
        return "", ()
    covered, communities = _visible_communities(area, user)
    scope = (
        "all"
        if user is EVERYTHING or is_unrestricted(user)
        else tuple(
            (anchor.pk, anchor.path, anchor.area_id, anchor.area.path if anchor.area_id else "", below)
            for anchor, below in anchors(user, "view")
        )
    )
    key = (area.path, covered, depths, as_of, scope, Area.objects.db)
    if key not in _COVERAGE_SQL:
        if len(_COVERAGE_SQL) > 512:
            _COVERAGE_SQL.clear()
        _COVERAGE_SQL[key] = _coverage_query(communities, area, depths, user, as_of)
    return _COVERAGE_SQL[key]


def _communities(found: dict | None) -> dict:
    return {"communities": (found or {}).get("total") or 0, "communities_with_org": (found or {}).get("with_org") or 0}


# the statement counting the communities with an org, by everything it depends on (the ids and paths in it: an
# org that moves has a new path, hence a new key): building it through the ORM costs more than running it
_COVERAGE_SQL: dict[tuple, tuple[str, tuple]] = {}


def _coverage_query(communities, area, depths, user, as_of):
    located_orgs = _existing_orgs(user, as_of).filter(area__path__startswith=area.path)
    has_org = reduce(
        or_,
        (
            Q(
                depth=depth,
                path__in=located_orgs.filter(area__depth__gte=depth)
                .annotate(prefix=Substr("area__path", 1, depth * Area.steplen))
                .values("prefix"),
            )
            for depth in depths
        ),
    )
    for counts in (
        {"total": Count("pk"), "with_org": Count("pk", filter=has_org)},
        {"total": Count("pk"), "with_org": Value(0)},  # no org visible: Django knows the filter matches nothing
    ):
        query = communities.annotate(_all=Value(1)).values("_all").annotate(**counts).values(*counts)
        try:
            return query.query.sql_with_params()
        except EmptyResultSet:
            continue
    return "", ()  # no community visible either


def _sections(org, user, as_of: datetime.date) -> list[tuple[StatsSection, list]]:
    """The apps' sections (core.plugins.StatsSection: the units' 两新 coverage and key `units`, the volunteers' key
    `volunteers` …) with their statements, to be read with the main ones."""
    return [(section, section.statements(org, user=user, as_of=as_of)) for section in stats_sections()]


def _merge_sections(stats: dict, sections: list[tuple[StatsSection, list]], rows: list, as_of) -> dict:
    """Each section's figures from its rows, merged into `stats` (a dict under a key present already is merged)."""
    i = 0
    for section, statements in sections:
        found = rows[i : i + len(statements)]
        i += len(statements)
        for key, value in section.figures(found, as_of=as_of).items():
            if isinstance(value, dict) and isinstance(stats.get(key), dict):
                stats[key].update(value)
            else:
                stats[key] = value
    return stats


def compute(org, *, user, as_of: datetime.date | None = None) -> dict:
    """The statistics of interfaces.md §3 for `org` and all its descendants, as `user` may see them, on `as_of`
    (default today).

    The caller has found `org` among the organizations `user` may see. `user` None sees nothing (as
    `restrict()`); `EVERYTHING` counts everything (the shell without --user)."""
    as_of = as_of or dates.today()
    user = counting_user(org, user)
    members_sql, members_params, names = _members_statement(org, user, as_of)
    sections = _sections(org, user, as_of)
    grouped, found, communities, *section_rows = read_together(
        Member.objects.db,
        [
            (*_organizations_statement(org, user, as_of), True),
            (members_sql, members_params, False),
            (*_communities_statement(org, user, as_of), False),
            *(statement for _section, statements in sections for statement in statements),
        ],
    )
    stats = {
        "org": {"code": org.code, "name": org.name},
        "as_of": as_of.isoformat(),
        "organizations": _organizations(grouped),
        "members": _members(found, names),
        # the 两新 counts are zeros until an app (units) adds them
        "coverage": {**_communities(communities), **dict.fromkeys(NEWORG_KEYS, 0)},
    }
    return _merge_sections(stats, sections, section_rows, as_of)


def counting_user(org, user):
    """Whom `org`'s figures are counted for: an org seen only through a guidance link is counted whole, as its org
    page shows it (core.scope.sees_by_guidance, members.panels) — the guiding org's admins see the guided org's
    figures, not its members (the statistics page then links no member list)."""
    if user is None or user is EVERYTHING:
        return user
    return EVERYTHING if sees_by_guidance(user, org) else user


# ---- the table per child org (issue 14): one row per direct subordinate, one for the org's own ------------------

CHILD_FIGURES = ("organizations", "total", "full", "probationary", "female", "ethnic_minority", "college_or_above")
# the table's own words (like the report's headings): the rows that are not a child org
OWN_ROW_LABEL = "本级直属"
OTHER_ROW_LABEL = "其他"
TOTAL_ROW_LABEL = "合计"
CHILD_HEADING = "下级党组织"


def _statement(query) -> tuple[str, Any]:
    try:
        return query.query.sql_with_params()
    except EmptyResultSet:  # a scope of nothing: Django knows without asking the database
        return "", ()


def children_table(org, *, user, as_of: datetime.date | None = None) -> dict:
    """The main figures of `org` split by its direct subordinates: `rows` (each child org the user may see, in
    tree order, then the org's own — what it holds itself — and, should a figure hang under a child the user may
    not see, one `other` row), and `total`, their sum, which equals `compute()`'s figures.

    Three statements whatever the number of children (the children; the organizations and the members grouped
    by the child their path starts with), read in one round trip on PostgreSQL (read_together)."""
    as_of = as_of or dates.today()
    user = counting_user(org, user)
    cut = (org.depth + 1) * Org.steplen  # a path cut here is the child's (or, shorter, the org's own)
    existing = Q(founded_on__isnull=True) | Q(founded_on__lte=as_of)
    orgs = _in_subtree(Org.objects.all(), user, org).filter(path__startswith=org.path).order_by()
    kids = orgs.filter(depth=org.depth + 1).order_by("path").values("path", "code", "name")
    org_rows = orgs.filter(existing).annotate(child=Substr("path", 1, cut)).values("child").annotate(n=Count("pk"))
    counts = _main_member_counts(as_of)
    members = _subtree_members(_in_subtree(Member.objects.all(), user, org), org.path, as_of).order_by()
    member_rows = members.annotate(child=Substr("org__path", 1, cut)).values("child").annotate(**counts)
    children, by_org, by_members = read_together(
        Member.objects.db,
        [
            (*_statement(kids), True),
            (*_statement(org_rows.values("child", "n")), True),
            (*_statement(member_rows.values("child", *counts)), True),
        ],
    )
    figures: dict[str, dict] = {}
    for found in by_org:
        figures.setdefault(found["child"], {})["organizations"] = found["n"]
    for found in by_members:
        figures.setdefault(found["child"], {}).update({k: found[k] for k in counts})

    def row(kind: str, code: str | None, name: str, found: dict) -> dict:
        values = {k: found.get(k) or 0 for k in CHILD_FIGURES}
        values["probationary"] = values["total"] - values["full"]
        return {"kind": kind, "code": code, "name": name, "figures": values}

    rows = [row("child", kid["code"], kid["name"], figures.pop(kid["path"], {})) for kid in children]
    rows.append(row("own", org.code, OWN_ROW_LABEL, figures.pop(org.path, {})))
    if figures:  # under a child the user may not see (a scope of a grandchild, say): counted, not named
        rest: dict[str, int] = {}
        for found in figures.values():
            for k, v in found.items():
                rest[k] = rest.get(k, 0) + (v or 0)
        rows.append(row("other", None, OTHER_ROW_LABEL, rest))
    total = {k: sum(r["figures"][k] for r in rows) for k in CHILD_FIGURES}
    return {"rows": rows, "total": total}


def table_shown(children: dict) -> dict | None:
    """The table as the page, the workbook and the PDF show it: none for an org without subordinates (its own row
    would only repeat the figures)."""
    return children if any(row["kind"] == "child" for row in children["rows"]) else None


def child_figure_labels() -> dict[str, str]:
    """The table's column headings, by figure."""
    return {"organizations": ORGANIZATION_TOTAL_LABEL, **{k: MEMBER_LABELS[k] for k in CHILD_FIGURES[1:]}}


def read_together(db: str, statements: list[tuple[str, Any, bool]]) -> list:
    """Each statement's rows (as dicts; `many` False: its one row or None; an empty statement: nothing), read in
    one round trip on PostgreSQL — each a subquery turned into JSON — and one by one elsewhere. A community's
    figures cost their round trips more than their reading: four statements of a millisecond each took twice
    the one hand-written statement of bench/city.py."""
    present = [(i, sql, params, many) for i, (sql, params, many) in enumerate(statements) if sql]
    out: list = [[] if many else None for _sql, _params, many in statements]
    connection = connections[db]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(present) > 1:
            parts, values = [], []
            for _i, sql, params, many in present:
                parts.append(
                    f"(SELECT coalesce(json_agg(t), '[]'::json) FROM ({sql}) t)"
                    if many
                    else f"(SELECT row_to_json(t) FROM ({sql}) t)"
                )
                values += list(params)
            cursor.execute("SELECT " + ", ".join(parts), values)
            for (i, *_rest), value in zip(present, cursor.fetchone(), strict=True):
                out[i] = json.loads(value) if isinstance(value, str) else value
            return out
        for i, sql, params, many in present:
            cursor.execute(sql, params)
            names = [c[0] for c in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            out[i] = rows if many else (rows[0] if rows else None)
    return out
