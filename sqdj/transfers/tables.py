"""The transfer case table: the step's due date and an overdue flag (in words, not by colour alone)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.tables import BaseTable

from . import services
from .models import Transfer


def _overdue(record) -> bool:
    cached = getattr(record, "_overdue", None)
    if cached is None:
        cached = record._overdue = services.is_overdue(record, dates.today())
    return cached


class TransferTable(BaseTable):
    person_name = tables.Column(verbose_name=_("name"), linkify=True)
    route = tables.Column(verbose_name=_("From → to"), accessor="pk", orderable=False)
    state = tables.Column()
    letter_number = tables.Column()
    due = tables.Column(verbose_name=_("due date"), accessor="pk", orderable=False)
    overdue = tables.Column(verbose_name=_("overdue"), accessor="pk", orderable=False)
    waiting = tables.Column(verbose_name=_("waiting on"), accessor="pk", orderable=False)
    state_changed_on = tables.Column()

    class Meta(BaseTable.Meta):
        model = Transfer
        fields = ("person_name", "route", "state", "letter_number", "due", "overdue", "waiting", "state_changed_on")
        row_attrs = {
            "id": lambda record: f"transfer-{record.pk}",
            "data-state": lambda record: record.state,
            "data-overdue": lambda record: "1" if _overdue(record) else "0",
            "class": lambda record: "table-warning" if _overdue(record) else "",
        }

    def render_route(self, record):
        return f"{record.from_name} → {record.to_name}"

    def render_due(self, record):
        due = services.due_date(record)
        return due.isoformat() if due else "—"

    def render_overdue(self, record):
        if _overdue(record):
            return format_html('<span class="badge text-bg-danger sqdj-overdue">{}</span>', _("Overdue"))
        return "—"

    def render_waiting(self, record):
        org = services.waiting_on(record)
        return org.name if org else "—"

    def render_state_changed_on(self, value):
        return value.isoformat()
