"""12345 hotline work orders (接诉即办, issue 17 item 1): an order's request created where it is placed (or waiting at
its subdistrict, 待分派, when neither 区域编码 nor the address places it), the subdistrict placing it by hand, the
warnings the platforms judge a street by (no response, no progress, 不满意 in a row: the rulebook's thresholds), and
the replies file uploaded back to the platform (工单编号, 办理结果, 办结时间, 回访满意度).

The request transitions (accept, resolve, rate …) are requests.py's; this module reads their fields only."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.areas.models import Area
from sqdj.core.rules import param
from sqdj.core.services import Conflict, ScopeViolation, do_create, do_update
from sqdj.core.tabular import write_table

from .choices import OPEN_STATES, SATISFIED, RequestState, Satisfaction, Source
from .models import Category, Request, RequestStep, WorkOrder
from .requests import PLACEABLE, _step, new_tracking_code, placement

# the replies file (docs/workorders.md): the platform's words, a contract independent of the UI language
REPLY_HEADERS = ["工单编号", "办理结果", "办结时间", "回访满意度"]
SATISFACTION_WORDS = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY: "基本满意",
    Satisfaction.UNSATISFIED: "不满意",
}
REPLY_TIME = "%Y-%m-%d %H:%M"
SUMMARY_LENGTH = 100  # Request.summary

RED, YELLOW = "red", "yellow"


# ---- creating and placing -------------------------------------------------------------------------------------------


def summary_of(content: str) -> str:
    """The request's summary: the first line of the order's content, cut to the field's length."""
    first = (content or "").strip().splitlines()[0] if (content or "").strip() else ""
    return first[:SUMMARY_LENGTH]


def create_unplaced_request(*, acting_user, number: str, subdistrict: Area, content: str, address: str,
                            category: Category | None, received_at: datetime.datetime,
                            due_at: datetime.datetime) -> Request:  # fmt: skip
    """The request of an order no area matched: waiting at its subdistrict (`placed` False, no org). Created here,
    not by do_create_request, which places a request only at a community or below; the caller numbered it
    (requests.new_numbers) and checked the subdistrict is in the user's scope."""
    data = {
        "number": number, "tracking_code": new_tracking_code(), "category": category,
        "summary": summary_of(content), "description": content, "area": subdistrict, "placed": False,
        "location": address, "source": Source.HOTLINE, "state": RequestState.RECEIVED, "received_at": received_at,
        "due_at": due_at, "created_by": acting_user, "org": None,
    }  # fmt: skip
    request = do_create(Request, acting_user=acting_user, data=data, clean=False, action=None)
    _step(request, RequestState.RECEIVED, by=acting_user, at=received_at)
    return request


def placeable_below(subdistrict: Area):
    """The areas an order of `subdistrict` may be placed in: below it, of a placeable type."""
    return Area.objects.filter(path__startswith=subdistrict.path, depth__gt=subdistrict.depth, type__in=PLACEABLE)


def match_address(address: str, candidates: list[tuple[str, int]]) -> int | None:
    """The area (pk) whose name the address contains: the longest name found wins; several equally long (or none)
    → None (unplaced: a person decides). `candidates` are (name, pk) of the areas below the subdistrict."""
    address = (address or "").strip()
    if not address:
        return None
    best, found = 0, set()
    for name, pk in candidates:
        if name and name in address:
            if len(name) > best:
                best, found = len(name), {pk}
            elif len(name) == best:
                found.add(pk)
    return found.pop() if len(found) == 1 else None


def area_error(area: Area | None, subdistrict: Area) -> str | None:
    """Why an order of `subdistrict` cannot be placed in `area` (None: it can)."""
    if area is None or not area.path.startswith(subdistrict.path) or area.depth <= subdistrict.depth:
        return _("The area is not in %(s)s.") % {"s": subdistrict.name}
    if area.type not in PLACEABLE:
        return _("Choose a community or a place in it (a grid, an estate, a building).")
    community, org = placement(area)
    if community is None:
        return _("Choose a community or a place in it (a grid, an estate, a building).")
    if org is None:
        return _("%(c)s has no party organization to answer it yet.") % {"c": community.name}
    return None


@transaction.atomic
def do_place_order(order: WorkOrder, area: Area | None, acting_user, *, version: int | None = None) -> WorkOrder:
    """A subdistrict admin places a waiting order in a community or below: its request moves there, is routed to
    the community's org and is `placed`; a step records it. Two admins at once: the second finds it placed."""
    if acting_user is not None and not WorkOrder.objects.restrict(acting_user, "change").filter(pk=order.pk).exists():
        raise ScopeViolation(_("You may view this but not change it."))
    request = Request.objects.select_for_update().get(pk=order.request_id)
    if request.placed:
        raise Conflict(_("This work order has been placed already (perhaps by someone else just now)."))
    if version is not None and version != request.version:
        raise Conflict(_("Someone else changed this work order meanwhile; reload the page and try again."))
    problem = area_error(area, order.dispatched_to)
    if problem or area is None:
        raise ValidationError({"area": [problem or _("This field is required.")]})
    if acting_user is not None and not Area.objects.restrict(acting_user, "add").filter(pk=area.pk).exists():
        raise ValidationError({"area": [_("You may not choose this area.")]})
    _community, org = placement(area)
    do_update(request, acting_user=acting_user, data={"area": area, "placed": True, "org": org,
                                                      "version": request.version + 1},
              clean=False, action=None)  # fmt: skip
    _step(request, request.state, by=acting_user, at=timezone.now(),
          note=_("Placed in %(area)s.") % {"area": area.name})  # fmt: skip
    order.request = request
    return order


# ---- warnings (red / yellow) ---------------------------------------------------------------------------------------


def _now(now):
    return now or timezone.now()


def no_response_q(now=None) -> Q:
    """Red: not accepted within `workorder.response_hours` of 受理时间."""
    now = _now(now)
    hours = int(param("workorder.response_hours", timezone.localdate(now)))
    return Q(request__state=RequestState.RECEIVED, received_at__lt=now - datetime.timedelta(hours=hours))


def unsatisfied_q(now=None) -> Q:
    """Red: `workorder.unsatisfied_streak` 不满意 answers in a row."""
    return Q(request__unsatisfied_streak__gte=int(param("workorder.unsatisfied_streak", timezone.localdate(_now(now)))))


def no_progress_q(now=None) -> Q:
    """Yellow: open, and no step for `workorder.progress_days`."""
    now = _now(now)
    since = now - datetime.timedelta(days=int(param("workorder.progress_days", timezone.localdate(now))))
    recent = RequestStep.objects.filter(request=OuterRef("request"), at__gte=since)
    return Q(request__state__in=OPEN_STATES) & ~Q(Exists(recent))


def red_q(now=None) -> Q:
    return no_response_q(now) | unsatisfied_q(now)


def yellow_q(now=None) -> Q:
    """Yellow and not red: each order is in one of the two to-dos, never both."""
    return no_progress_q(now) & ~red_q(now)


def warning_of(order: WorkOrder, now=None) -> str:
    """RED, YELLOW or "" for one order (its list's filters say the same, in SQL)."""
    qs = WorkOrder.objects.filter(pk=order.pk)
    if qs.filter(red_q(now)).exists():
        return RED
    return YELLOW if qs.filter(yellow_q(now)).exists() else ""


# ---- the figures (interfaces.md §3 `workorders`): also the list's filters behind them --------------------------------


def figure_qs(as_of: datetime.date) -> dict[str, Q]:
    """The condition of each counted figure (on WorkOrder), the rulebook's response hours in force on `as_of`."""
    hours = param("workorder.response_hours", as_of, default=None)  # None: a day before the rule (no order then)
    answered = (
        Q(request__accepted_at__isnull=False, request__accepted_at__lte=_plus_hours("received_at", int(hours)))
        if hours is not None
        else Q(pk__isnull=True)
    )
    resolved = Q(request__state__in=(RequestState.RESOLVED, RequestState.CLOSED))
    return {
        "unplaced": Q(request__placed=False),
        "responded_in_time": answered,
        "resolved": resolved,
        "resolved_on_time": resolved
        & Q(request__resolved_at__isnull=False, request__resolved_at__lte=F("due_at")),  # fmt: skip
        "rated": ~Q(request__satisfaction=""),
        "satisfied": Q(request__satisfaction__in=SATISFIED),
    }


def _plus_hours(name: str, hours: int):
    return ExpressionWrapper(F(name) + datetime.timedelta(hours=hours), output_field=DateTimeField())


# ---- the replies file ---------------------------------------------------------------------------------------------


def replied_orders(queryset, date_from: datetime.date | None, date_to: datetime.date | None):
    """The orders of `queryset` resolved or closed, resolved (else closed) within the dates (local days)."""
    qs = queryset.filter(request__state__in=(RequestState.RESOLVED, RequestState.CLOSED))
    if date_from:
        start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time()))
        qs = qs.filter(Q(request__resolved_at__gte=start) | Q(request__resolved_at__isnull=True,
                                                              request__closed_at__gte=start))  # fmt: skip
    if date_to:
        end = timezone.make_aware(datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time()))
        qs = qs.filter(Q(request__resolved_at__lt=end) | Q(request__resolved_at__isnull=True,
                                                           request__closed_at__lt=end))  # fmt: skip
    return qs.select_related("request").order_by("received_at", "number")


def reply_rows(queryset):
    for order in queryset:
        r = order.request
        done = r.resolved_at or r.closed_at
        yield [
            order.number,
            r.resolution,
            timezone.localtime(done).strftime(REPLY_TIME) if done else "",
            SATISFACTION_WORDS.get(r.satisfaction, ""),
        ]


def replies_file(queryset, fmt: str) -> tuple[bytes, int]:
    """(the file's bytes, rows) — .xlsx or .csv (UTF-8), REPLY_HEADERS."""
    rows = list(reply_rows(queryset))
    return write_table(REPLY_HEADERS, rows, fmt), len(rows)
