import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable, DateColumn

from .models import Certificate


class CertificateTable(BaseTable):
    number = tables.Column(linkify=lambda record: record.get_absolute_url())
    member = tables.Column(order_by=("member__name",))
    org = tables.Column(verbose_name=_("issuing organization"), order_by=("org__path",))
    period_start = DateColumn()
    period_end = DateColumn()
    hours = tables.Column()
    records = tables.Column()
    issued_on = DateColumn()
    revoked_on = DateColumn()

    class Meta(BaseTable.Meta):
        model = Certificate
        fields = ("number", "member", "org", "period_start", "period_end", "hours", "records", "issued_on",
                  "revoked_on")  # fmt: skip
        order_by = ("-issued_on",)
