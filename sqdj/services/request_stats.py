"""The statistics of serving residents (issue 17 item 7) for an org's territory and a period: the requests received
in the period (kind `request`) by category, state, source and child area; the median time to close (received →
closed, days, one decimal); the share closed on time (closed_at ≤ due_at, over those closed); the residents'
answers; the wishes posted in the period (claimed, fulfilled); the households helped (open at some day of the
period) and the support given in it (count, money total). Scoped as the request list (`restrict(user, "view")`),
except that a user covering the whole territory counts all of it with no scope condition (stats.py's `orders()`).

A handful of aggregate statements, whatever the number of requests: one with conditional counts, one GROUP BY per
breakdown, the median (PostgreSQL: percentile_cont; elsewhere the middle rows by an ORDER BY … OFFSET), and the
households' and supports' aggregates. The period is a range on `received_at` (index services_request_received).

The JSON (`services:request_stats?format=json`), every count an integer, dates ISO:

    {"org": "SQT1", "org_name": "…", "date_from": "2026-01-01", "date_to": "2026-12-31",
     "requests": {"total": 12, "open": 3, "closed": 7, "closed_on_time": 6, "on_time_share": 85.7,
                  "median_days_to_close": 4.5},
     "by_category": [{"code": "linli", "name": "邻里纠纷", "count": 4}, …],   # code null: no category
     "by_state": [{"state": "closed", "label": "已办结", "count": 7}, …],
     "by_source": [{"source": "visit", "label": "走访", "count": 5}, …],
     "by_area": [{"code": "T01001001", "name": "甲社区", "count": 9}, …],    # the child areas; the org's own area last
     "satisfaction": {"satisfied": 4, "basically": 1, "unsatisfied": 1},
     "wishes": {"posted": 5, "claimed": 3, "fulfilled": 2},
     "households": {"helped": 4, "supports": 6, "money": "1500.00"}}

`on_time_share` is a percentage with one decimal (0.0 when nothing closed); `median_days_to_close` null when nothing
closed; `money` a decimal string (yuan)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils import timezone

from sqdj.areas.models import Area
from sqdj.core.querysets import sql_of
from sqdj.core.scope import EVERYTHING, covers_territory, visible

from .choices import ClaimState, RequestKind, RequestState, Satisfaction, Source
from .models import Category, Household, Request, Support, WishClaim

DAY_SECONDS = 86400


class _Median(Aggregate):
    """PostgreSQL's ordered-set aggregate: the median of the expression (the mean of the two middle ones)."""

    function = None
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _bounds(date_from: datetime.date, date_to: datetime.date):
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time()))
    return start, end


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """This year: from 1 January to 31 December."""
    today = today or timezone.localdate()
    return today.replace(month=1, day=1), today.replace(month=12, day=31)


def _seen(queryset, org, user):
    """All of it for a user covering the territory (no scope condition), else what the user may see."""
    if user is EVERYTHING or covers_territory(user, "view", org.area):
        return queryset
    return visible(queryset, user) if user else queryset.none()


def received(org, user, date_from: datetime.date, date_to: datetime.date):
    """Every request and wish of `org`'s territory received in the period, as `user` counts them."""
    start, end = _bounds(date_from, date_to)
    qs = Request.objects.filter(area__path__startswith=org.area.path, received_at__gte=start, received_at__lt=end)
    return _seen(qs, org, user).order_by()


def _median_days(closed) -> float | None:
    """The median of closed_at − received_at, in days (one decimal), of `closed` (closed requests)."""
    span = ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        seconds = Func(span, template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField())
        value = closed.aggregate(m=_Median(seconds))["m"]
        return None if value is None else round(value / DAY_SECONDS, 1)
    count = closed.count()
    if not count:
        return None
    middle = list(closed.annotate(_span=span).order_by("_span").values_list("_span", flat=True)
                  [(count - 1) // 2 : count // 2 + 1])  # fmt: skip
    seconds = sum(d.total_seconds() for d in middle) / len(middle)
    return round(seconds / DAY_SECONDS, 1)


def figures(org, user, date_from: datetime.date | None = None, date_to: datetime.date | None = None) -> dict:
    """The figures of `org`'s territory for the period (default: this year), as `user` may count them."""
    if date_from is None or date_to is None:
        default_from, default_to = default_period()
        date_from, date_to = date_from or default_from, date_to or default_to
    base = {"org": org.code, "org_name": org.name, "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat()}  # fmt: skip
    if org.area_id is None:
        return {**base, **_empty()}
    everything = received(org, user, date_from, date_to)
    if connection.vendor == "postgresql":
        n, breakdowns, median = _one_statement(everything, org.area)
    else:
        n, breakdowns, median = _statements(everything, org.area)
    share = round(100 * n["closed_on_time"] / n["closed"], 1) if n["closed"] else 0.0
    return {
        **base,
        "requests": {
            "total": n["total"],
            "open": n["open"],
            "closed": n["closed"],
            "closed_on_time": n["closed_on_time"],
            "on_time_share": share,
            "median_days_to_close": median,
        },  # fmt: skip
        "by_category": _category_rows(breakdowns["category_id"]),
        "by_state": _choice_rows(breakdowns["state"], "state", RequestState),
        "by_source": _choice_rows(breakdowns["source"], "source", Source),
        "by_area": _area_rows(breakdowns["_child"], org.area),
        "satisfaction": {s: n[f"sat_{s}"] for s in Satisfaction.values},
        "wishes": {"posted": n["wishes"], "claimed": n["wishes_claimed"], "fulfilled": n["wishes_fulfilled"]},
        "households": _households(org, user, date_from, date_to),
    }


BREAKDOWNS = ("category_id", "state", "source", "_child")


def _counts(claimed, fulfilled) -> dict:
    """The one-row counts (over requests and wishes of the period): the same on both databases."""
    closed = Q(state=RequestState.CLOSED, closed_at__isnull=False)
    is_request, is_wish = Q(kind=RequestKind.REQUEST), Q(kind=RequestKind.WISH)
    return {
        "total": Count("pk", filter=is_request),
        "open": Count("pk", filter=is_request & ~Q(state__in=(RequestState.CLOSED, RequestState.REFERRED,
                                                               RequestState.DECLINED))),
        "closed": Count("pk", filter=is_request & closed),
        "closed_on_time": Count("pk", filter=is_request & closed & Q(closed_at__lte=F("due_at"))),
        **{f"sat_{s}": Count("pk", filter=is_request & Q(satisfaction=s)) for s in Satisfaction.values},
        "wishes": Count("pk", filter=is_wish),
        "wishes_claimed": Count("pk", filter=is_wish & claimed),
        "wishes_fulfilled": Count("pk", filter=is_wish & fulfilled),
    }  # fmt: skip


_REQUEST, _WISH = f"r.kind = '{RequestKind.REQUEST}'", f"r.kind = '{RequestKind.WISH}'"
_CLOSED = f"{_REQUEST} AND r.state = '{RequestState.CLOSED}' AND r.closed_at IS NOT NULL"
_ENDED = ", ".join(f"'{s}'" for s in (RequestState.CLOSED, RequestState.REFERRED, RequestState.DECLINED))
# _counts' conditions written over the derived table of _one_statement (PostgreSQL); the tests hold both to the same
# numbers on both databases
COUNT_SQL = {
    "total": _REQUEST,
    "open": f"{_REQUEST} AND r.state NOT IN ({_ENDED})",
    "closed": _CLOSED,
    "closed_on_time": f"{_CLOSED} AND r.closed_at <= r.due_at",
    **{f"sat_{s}": f"{_REQUEST} AND r.satisfaction = '{s}'" for s in Satisfaction.values},
    "wishes": _WISH,
    "wishes_claimed": f"{_WISH} AND r._claimed",
    "wishes_fulfilled": f"{_WISH} AND r._fulfilled",
}


def _claims():
    claimed = Exists(WishClaim.objects.filter(request=OuterRef("pk"), state__in=(ClaimState.CLAIMED,
                                                                                 ClaimState.FULFILLED)))  # fmt: skip
    fulfilled = Exists(WishClaim.objects.filter(request=OuterRef("pk"), state=ClaimState.FULFILLED))
    return claimed, fulfilled


def _child(area: Area):
    return Substr("area__path", 1, len(area.path) + Area.steplen)


def _one_statement(everything, area: Area) -> tuple[dict, dict, float | None]:
    """PostgreSQL: the counts, the four breakdowns (of requests) and the median in one statement over the period's
    rows — GROUPING SETS, one scan — instead of one statement each. A wish's claims are looked up for wishes only."""
    claimed, fulfilled = _claims()
    span = ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField())
    rows = everything.annotate(
        _child=_child(area),
        _claimed=Case(When(kind=RequestKind.WISH, then=claimed), default=Value(False), output_field=BooleanField()),
        _fulfilled=Case(When(kind=RequestKind.WISH, then=fulfilled), default=Value(False),
                        output_field=BooleanField()),
        _span=Func(span, template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField()),
    ).values("pk", "kind", "state", "source", "category_id", "satisfaction", "closed_at", "due_at", "_child",
             "_claimed", "_fulfilled", "_span")  # fmt: skip
    inner, params = sql_of(rows)
    if not inner:
        return dict.fromkeys(COUNT_SQL, 0), {b: {} for b in BREAKDOWNS}, None
    sql = (
        "SELECT GROUPING(r.category_id, r.state, r.source, r._child) AS g, r.category_id, r.state, r.source, "
        "r._child, "
        + ", ".join(f"count(*) FILTER (WHERE {condition}) AS {name}" for name, condition in COUNT_SQL.items())
        + f", percentile_cont(0.5) WITHIN GROUP (ORDER BY r._span) FILTER (WHERE {COUNT_SQL['closed']}) AS median "
        f"FROM ({inner}) r GROUP BY GROUPING SETS ((), (r.category_id), (r.state), (r.source), (r._child))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    n: dict = dict.fromkeys(COUNT_SQL, 0)
    median = None
    breakdowns: dict[str, dict] = {b: {} for b in BREAKDOWNS}
    # GROUPING(...) is a bit mask, the first column the highest bit: 0 for (), else all bits but the grouped one's
    bit = {name: 1 << (len(BREAKDOWNS) - 1 - i) for i, name in enumerate(BREAKDOWNS)}
    full = (1 << len(BREAKDOWNS)) - 1
    for row in found:
        if row["g"] == full:
            n = {k: int(row[k] or 0) for k in COUNT_SQL}
            median = None if row["median"] is None else round(row["median"] / DAY_SECONDS, 1)
            continue
        for name, b in bit.items():
            if row["g"] == full ^ b and row["total"]:  # a breakdown counts requests only (as `total`)
                breakdowns[name][row[name]] = int(row["total"])
    return n, breakdowns, median


def _statements(everything, area: Area) -> tuple[dict, dict, float | None]:
    """Other databases: one statement for the counts, one per breakdown, the median by the middle rows."""
    claimed, fulfilled = _claims()
    row = everything.aggregate(**_counts(Q(claimed), Q(fulfilled)))
    n = {k: int(v or 0) for k, v in row.items()}
    requests = everything.filter(kind=RequestKind.REQUEST)
    breakdowns = {}
    for name in BREAKDOWNS:
        qs = requests.annotate(_child=_child(area)) if name == "_child" else requests
        breakdowns[name] = dict(qs.values_list(name).annotate(c=Count("pk")).values_list(name, "c"))
    return n, breakdowns, _median_days(requests.filter(state=RequestState.CLOSED, closed_at__isnull=False))


def _empty() -> dict:
    return {"requests": {"total": 0, "open": 0, "closed": 0, "closed_on_time": 0, "on_time_share": 0.0,
                         "median_days_to_close": None},
            "by_category": [], "by_state": [], "by_source": [], "by_area": [],
            "satisfaction": dict.fromkeys(Satisfaction.values, 0),
            "wishes": {"posted": 0, "claimed": 0, "fulfilled": 0},
            "households": {"helped": 0, "supports": 0, "money": "0.00"}}  # fmt: skip


def _category_rows(counts: dict) -> list[dict]:
    names = {c.pk: c for c in Category.objects.filter(pk__in=[k for k in counts if k is not None])}
    rows = [{"code": names[k].code, "name": names[k].name, "count": v, "_order": (names[k].position, names[k].code)}
            for k, v in counts.items() if k is not None]  # fmt: skip
    rows.sort(key=lambda r: r.pop("_order"))
    if counts.get(None):
        rows.append({"code": None, "name": "", "count": counts[None]})
    return rows


def _choice_rows(counts: dict, name: str, choices) -> list[dict]:
    return [{name: value, "label": str(label), "count": counts[value]} for value, label in choices.choices
            if counts.get(value)]  # fmt: skip


def _area_rows(counts: dict, area: Area) -> list[dict]:
    """Per child area of `area` (a request below a child counts for the child); those placed in `area` itself last."""
    length = len(area.path) + Area.steplen
    children = {a.path: a for a in Area.objects.filter(path__in=[p for p in counts if p and len(p) == length])}
    rows = [{"code": children[p].code, "name": children[p].name, "count": counts[p]}
            for p in sorted(children)]  # fmt: skip
    if counts.get(area.path):
        rows.append({"code": area.code, "name": area.name, "count": counts[area.path]})
    return rows


def _households(org, user, date_from: datetime.date, date_to: datetime.date) -> dict:
    territory = Q(area__path__startswith=org.area.path)
    households = _seen(Household.objects.filter(territory), org, user).order_by()
    helped = households.filter(opened_on__lte=date_to).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=date_from))
    supports = _seen(Support.objects.filter(household__area__path__startswith=org.area.path,
                                            given_on__gte=date_from, given_on__lte=date_to), org, user)  # fmt: skip
    given = supports.order_by().aggregate(n=Count("pk"), money=Sum("amount"))
    money = Decimal(given.get("money") or 0).quantize(Decimal("0.01"))
    return {"helped": helped.count(), "supports": int(given.get("n") or 0), "money": str(money)}
