"""The 12345 work orders' figures of the statistics (interfaces.md §3, the additive key `workorders`), declared as a
`core.plugins.StatsSection`: the orders placed in the org's territory — plus, for a subdistrict (or above), those
dispatched to it and still waiting to be placed (their request's area is the subdistrict itself) — received up to
`as_of`; how many were answered within the rulebook's hours, resolved, resolved by the platform's time limit, rated
and rated 满意 or 基本满意. One aggregate statement, read with the others in one round trip; the rates (响应率, 解决率,
按时办结率, 满意率) are the report's rows. Figures per place, never a ranking of people."""

from __future__ import annotations

import datetime

from django.db.models import Count, Value
from django.urls import reverse
from django.utils.http import urlencode

from sqdj.core.plugins import StatsSection
from sqdj.core.querysets import sql_of
from sqdj.core.scope import EVERYTHING, covers_territory, visible

from .households import helped_on_q
from .models import Household, Request, WorkOrder
from .requests import figure_qs as request_figure_qs
from .requests import received_until
from .workorders import figure_qs

COUNTED = ("unplaced", "responded_in_time", "resolved", "resolved_on_time", "rated", "satisfied")
KEYS = ("total", *COUNTED)
# the report's row headings (the report's own words, as stats.services' labels)
LABELS = {
    "total": "12345工单",
    "unplaced": "待分派工单",
    "responded_in_time": "按时响应",
    "resolved": "已办结",
    "resolved_on_time": "按时办结",
    "rated": "已回访评价",
    "satisfied": "满意（含基本满意）",
}
RATES = {  # rate → (numerator, denominator)
    "响应率（%）": ("responded_in_time", "total"),
    "解决率（%）": ("resolved", "total"),
    "按时办结率（%）": ("resolved_on_time", "resolved"),
    "满意率（%）": ("satisfied", "rated"),
}
HEADING = "12345接诉即办"


def orders(org, user, as_of: datetime.date):
    """The orders counted for `org` as `user` sees them (the figures and the lists behind them alike)."""
    qs = WorkOrder.objects.filter(request__area__path__startswith=org.area.path).filter(received_until(as_of))
    covered = user is EVERYTHING or covers_territory(user, "view", org.area)
    return qs if covered else visible(qs, user) if user else qs.none()


def statements(org, *, user, as_of: datetime.date) -> list[tuple[str, tuple, bool]]:
    if org.area_id is None:
        return [("", (), False)]
    conditions = figure_qs(as_of)
    query = orders(org, user, as_of).order_by().annotate(_all=Value(1)).values("_all")
    counts = {"total": Count("pk"), **{k: Count("pk", filter=conditions[k]) for k in COUNTED}}
    return [(*sql_of(query.annotate(**counts).values(*KEYS)), False)]


def figures(rows: list, *, as_of: datetime.date) -> dict:
    row = rows[0] if rows else None
    return {"workorders": {k: int((row or {}).get(k) or 0) for k in KEYS}}


def rate(found: dict, numerator: str, denominator: str) -> float:
    return round(100 * found[numerator] / found[denominator], 1) if found[denominator] else 0.0


def report(stats: dict) -> list[tuple[str, str, list[tuple[str, object]]]]:
    found = stats.get("workorders")
    if found is None:
        return []
    rows = [(LABELS[k], found[k]) for k in KEYS]
    rows += [(label, rate(found, num, den)) for label, (num, den) in RATES.items()]
    return [("workorders", HEADING, rows)]


def links(org, as_of: datetime.date, *_args) -> dict[str, dict[str, str]]:
    """The work order lists behind the counts, filtered as counted (`figure` selects one of them)."""
    if org.area_id is None:
        return {}
    base = {"area": org.area.code, "received_to": as_of.isoformat()}
    url = reverse("services:workorder_list")
    found = {LABELS["total"]: f"{url}?{urlencode(base)}"}
    for key in COUNTED:
        found[LABELS[key]] = f"{url}?{urlencode({**base, 'figure': key})}"
    return {"workorders": found}


sections = [StatsSection("workorders", statements=statements, figures=figures, report=report, links=links, order=40)]


# ---- the requests' figures (issue 17 item 7; the additive key `requests`) ------------------------------------------
# The requests (kind `request`) of the org's territory received up to `as_of`, as `orders()` counts them: how many
# were closed by then, closed by their due time, rated, rated 满意 or 基本满意; the wishes fulfilled by then; and the
# households of the territory being helped on `as_of` — one statement (the households a scalar subquery beside it).

REQUEST_KEYS = ("total", "closed", "closed_on_time", "satisfied", "rated", "wishes_fulfilled", "households_helped")
REQUEST_LABELS = {
    "total": "群众诉求",
    "closed": "已办结诉求",
    "closed_on_time": "按时办结诉求",
    "satisfied": "满意（含基本满意）",
    "rated": "已评价诉求",
    "wishes_fulfilled": "已实现微心愿",
    "households_helped": "在帮扶困难家庭",
}
REQUEST_HEADING = "服务群众"


def _territory_rows(queryset, org, user):
    covered = user is EVERYTHING or covers_territory(user, "view", org.area)
    return queryset if covered else visible(queryset, user) if user else queryset.none()


def request_statements(org, *, user, as_of: datetime.date) -> list[tuple[str, tuple, bool]]:
    if org.area_id is None:
        return [("", (), False)]
    conditions = request_figure_qs(as_of)
    rows = _territory_rows(Request.objects.filter(area__path__startswith=org.area.path), org, user)
    query = rows.filter(received_until(as_of)).order_by().annotate(_all=Value(1)).values("_all")
    sql, params = sql_of(query.annotate(**{k: Count("pk", filter=conditions[k]) for k in REQUEST_KEYS[:-1]})
                         .values(*REQUEST_KEYS[:-1]))  # fmt: skip
    households = Household.objects.filter(area__path__startswith=org.area.path).filter(helped_on_q(as_of))
    households_sql, households_params = sql_of(_territory_rows(households, org, user).order_by().values("pk"))
    if not sql:
        return [("", (), False)]
    if not households_sql:
        return [(f"SELECT t.*, 0 AS households_helped FROM ({sql}) t", params, False)]
    return [(f"SELECT t.*, (SELECT count(*) FROM ({households_sql}) h) AS households_helped FROM ({sql}) t",
             (*households_params, *params), False)]  # fmt: skip


def request_figures(rows: list, *, as_of: datetime.date) -> dict:
    row = rows[0] if rows else None
    return {"requests": {k: int((row or {}).get(k) or 0) for k in REQUEST_KEYS}}


def request_report(stats: dict) -> list[tuple[str, str, list[tuple[str, object]]]]:
    found = stats.get("requests")
    if found is None:
        return []
    rows = [(REQUEST_LABELS[k], found[k]) for k in REQUEST_KEYS]
    rows += [
        ("按时办结率（%）", rate(found, "closed_on_time", "closed")),
        ("满意率（%）", rate(found, "satisfied", "rated")),
    ]
    return [("requests", REQUEST_HEADING, rows)]


def request_links(org, as_of: datetime.date, *_args) -> dict[str, dict[str, str]]:
    """The request lists behind the counts (`figure` selects one, as counted), the households' behind theirs."""
    if org.area_id is None:
        return {}
    base = {"area": org.area.code, "received_to": as_of.isoformat()}
    url = reverse("services:request_list")
    found = {REQUEST_LABELS[k]: f"{url}?{urlencode({**base, 'figure': k})}" for k in REQUEST_KEYS[:-1]}
    households = {"area": org.area.code, "helped_on": as_of.isoformat()}
    found[REQUEST_LABELS["households_helped"]] = f"{reverse('services:household_list')}?{urlencode(households)}"
    return {"requests": found}


sections.append(
    StatsSection(
        "requests",
        statements=request_statements,
        figures=request_figures,
        report=request_report,
        links=request_links,
        order=41,
    )  # fmt: skip
)
