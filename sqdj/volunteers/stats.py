"""The volunteers' figures of the statistics (interfaces.md §3, the additive key `volunteers`), declared as a
`core.plugins.StatsSection`: 报到 on the unit side (the in-service members of the org's subtree, and how many of them
are registered with a community), 报到 on the community side (registrations with the communities of the org's
territory, 单位报到), and the verified service hours of the territory in the year of `as_of` (total, by month, how
many members served). Three aggregate statements, read with the others in one round trip (stats.read_together),
each through the scope gate (`core.scope.visible`), with no scope condition where the user holds the whole subtree
or territory (the usual case: the city's hours are then one indexed aggregate)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum, Value
from django.urls import reverse
from django.utils.http import urlencode

from sqdj.areas.models import Area
from sqdj.core.dates import add_months
from sqdj.core.plugins import StatsSection
from sqdj.core.querysets import CompiledStatements, InList, sql_of
from sqdj.core.scope import EVERYTHING, covers_subtree, covers_territory, visible
from sqdj.members.choices import Category, Standing
from sqdj.members.models import Member, Registration

from .choices import HoursState
from .models import ServiceHours, UnitRegistration

# the section's row headings (the report's own words, as stats.services' labels)
LABELS = {
    "in_service": "在职党员",
    "registered": "已到社区报到",
    "registration_rate": "报到率（%）",
    "registrations_here": "在本辖区社区报到的在职党员",
    "unit_registrations": "在本辖区社区报到的单位党组织",
    "active": "参加志愿服务的党员（本年）",
    "records": "志愿服务记录（本年，已审核）",
    "hours": "志愿服务时长（本年，小时）",
}
HEADING = "在职党员报到与志愿服务"


def _seen(queryset, user):
    """What `user` may see of `queryset` (EVERYTHING: all of it — the operator, or a user holding the whole subtree
    or territory, for whom the statement needs no scope condition; no user: nothing)."""
    return queryset if user is EVERYTHING else visible(queryset, user) if user else queryset.none()


def _unit_side(org, user, as_of):
    """The in-service members of the org's subtree on the roll on `as_of` (as the member list's `as_of`: in good
    standing, joined by then) and those of them registered with a community on that day."""
    if user is EVERYTHING or covers_subtree(user, "view", org):
        return _UNIT_SIDE(("unit",), org_path=org.path, as_of=as_of)
    return _unit_side_sql(org_path=org.path, as_of=as_of, user=user)


def _unit_side_sql(*, org_path: str, as_of: datetime.date, user=EVERYTHING):
    members = Member.objects.filter(org__path__startswith=org_path, category=Category.EMPLOYED,
                                    standing=Standing.ACTIVE, joined_on__lte=as_of)  # fmt: skip
    members = _seen(members, user)
    registered = Exists(Registration.objects.filter(Registration.standing_q(as_of), member=OuterRef("pk")))
    query = members.order_by().annotate(_all=Value(1)).values("_all")
    return sql_of(query.annotate(in_service=Count("pk"), registered=Count("pk", filter=registered))
                .values("in_service", "registered"))  # fmt: skip


def _territory(area_path: str):
    return Q(InList("community_id", Area.objects.filter(path__startswith=area_path).values("pk")))


def _community_side(org, user, as_of):
    """Registrations with the communities of the org's territory standing on `as_of`, and 单位报到 there."""
    if user is EVERYTHING or covers_territory(user, "view", org.area):
        return _COMMUNITY_SIDE(("community",), area_path=org.area.path, as_of=as_of)
    return _community_side_sql(area_path=org.area.path, as_of=as_of, user=user)


def _community_side_sql(*, area_path: str, as_of: datetime.date, user=EVERYTHING):
    regs = _seen(Registration.objects.filter(_territory(area_path), Registration.standing_q(as_of)), user)
    units = _seen(UnitRegistration.objects.filter(_territory(area_path), Registration.standing_q(as_of)), user)
    query = regs.order_by().annotate(_all=Value(1)).values("_all")
    sql, params = sql_of(
        query.annotate(registrations_here=Count("member_id", distinct=True)).values("registrations_here")
    )
    units_sql, units_params = sql_of(units.order_by().values("pk"))
    if not sql:
        return "", ()
    if not units_sql:
        return sql, params
    # one row: the units' count as a scalar subquery beside the members'
    return (f"SELECT t.registrations_here, (SELECT count(*) FROM ({units_sql}) u) AS unit_registrations "
            f"FROM ({sql}) t", (*units_params, *params))  # fmt: skip


def _hours(org, user, as_of):
    """The verified hours of the territory's communities from 1 January of `as_of`'s year to `as_of`, by month: read
    along the index of verified records by day (volunteers_hours_verified, with the hours and the member in it), the
    territory's communities as a subquery (a hash of a city's areas, not a probe per community), each month a range
    of days (no date arithmetic per row)."""
    year_start = as_of.replace(month=1, day=1)
    # every day the statement holds, given (the compiled statement derives nothing): the months' first days, and
    # the day after each month but the last (the last month ends with as_of, as every record counted, and December
    # of the year 9999 has no next month)
    days = {f"m{m:02d}": year_start.replace(month=m) for m in range(1, as_of.month + 1)}
    days |= {f"u{m:02d}": add_months(year_start.replace(month=m), 1) for m in range(1, as_of.month)}
    if user is EVERYTHING or covers_territory(user, "view", org.area):
        return _HOURS(("hours", as_of.month), area_path=org.area.path, as_of=as_of, **days)
    return _hours_sql(area_path=org.area.path, as_of=as_of, user=user, **days)


def _hours_sql(*, area_path: str, as_of: datetime.date, user=EVERYTHING, **days):
    communities = Area.objects.filter(path__startswith=area_path).values("pk")
    records = ServiceHours.objects.filter(
        community_id__in=communities, state=HoursState.VERIFIED, served_on__gte=days["m01"], served_on__lte=as_of
    )
    records = _seen(records, user)
    months = {}
    for key in sorted(k for k in days if k.startswith("m")):  # the months given (never as_of's own month number)
        end = days.get(f"u{key[1:]}")
        until = Q(served_on__lt=end) if end is not None else Q()
        months[key] = Sum("hours", filter=Q(served_on__gte=days[key]) & until)
    query = (
        records.order_by()
        .annotate(_all=Value(1))
        .values("_all")
        .annotate(records=Count("*"), total_hours=Sum("hours"), active=Count("member_id", distinct=True), **months)
    )
    return sql_of(query.values("records", "total_hours", "active", *months))


# the statements of a user who holds the whole subtree or territory (no scope condition): compiled once per shape
_UNIT_SIDE = CompiledStatements(_unit_side_sql)
_COMMUNITY_SIDE = CompiledStatements(_community_side_sql)
_HOURS = CompiledStatements(_hours_sql)


def statements(org, *, user, as_of: datetime.date) -> list[tuple[str, tuple, bool]]:
    placed = org.area_id is not None
    return [
        (*_unit_side(org, user, as_of), False),
        (*(_community_side(org, user, as_of) if placed else ("", ())), False),
        (*(_hours(org, user, as_of) if placed else ("", ())), False),
    ]


def _number(value) -> float:
    return float(Decimal(str(value or 0)).quantize(Decimal("0.1")))


def figures(rows: list, *, as_of: datetime.date) -> dict:
    unit, community, hours = (row or {} for row in rows)
    in_service, registered = unit.get("in_service") or 0, unit.get("registered") or 0
    by_month = {f"{as_of.year}-{m:02d}": _number(hours.get(f"m{m:02d}")) for m in range(1, as_of.month + 1)}
    return {
        "volunteers": {
            "in_service": in_service,
            "registered": registered,
            "registration_rate": round(100 * registered / in_service, 1) if in_service else 0.0,
            "registrations_here": community.get("registrations_here") or 0,
            "unit_registrations": community.get("unit_registrations") or 0,
            "active": hours.get("active") or 0,
            "records": hours.get("records") or 0,
            "hours": _number(hours.get("total_hours")),
            "hours_by_month": by_month,
        }
    }


def report(stats: dict) -> list[tuple[str, str, list[tuple[str, object]]]]:
    found = stats.get("volunteers")
    if found is None:
        return []
    rows = [(LABELS[key], found[key]) for key in LABELS]
    months = [(f"{month}", value) for month, value in found["hours_by_month"].items()]
    return [("volunteers", HEADING, rows), ("volunteers_by_month", "志愿服务时长（按月，小时）", months)]


def _url(name: str, params: dict) -> str:
    return f"{reverse(name)}?{urlencode(params, doseq=True)}"


# figures that are no row count of a list: a rate, and members counted across their records
UNLISTED = ("registration_rate", "active")


def links(org, as_of: datetime.date) -> dict[str, dict[str, str]]:
    """The lists behind the figures, with the filters that select exactly the rows counted (the hours: the records
    whose hours they sum)."""
    day = as_of.isoformat()
    members = {"org": org.code, "descendants": "true", "as_of": day, "category": Category.EMPLOYED}
    found = {
        LABELS["in_service"]: _url("members:member_list", members),
        LABELS["registered"]: _url("members:member_list", {**members, "registered": "true"}),
    }
    if org.area_id is None:
        return {"volunteers": found}
    area = org.area.code
    found[LABELS["registrations_here"]] = _url("members:registration_list", {"area": area, "on": day})
    found[LABELS["unit_registrations"]] = _url("volunteers:unitregistration_list", {"area": area, "on": day})
    verified = {"area": area, "state": HoursState.VERIFIED, "served_to": day}
    first = as_of.replace(month=1, day=1).isoformat()
    year = _url("volunteers:servicehours_list", {**verified, "served_from": first})
    found[LABELS["records"]] = found[LABELS["hours"]] = year
    months = {
        f"{as_of.year}-{m:02d}": _url("volunteers:servicehours_list", {**verified, "month": f"{as_of.year}-{m:02d}"})
        for m in range(1, as_of.month + 1)
    }
    return {"volunteers": found, "volunteers_by_month": months}


sections = [StatsSection("volunteers", statements=statements, figures=figures, report=report, links=links, order=20)]
