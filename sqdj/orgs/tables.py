import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable, DateColumn

from .models import Org


class OrgTable(BaseTable):
    name = tables.Column(linkify=True)
    code = tables.Column()
    type = tables.Column()
    sector = tables.Column()
    area = tables.Column(verbose_name=_("located in area"))
    numchild = tables.Column(verbose_name=_("subordinate organizations"))
    founded_on = DateColumn()
    term_started_on = DateColumn()
    approves_members = tables.BooleanColumn()

    class Meta(BaseTable.Meta):
        model = Org
        fields = (
            "name", "code", "type", "sector", "area", "numchild", "founded_on", "term_started_on", "approves_members",
        )  # fmt: skip
        order_by = ("code",)
