"""Pages of the 12345 work orders: the list (filters, warnings, the import wizard, the template export), 待分派 (the
orders waiting at the subdistricts the user sees), an order's page, placing it, and the replies file for upload back
to the platform. Thin: the rules are in workorders.py; every read goes through `restrict()` (out of scope: 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.exporting import audit_export
from sqdj.core.scope import may
from sqdj.core.views import (
    ModelViews,
    ObjectChangesView,
    ObjectDetailView,
    ObjectImportView,
    ObjectListView,
    action_page,
)

from . import workorders
from .importers import WorkOrderImporter
from .models import WorkOrder
from .workorder_filtersets import WorkOrderFilterSet
from .workorder_forms import PlaceOrderForm, RepliesForm
from .workorder_tables import WorkOrderTable

TIME = "%Y-%m-%d %H:%M"
WARNING_LABELS = {workorders.RED: gettext_lazy("Red warning"), workorders.YELLOW: gettext_lazy("Yellow warning")}


def _time(value) -> str:
    return timezone.localtime(value).strftime(TIME) if value else "—"


def _may(user, order, action="change") -> bool:
    return WorkOrder.objects.restrict(user, action).filter(pk=order.pk).exists()


class WorkOrderViews(ModelViews):
    """The orders as the platform dispatched them; written by the import, placed by the subdistrict."""

    model = WorkOrder
    queryset = WorkOrder.objects.select_related("request", "request__area", "dispatched_to")
    table = WorkOrderTable
    filterset = WorkOrderFilterSet
    importer = WorkOrderImporter
    detail_template = "services/workorders/workorder_detail.html"
    extra_list_actions: tuple = (
        ("services:workorder_unplaced", gettext_lazy("Waiting to be placed"), "inbox"),
        ("services:workorder_replies", gettext_lazy("Export replies"), "reply"),
    )

    @classmethod
    def urls(cls):
        return [
            path("", ObjectListView.as_view(views=cls), name="workorder_list"),
            path("unplaced/", ObjectListView.as_view(views=UnplacedViews), name="workorder_unplaced"),
            path("replies/", replies, name="workorder_replies"),
            path("import/", ObjectImportView.as_view(views=cls), name="workorder_import"),
            path("<int:pk>/", ObjectDetailView.as_view(views=cls), name="workorder"),
            path("<int:pk>/changes/", ObjectChangesView.as_view(views=cls), name="workorder_changes"),
            path("<int:pk>/place/", place, name="workorder_place"),
        ]

    @classmethod
    def detail_context(cls, obj, user):
        r = obj.request
        level = workorders.warning_of(obj)
        rows = [
            (_("work order number"), obj.number, None),
            (_("received at"), _time(obj.received_at), None),
            (_("category as dispatched"), obj.category_text, None),
            (_("request content"), obj.content, None),
            (_("address"), obj.address or "—", None),
            (_("dispatched to"), obj.dispatched_to.name, None),
            (_("area code as dispatched"), obj.area_code or "—", None),
            (_("due at"), _time(obj.due_at), None),
            (_("area"), r.area.name if r.placed else _("Waiting to be placed"), None),
            (_("request number"), r.number, None),
            (_("state"), r.get_state_display(), None),
            (_("accepted at"), _time(r.accepted_at), None),
            (_("resolved at"), _time(r.resolved_at), None),
            (_("outcome"), r.resolution or "—", None),
            (_("satisfaction"), r.get_satisfaction_display() or "—", None),
        ]
        return {
            "rows": rows,
            "warning": level,
            "warning_label": WARNING_LABELS.get(level, ""),
            "may_place": not r.placed and _may(user, obj),
            "steps": r.steps.select_related("by").order_by("at", "pk"),
        }


class UnplacedViews(WorkOrderViews):
    """待分派: the orders waiting at the subdistricts the user sees (their area is the subdistrict itself)."""

    queryset = WorkOrderViews.queryset.filter(request__placed=False)
    extra_list_actions: tuple = ()


def _order(request, pk) -> WorkOrder:
    orders = WorkOrder.objects.restrict(request.user, "view").select_related("request", "dispatched_to")
    order = get_object_or_404(orders, pk=pk)
    if not _may(request.user, order):
        raise PermissionDenied(_("You may view this but not change it."))
    return order


@login_required
def place(request, pk):
    order = _order(request, pk)
    back = reverse("services:workorder", args=[order.pk])
    form = PlaceOrderForm(request.POST or None, order=order, user=request.user)
    return action_page(
        request, order, form, _("Place the work order"), back=back, next_url=back,
        call=lambda data: workorders.do_place_order(order, data["area"], request.user, version=data["version"]),
        done_message=_("The work order is placed."),
    )  # fmt: skip


@login_required
def replies(request):
    """The replies file (docs/workorders.md): the orders the user sees, resolved or closed within the dates."""
    if not may(request.user, "view", WorkOrder):
        raise PermissionDenied(_("You have no role that lets you see this list."))
    form = RepliesForm(request.GET or None)
    if request.GET and form.is_valid():
        qs = workorders.replied_orders(WorkOrder.objects.restrict(request.user, "view"),
                                       form.cleaned_data["date_from"], form.cleaned_data["date_to"])  # fmt: skip
        fmt = form.cleaned_data["fmt"]
        data, count = workorders.replies_file(qs, fmt)
        audit_export(_ReplyKind, count, fmt)
        ctype = "text/csv; charset=utf-8" if fmt == "csv" else (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip
        response = HttpResponse(data, content_type=ctype)
        response["Content-Disposition"] = f'attachment; filename="workorder-replies.{fmt}"'
        return response
    if request.GET and not form.is_valid():
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "services/workorders/replies.html",
        {"form": form, "headers": workorders.REPLY_HEADERS, "list_url": reverse("services:workorder_list")},
    )


class _ReplyKind:
    """What the audit event of the replies export names."""

    kind = "workorder-replies"
