import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable

from .models import Visit


class VisitTable(BaseTable):
    visited_on = tables.Column(linkify=lambda record: record.get_absolute_url())
    area = tables.Column(accessor="area__name", verbose_name=_("area"), order_by=("area__path",))
    household = tables.Column(accessor="household__number", verbose_name=_("household in hardship"))
    heard = tables.Column(verbose_name=_("what was heard"), orderable=False)
    other_visitors = tables.Column(orderable=False)

    class Meta(BaseTable.Meta):
        model = Visit
        fields = ("visited_on", "area", "household", "heard", "other_visitors")
        order_by = ("-visited_on",)

    def render_heard(self, value):
        return value if len(value) <= 60 else f"{value[:60]}…"
