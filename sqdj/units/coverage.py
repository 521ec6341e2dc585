"""Coverage of the units, computed, never typed (glossary, "Co-building"): 党的组织覆盖 (`org_coverage`) = the unit has
a party org, its own or the 联合党支部 it belongs to; 工作覆盖 (`work_coverage`) = an instructor or liaison is
assigned on the day. Only the units that exist on the day count.

One grouped query gives every table of an org's territory (by category, by industry section, by head-count band,
by child area): the rows are grouped by the four keys at once and summed here, so the work in the database is one
pass over the territory whatever its size, and the number of queries is constant."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from sqdj.areas.models import Area
from sqdj.core.scope import visible

from .choices import EMPLOYEE_BANDS, ENDED_STATUSES, NEWORG_CATEGORIES, Industry, UnitCategory
from .models import Instructor, Unit

FIGURES = ("total", "org_coverage", "work_coverage", "neither")
NOT_RECORDED = _("Not recorded")
OWN_AREA = _("Located in the area itself")
ELSEWHERE = _("Elsewhere or not visible")


def existing_on(day: datetime.date) -> Q:
    """The units that exist on `day`: registered by then (or no date known) and not yet ended. A unit in an ended
    state (注销, 迁出 …) with no end date recorded is gone whatever the day: the date is unknown, not the fact."""
    return (
        (Q(registered_on__isnull=True) | Q(registered_on__lte=day))
        & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        & ~Q(status__in=ENDED_STATUSES, ended_on__isnull=True)
    )


def has_org() -> Q:
    return Q(org__isnull=False)


def assigned_now() -> Exists:
    """An assignment with no end recorded: the lists' badge (a queryset declared once, with no day in it; ends are
    recorded as they happen, so this is today's 工作覆盖 but for an assignment entered ahead of its start)."""
    return Exists(Instructor.objects.filter(unit=OuterRef("pk"), ended_on__isnull=True))


def has_instructor(day: datetime.date) -> Exists:
    """An instructor or liaison assigned on `day` (an assignment ending on `day` no longer covers it)."""
    return Exists(
        Instructor.objects.filter(unit=OuterRef("pk"), started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )
    )


def counts(day: datetime.date) -> dict:
    """The conditional counts of `FIGURES` over a queryset of units (annotated by `annotate_work`)."""
    return {
        "total": Count("pk"),
        "org_coverage": Count("pk", filter=has_org()),
        "work_coverage": Count("pk", filter=Q(_work=True)),
        "neither": Count("pk", filter=Q(org__isnull=True, _work=False)),
    }


def annotate_work(units, day: datetime.date):
    return units.annotate(_work=has_instructor(day))


def band_case() -> Case:
    """The index of the unit's head-count band in `choices.EMPLOYEE_BANDS` (从业人员数)."""
    whens = [When(employees__lte=high, then=Value(i)) for i, (_low, high, _label) in enumerate(EMPLOYEE_BANDS) if high]
    return Case(*whens, default=Value(len(EMPLOYEE_BANDS) - 1), output_field=IntegerField())


def territory(org, user, *, area=None):
    """The units of `org`'s territory as `user` may see them (`core.scope.visible`: `EVERYTHING` sees all, None
    nothing): those located in its area's subtree, and those whose party org is in its subtree; narrowed to
    `area` (a part of the territory: a community of a subdistrict), the units located there."""
    units = visible(Unit.objects.all(), user)
    if area is not None:
        return units.filter(area__path__startswith=area.path)
    where = Q(org__path__startswith=org.path)
    if org.area_id:
        where |= Q(area__path__startswith=org.area.path)
    return units.filter(where)


@dataclass
class Row:
    key: str
    label: Any
    figures: dict = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))
    filters: dict | None = None  # the unit list's filters selecting the row's units (None: no list for it)
    area: Any = None  # a child area (drill-down)

    def add(self, found: dict) -> None:
        for k in FIGURES:
            self.figures[k] += found[k] or 0


@dataclass
class CoverageTables:
    org: object
    area: object  # the area the tables are for (the org's, or a part of it), or None
    day: datetime.date
    total: Row
    neworgs: Row
    by_category: list[Row]
    by_industry: list[Row]
    by_band: list[Row]
    by_area: list[Row]


def tables(org, user, day: datetime.date, *, area=None) -> CoverageTables:
    """Every table of the coverage page for `org`'s territory (or its part `area`), as `user` sees it on `day`:
    two queries (the grouped counts, the child areas)."""
    base = area or (org.area if org.area_id else None)
    units = annotate_work(territory(org, user, area=area).filter(existing_on(day)), day).order_by()
    keys = {"band": band_case()}
    if base is not None:
        keys["child"] = Substr("area__path", 1, (base.depth + 1) * Area.steplen)
    grouped = units.annotate(**keys).values("category", "industry", *keys).annotate(**counts(day))
    total = Row("total", _("All units"), filters={})
    neworgs = Row("neworgs", _("New economic and social organizations"), filters={"neworg": "true"})
    categories = {c: Row(c, label, filters={"category": c}) for c, label in UnitCategory.choices}
    industries = {i: Row(i, label, filters={"industry": i}) for i, label in Industry.choices}
    industries[""] = Row("", NOT_RECORDED)
    bands = [Row(str(i), label) for i, (_lo, _hi, label) in enumerate(EMPLOYEE_BANDS)]
    children: dict[str, Row] = {}
    if base is not None:
        kids = visible(Area.objects.all(), user).filter(path__startswith=base.path, depth=base.depth + 1)
        for kid in kids.order_by("path"):
            children[kid.path] = Row(kid.code, kid.name, filters={"area": kid.code}, area=kid)
    own = Row("own", OWN_AREA, filters=None)
    elsewhere = Row("elsewhere", ELSEWHERE)
    for found in grouped:
        total.add(found)
        if found["category"] in NEWORG_CATEGORIES:
            neworgs.add(found)
        categories[found["category"]].add(found)
        industries[found["industry"]].add(found)
        bands[found["band"]].add(found)
        if base is not None:
            child = found["child"]
            (children.get(child) or (own if child == base.path else elsewhere)).add(found)
    by_area = list(children.values())
    for extra in (own, elsewhere):
        if extra.figures["total"]:
            by_area.append(extra)
    return CoverageTables(
        org=org,
        area=area,
        day=day,
        total=total,
        neworgs=neworgs,
        by_category=list(categories.values()),
        by_industry=[r for r in industries.values() if r.figures["total"]],
        by_band=bands,
        by_area=by_area if children else [],  # no child area: nothing to split (an own row would repeat the total)
    )
