"""The units' figures of the statistics (interfaces.md §3): `coverage.neworgs*` and the additive key `units`.

Both come from one aggregate query over the units located under the org's area (an org without an area: the units
whose party org is in its subtree) that exist on `as_of`, as the user may see them (`user` may be
`core.scope.EVERYTHING`, or None: nothing). No scope condition is added when the user's territory holds the whole
area (the usual case), so the database reads the area's units alone."""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Q, Value

from sqdj.areas.models import Area
from sqdj.core.plugins import StatsSection
from sqdj.core.querysets import InList
from sqdj.core.rules import param
from sqdj.core.scope import EVERYTHING, covers_subtree, covers_territory, visible

from . import coverage
from .choices import CATEGORY_LABELS, NEWORG_CATEGORIES
from .models import Unit

NEWORG_KEYS = ("neworgs", "neworgs_with_org", "neworgs_3plus_members_without_org")


def _where(by_area: bool, path: str) -> Q:
    """The units counted for an org: located under its area (`path`: the area's), or held by an org of its subtree
    (`path`: the org's, for an org without an area)."""
    if by_area:
        # the area's units along the (area, category) index: its areas first, as an array (a join on the path
        # would hash all of a city's 200,000 units against a district's areas)
        return Q(InList("area_id", Area.objects.filter(path__startswith=path).values("pk")))
    return Q(org__path__startswith=path)


def _covered(org, user) -> bool:
    """Whether `user` sees every unit counted for `org` (then no scope condition is needed)."""
    if user is EVERYTHING:
        return True
    if user is None:
        return False
    return covers_territory(user, "view", org.area) if org.area_id else covers_subtree(user, "view", org)


def _query(units, as_of: datetime.date) -> tuple[str, tuple]:
    aggregates = _aggregates(as_of)
    units = coverage.annotate_work(units.filter(coverage.existing_on(as_of)), as_of).order_by()
    query = units.annotate(_all=Value(1)).values("_all").annotate(**aggregates).values(*aggregates)
    try:
        return query.query.sql_with_params()
    except EmptyResultSet:  # a scope of nothing: Django knows without asking the database
        return "", ()


@lru_cache(maxsize=512)
def _whole_query(by_area: bool, path: str, as_of: datetime.date, threshold, using: str) -> tuple[str, tuple]:
    """`_query` of all the units counted for an org, built once per territory, day and rulebook figure: building
    the ORM expression costs more than PostgreSQL takes to count a community's units with it."""
    return _query(Unit.objects.using(using).filter(_where(by_area, path)), as_of)


def _aggregates(as_of: datetime.date) -> dict:
    """The counts of the one statement. `neworgs_3plus_members_without_org` (应建未建): a 两新组织 with 党员人数 ≥
    `org.min_full_members` (the rulebook's figure on `as_of`, the same 3 as §3's definition) and no party org."""
    threshold = param("org.min_full_members", as_of, default=None)
    neworg = Q(category__in=NEWORG_CATEGORIES)
    aggregates = {
        "total": Count("pk"),
        "org_coverage": Count("pk", filter=coverage.has_org()),
        "work_coverage": Count("pk", filter=Q(_work=True)),
        "neworgs": Count("pk", filter=neworg),
        "neworgs_with_org": Count("pk", filter=neworg & coverage.has_org()),
        **{f"category_{c}": Count("pk", filter=Q(category=c)) for c in CATEGORY_LABELS},
    }
    if threshold is not None:  # before the earliest encoded version nobody is judged (then 0)
        aggregates["neworgs_3plus_members_without_org"] = Count(
            "pk", filter=neworg & Q(org__isnull=True, party_members__gte=threshold)
        )
    return aggregates


def statement(org, *, user, as_of: datetime.date) -> tuple[str, tuple]:
    """The one aggregate statement of `figures` as (SQL, parameters), one row; ("", ()) when the user sees
    nothing — so that stats.services reads it in the same round trip as its own (read_together)."""
    by_area = bool(org.area_id)
    path = org.area.path if by_area else org.path
    if _covered(org, user):
        threshold = param("org.min_full_members", as_of, default=None)
        return _whole_query(by_area, path, as_of, threshold, Unit.objects.db)
    return _query(visible(Unit.objects.all(), user).filter(_where(by_area, path)), as_of)


def figures_of(found: dict | None) -> dict:
    """{"coverage": the three counts of `NEWORG_KEYS`, "units": the additive key of §3} from the statement's row."""
    found = found or {}
    return {
        "coverage": {key: found.get(key) or 0 for key in NEWORG_KEYS},
        "units": {
            "total": found.get("total") or 0,
            "by_category": {label: found.get(f"category_{c}") or 0 for c, label in CATEGORY_LABELS.items()},
            "org_coverage": found.get("org_coverage") or 0,
            "work_coverage": found.get("work_coverage") or 0,
        },
    }


def figures(org, *, user, as_of: datetime.date) -> dict:
    """`figures_of` the statement, read on its own."""
    sql, params = statement(org, user=user, as_of=as_of)
    if not sql:
        return figures_of(None)
    with connections[Unit.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        row = cursor.fetchone()
    return figures_of(dict(zip(names, row, strict=True)) if row else None)


def neworg_coverage(org, *, user, as_of) -> dict:
    """The three counts of §3's `coverage.neworgs*`."""
    return figures(org, user=user, as_of=as_of)["coverage"]


def units_summary(org, *, user, as_of) -> dict:
    """§3's additive key `units`: the units counted, by 单位类别 (every word of the template), with coverage."""
    return figures(org, user=user, as_of=as_of)["units"]


def _statements(org, *, user, as_of: datetime.date) -> list[tuple[str, tuple, bool]]:
    return [(*statement(org, user=user, as_of=as_of), False)]


def _figures(rows: list, *, as_of: datetime.date) -> dict:
    return figures_of(rows[0])


# the statistics' 两新 coverage (`coverage.neworgs*`) and the additive key `units` (core.plugins.StatsSection)
sections = [StatsSection("units", statements=_statements, figures=_figures, order=10)]
