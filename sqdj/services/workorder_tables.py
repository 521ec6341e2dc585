"""The work orders' list: number, times, where it is, its state and its warning (red / yellow)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable

from .models import WorkOrder
from .workorders import RED, YELLOW, red_q, yellow_q

TIME = "%Y-%m-%d %H:%M"


def _time(value) -> str:
    from django.utils import timezone  # noqa: PLC0415 - rendering only

    return timezone.localtime(value).strftime(TIME) if value else "—"


class WarningColumn(tables.Column):
    """The warning of each order of the page: two queries for the page (red, yellow), not two per row."""

    def __init__(self, **kwargs):
        super().__init__(accessor="pk", orderable=False, verbose_name=_("warning"), **kwargs)

    def render(self, value, table):
        found = getattr(table, "_warnings", None)
        if found is None:
            page = getattr(table, "page", None)
            pks = [getattr(r, "record", r).pk for r in page.object_list] if page is not None else [value]
            qs = WorkOrder.objects.filter(pk__in=pks)
            red = set(qs.filter(red_q()).values_list("pk", flat=True))
            yellow = set(qs.filter(yellow_q()).values_list("pk", flat=True))
            found = table._warnings = {pk: RED for pk in red} | {pk: YELLOW for pk in yellow}
        level = found.get(value, "")
        if level == RED:
            return format_html('<span class="badge text-bg-danger">{}</span>', _("Red warning"))
        if level == YELLOW:
            return format_html('<span class="badge text-bg-warning">{}</span>', _("Yellow warning"))
        return "—"


class WorkOrderTable(BaseTable):
    number = tables.Column(linkify=lambda record: reverse("services:workorder", args=[record.pk]))
    received_at = tables.Column()
    category_text = tables.Column()
    area = tables.Column(accessor="request__area__name", verbose_name=_("area"), order_by=("request__area__path",))
    state = tables.Column(accessor="request__state", verbose_name=_("state"), order_by=("request__state",))
    due_at = tables.Column()
    warning = WarningColumn()

    class Meta(BaseTable.Meta):
        model = WorkOrder
        fields = ("number", "received_at", "category_text", "area", "state", "due_at", "warning")
        order_by = ("-received_at",)

    def render_received_at(self, value):
        return _time(value)

    def render_due_at(self, value):
        return _time(value)

    def render_state(self, record):
        return record.request.get_state_display()
