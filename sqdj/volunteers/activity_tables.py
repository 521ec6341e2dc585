import django_tables2 as tables
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable, DateColumn

from .models import Activity


class WhenColumn(tables.Column):
    """The start, in local time to the minute (no template per cell)."""

    def render(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class ActivityTable(BaseTable):
    title = tables.Column(linkify=True)
    starts_at = WhenColumn()
    place = tables.Column()
    community = tables.Column(order_by=("community__path",))
    organizer = tables.Column()
    taken = tables.Column(verbose_name=_("signed up"), orderable=False)
    capacity = tables.Column(default="—")
    cancelled_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = Activity
        fields = ("title", "starts_at", "place", "community", "organizer", "taken", "capacity", "cancelled_on")
        order_by = ("-starts_at",)
