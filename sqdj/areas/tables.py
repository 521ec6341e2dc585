import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable

from .models import Area


class AreaTable(BaseTable):
    name = tables.Column(linkify=True)
    depth = tables.Column(verbose_name=_("level"))
    numchild = tables.Column(verbose_name=_("subordinate areas"))

    class Meta(BaseTable.Meta):
        model = Area
        fields = ("name", "code", "type", "depth", "numchild")
        order_by = ("code",)
