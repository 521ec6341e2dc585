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
)
from django.db.models.functions import Substr
from django.utils import timezone

from sqdj.areas.models import Area
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


def _one_row(queryset, **aggregates) -> dict:
    return queryset.aggregate(**aggregates)


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
    requests = everything.filter(kind=RequestKind.REQUEST)
    closed = Q(state=RequestState.CLOSED, closed_at__isnull=False)
    is_wish = Q(kind=RequestKind.WISH)
    claimed = Exists(WishClaim.objects.filter(request=OuterRef("pk"), state__in=(ClaimState.CLAIMED,
                                                                                 ClaimState.FULFILLED)))  # fmt: skip
    fulfilled = Exists(WishClaim.objects.filter(request=OuterRef("pk"), state=ClaimState.FULFILLED))
    is_request = Q(kind=RequestKind.REQUEST)
    row = _one_row(
        everything,
        total=Count("pk", filter=is_request),
        open=Count(
            "pk", filter=is_request & ~Q(state__in=(RequestState.CLOSED, RequestState.REFERRED, RequestState.DECLINED))
        ),  # fmt: skip
        closed=Count("pk", filter=is_request & closed),
        closed_on_time=Count("pk", filter=is_request & closed & Q(closed_at__lte=F("due_at"))),
        **{f"sat_{s}": Count("pk", filter=is_request & Q(satisfaction=s)) for s in Satisfaction.values},
        wishes=Count("pk", filter=is_wish),
        wishes_claimed=Count("pk", filter=is_wish & Q(claimed)),
        wishes_fulfilled=Count("pk", filter=is_wish & Q(fulfilled)),
    )
    n = {k: int(v or 0) for k, v in row.items()}
    share = round(100 * n["closed_on_time"] / n["closed"], 1) if n["closed"] else 0.0
    return {
        **base,
        "requests": {
            "total": n.get("total", 0),
            "open": n.get("open", 0),
            "closed": n.get("closed", 0),
            "closed_on_time": n.get("closed_on_time", 0),
            "on_time_share": share,
            "median_days_to_close": _median_days(requests.filter(closed)),
        },  # fmt: skip
        "by_category": _by_category(requests),
        "by_state": _by_choice(requests, "state", RequestState),
        "by_source": _by_choice(requests, "source", Source),
        "by_area": _by_area(requests, org.area),
        "satisfaction": {s: n.get(f"sat_{s}", 0) for s in Satisfaction.values},
        "wishes": {
            "posted": n.get("wishes", 0),
            "claimed": n.get("wishes_claimed", 0),
            "fulfilled": n.get("wishes_fulfilled", 0),
        },  # fmt: skip
        "households": _households(org, user, date_from, date_to),
    }


def _empty() -> dict:
    return {"requests": {"total": 0, "open": 0, "closed": 0, "closed_on_time": 0, "on_time_share": 0.0,
                         "median_days_to_close": None},
            "by_category": [], "by_state": [], "by_source": [], "by_area": [],
            "satisfaction": dict.fromkeys(Satisfaction.values, 0),
            "wishes": {"posted": 0, "claimed": 0, "fulfilled": 0},
            "households": {"helped": 0, "supports": 0, "money": "0.00"}}  # fmt: skip


def _by_category(requests) -> list[dict]:
    counts = dict(requests.values_list("category_id").annotate(n=Count("pk")).values_list("category_id", "n"))
    names = {c.pk: c for c in Category.objects.filter(pk__in=[k for k in counts if k is not None])}
    rows = [{"code": names[k].code, "name": names[k].name, "count": v, "_order": (names[k].position, names[k].code)}
            for k, v in counts.items() if k is not None]  # fmt: skip
    rows.sort(key=lambda r: r.pop("_order"))
    if counts.get(None):
        rows.append({"code": None, "name": "", "count": counts[None]})
    return rows


def _by_choice(requests, name: str, choices) -> list[dict]:
    counts = dict(requests.values_list(name).annotate(n=Count("pk")).values_list(name, "n"))
    return [{name: value, "label": str(label), "count": counts[value]} for value, label in choices.choices
            if counts.get(value)]  # fmt: skip


def _by_area(requests, area: Area) -> list[dict]:
    """Per child area of `area` (a request below a child counts for the child); those placed in `area` itself last."""
    length = len(area.path) + Area.steplen
    counts = dict(requests.annotate(_child=Substr("area__path", 1, length)).values_list("_child")
                  .annotate(n=Count("pk")).values_list("_child", "n"))  # fmt: skip
    children = {a.path: a for a in Area.objects.filter(path__in=[p for p in counts if len(p) == length])}
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
    given = _one_row(supports.order_by(), n=Count("pk"), money=Sum("amount"))
    money = Decimal(given.get("money") or 0).quantize(Decimal("0.01"))
    return {"helped": helped.count(), "supports": int(given.get("n") or 0), "money": str(money)}
