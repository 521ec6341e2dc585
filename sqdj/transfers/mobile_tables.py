"""Lists of mobile members. Contact and ID numbers appear only masked, whoever looks."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.tables import BaseTable, DateColumn

from . import mobile_services as services
from .models import Inflow, Outflow


def _days(value):
    return (dates.today() - value).days


def _badge(css: str, text) -> str:
    return format_html('<span class="badge text-bg-{}">{}</span>', css, text)


class OutflowTable(BaseTable):
    name = tables.Column(verbose_name=_("name"), accessor="member__name", order_by=("member__name",), linkify=True)
    org = tables.Column(
        verbose_name=_("party organization"), accessor="member__org__name", order_by=("member__org__code",)
    )
    destination = tables.Column(empty_values=())
    left_on = DateColumn()
    away = tables.Column(verbose_name=_("months away"), accessor="left_on", order_by=("-left_on",))
    last_contact_on = DateColumn()
    days_since_contact = tables.Column(
        verbose_name=_("days since contact"), accessor="last_contact_on", order_by=("-last_contact_on",)
    )
    mobile_card_number = tables.Column()
    contact = tables.Column(verbose_name=_("contact telephone"), orderable=False, empty_values=())
    status = tables.Column(verbose_name=_("status"), orderable=False, empty_values=())

    class Meta(BaseTable.Meta):
        model = Outflow
        fields = ("name", "org", "destination", "left_on", "away", "last_contact_on", "days_since_contact",
                  "mobile_card_number", "contact", "status")  # fmt: skip
        order_by = ("-left_on",)

    def render_name(self, value, record):
        return value

    def render_destination(self, value, record):
        return _("unknown (to complete)") if record.incomplete else value

    def render_away(self, value, record):
        months = services.months_away(value)
        if not services.is_mobile(record):
            return format_html("{} {}", months, _badge("light border", _("under the minimum")))
        return months

    def render_days_since_contact(self, value):
        return _days(value)

    def render_contact(self, record):
        return record.contact_masked or "—"

    def render_status(self, record):
        if record.ended_on:
            return _badge("secondary", _("ended"))
        if record.incomplete:
            return _badge("warning", _("incomplete"))
        if record.lost_contact_since:
            return _badge("danger", _("lost contact since %(date)s") % {"date": record.lost_contact_since.isoformat()})
        if services.contact_overdue(record.last_contact_on):
            return _badge("warning", _("contact overdue"))
        return _badge("success", _("in contact"))


class InflowTable(BaseTable):
    name = tables.Column(linkify=True)
    home_org_name = tables.Column()
    host_org = tables.Column(
        verbose_name=_("host organization"), accessor="host_org__name", order_by=("host_org__code",)
    )
    branch = tables.Column(verbose_name=_("branch for activities"), accessor="branch__name", default="—")
    arrived_on = DateColumn()
    last_contact_on = DateColumn()
    days_since_contact = tables.Column(
        verbose_name=_("days since contact"), accessor="last_contact_on", order_by=("-last_contact_on",)
    )
    mobile_card_number = tables.Column()
    id_number = tables.Column(verbose_name=_("citizen ID number"), orderable=False, empty_values=())
    phone = tables.Column(verbose_name=_("phone number"), orderable=False, empty_values=())
    status = tables.Column(verbose_name=_("status"), orderable=False, empty_values=())

    class Meta(BaseTable.Meta):
        model = Inflow
        fields = ("name", "home_org_name", "host_org", "branch", "arrived_on", "last_contact_on", "days_since_contact",
                  "mobile_card_number", "id_number", "phone", "status")  # fmt: skip
        order_by = ("-arrived_on",)

    def render_days_since_contact(self, value):
        return _days(value)

    def render_id_number(self, record):
        return record.id_number_masked

    def render_phone(self, record):
        return record.phone_masked or "—"

    def render_status(self, record):
        if record.ended_on:
            return _badge("secondary", _("ended"))
        parts = [_badge("success", _("verified")) if record.verified else _badge("warning", _("not verified"))]
        if services.contact_overdue(record.last_contact_on):
            parts.append(_badge("warning", _("contact overdue")))
        return format_html("{}", format_html(" ".join(["{}"] * len(parts)), *parts))
