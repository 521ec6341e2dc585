import django_tables2 as tables
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable, DateColumn

from .models import ServiceHours


def _total(table):
    """The hours of every row the list shows (all pages of the filtered list, not only this page)."""
    data = getattr(table.data, "data", None)
    if data is None or not hasattr(data, "aggregate"):
        return ""
    return data.order_by().aggregate(total=Sum("hours"))["total"] or 0


class ServiceHoursTable(BaseTable):
    served_on = DateColumn(linkify=lambda record: record.get_absolute_url(), footer=_("Total"))
    member = tables.Column(accessor="member__name", verbose_name=_("party member"), order_by=("member__name",))
    hours = tables.Column(footer=_total)
    content = tables.Column()
    community = tables.Column(accessor="community__name", verbose_name=_("community"), order_by=("community__path",))
    org = tables.Column(accessor="org__name", verbose_name=_("recording organization"), order_by=("org__path",))
    source = tables.Column()
    state = tables.Column()

    class Meta(BaseTable.Meta):
        model = ServiceHours
        fields = ("served_on", "member", "hours", "content", "community", "org", "source", "state")
        order_by = ("-served_on",)
