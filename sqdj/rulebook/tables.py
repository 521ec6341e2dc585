import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sqdj.core.models import RuleParameter
from sqdj.core.tables import BaseTable, DateColumn

from . import services


class RuleParameterTable(BaseTable):
    """Every version of every figure; the row `param()` uses today is marked."""

    rule_id = tables.Column(verbose_name=_("rule"))
    value = tables.Column(verbose_name=_("value"), orderable=False)
    regulation = tables.Column()
    article = tables.Column()
    trust = tables.Column()
    effective_from = DateColumn()
    effective_to = DateColumn(default="—")
    local = tables.Column(verbose_name=_("kind"))
    in_force = tables.Column(verbose_name=_("In force today"), empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = RuleParameter
        fields = ("rule_id", "value", "regulation", "article", "trust", "effective_from", "effective_to", "local",
                  "in_force")  # fmt: skip
        order_by = ("rule_id", "effective_from")
        row_attrs = {"data-rule": lambda record: record.rule_id, "data-pk": lambda record: record.pk}

    def __init__(self, *args, in_force: set[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.in_force_ids = in_force

    def render_rule_id(self, value):
        return format_html('<a href="{}"><code>{}</code></a>', reverse("rulebook:rule", args=[value]), value)

    def render_value(self, record):
        return services.format_value(record.value, record.unit)

    def render_trust(self, record):
        return format_html(
            '<span class="badge text-bg-light border" title="{}">{}</span> <span class="small">{}</span>',
            record.get_trust_display(),
            record.trust,
            record.get_trust_display(),
        )

    def render_local(self, value):
        if value:
            return format_html('<span class="badge text-bg-warning">{}</span>', _("Local variant"))
        return format_html('<span class="badge text-bg-secondary">{}</span>', _("National"))

    def render_in_force(self, record):
        if record.pk in self.in_force_ids:
            return format_html(
                '<span class="badge text-bg-success"><i aria-hidden="true" class="bi bi-check-lg"></i> {}</span>',
                _("In force"),
            )
        return ""
