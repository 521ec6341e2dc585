import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable, DateColumn

from .models import UnitRegistration


class UnitRegistrationTable(BaseTable):
    org = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("org__path",))
    community = tables.Column(order_by=("community__path",))
    registered_on = DateColumn()
    commitments = tables.Column(verbose_name=_("what the unit offers"))
    ended_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = UnitRegistration
        fields = ("org", "community", "registered_on", "commitments", "ended_on")
        order_by = ("-registered_on",)
