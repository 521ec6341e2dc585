import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable

from .models import Station


class StationTable(BaseTable):
    name = tables.Column(linkify=lambda record: record.get_absolute_url())
    area = tables.Column(accessor="area__name", verbose_name=_("area"), order_by=("area__path",))
    address = tables.Column()
    hours = tables.Column()
    phone = tables.Column()
    org = tables.Column(accessor="org__name", verbose_name=_("party organization"), order_by=("org__path",))
    public = tables.BooleanColumn()
    active = tables.BooleanColumn()

    class Meta(BaseTable.Meta):
        model = Station
        fields = ("name", "area", "address", "hours", "phone", "org", "public", "active")
        order_by = ("area", "name")
