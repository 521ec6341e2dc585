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

from .models import WorkOrder
from .workorders import figure_qs, received_until

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
