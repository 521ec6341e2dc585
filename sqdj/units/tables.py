import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sqdj.core.tables import BaseTable

from .models import Unit


class UnitTable(BaseTable):
    """No contact phone here: it is shown only on the unit's page, masked (revealed there with a reason)."""

    name = tables.Column(linkify=True)
    credit_code = tables.Column()
    category = tables.Column()
    area = tables.Column(verbose_name=_("located in area"), accessor="area__name", order_by=("area__path",))
    employees = tables.Column()
    party_members = tables.Column(verbose_name=_("number of party members"))
    org = tables.Column(verbose_name=_("party organization"), accessor="org__name", order_by=("org__path",))
    coverage = tables.Column(verbose_name=_("Coverage"), empty_values=(), orderable=False)
    status = tables.Column()

    class Meta(BaseTable.Meta):
        model = Unit
        fields = ("name", "credit_code", "category", "area", "employees", "party_members", "org", "coverage",
                  "status")  # fmt: skip
        order_by = ("name",)

    def render_coverage(self, record):
        # 党的组织覆盖 / 工作覆盖 (the list's queryset annotates `work_covered`)
        org = _("Organization covered") if record.org_id else _("No organization")
        work = _("Work covered") if getattr(record, "work_covered", False) else _("No instructor")
        return format_html(
            '<span class="badge {}">{}</span> <span class="badge {}">{}</span>',
            "text-bg-success" if record.org_id else "text-bg-secondary",
            org,
            "text-bg-success" if getattr(record, "work_covered", False) else "text-bg-secondary",
            work,
        )

    def value_coverage(self, record):
        return f"{record.org_id is not None}/{bool(getattr(record, 'work_covered', False))}"
