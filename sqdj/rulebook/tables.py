import django_tables2 as tables
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from sqdj.core.models import RuleParameter
from sqdj.core.tables import BaseTable

from . import services


class RuleParameterTable(BaseTable):
    """Every version of every figure; the row `param()` uses today is marked."""

    rule_id = tables.Column(verbose_name=_("rule"))
    value = tables.Column(verbose_name=_("value"), orderable=False)
    source = tables.Column(verbose_name=_("Source"), accessor="regulation", order_by=("regulation", "article"))
    trust = tables.Column()
    period = tables.Column(
        verbose_name=_("Effective period"), accessor="effective_from", order_by=("effective_from", "effective_to")
    )
    local = tables.Column(verbose_name=_("kind"), empty_values=())

    class Meta(BaseTable.Meta):
        model = RuleParameter
        fields = ("rule_id", "value", "source", "trust", "period", "local")
        order_by = ("rule_id", "period")
        row_attrs = {"data-rule": lambda record: record.rule_id, "data-pk": lambda record: record.pk}

    def __init__(self, *args, in_force: set[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.in_force_ids = in_force

    def render_rule_id(self, value):
        # a line may break after a dot of the id, nowhere else
        wrapped = mark_safe(".<wbr>".join(conditional_escape(part) for part in value.split(".")))
        return format_html('<a href="{}"><code>{}</code></a>', reverse("rulebook:rule", args=[value]), wrapped)

    def render_value(self, record):
        return format_html(
            '<span class="text-nowrap fw-semibold">{}</span>', services.format_value(record.value, record.unit)
        )

    def render_source(self, record):
        return format_html(
            '<div class="sqdj-min-14">{}</div><div class="small text-secondary">{}</div>',
            record.regulation,
            record.article,
        )

    def render_trust(self, record):
        return format_html(
            '<span class="badge text-bg-light border">{}</span><div class="small sqdj-min-8">{}</div>',
            record.trust,
            record.get_trust_display(),
        )

    def render_period(self, record):
        end = record.effective_to.isoformat() if record.effective_to else _("open-ended")
        return format_html(
            '<span class="text-nowrap">{}</span> — <span class="text-nowrap">{}</span>',
            record.effective_from.isoformat(),
            end,
        )

    def render_local(self, record):
        if record.local:
            kind = format_html('<span class="badge text-bg-warning">{}</span>', _("Local variant"))
        else:
            kind = format_html('<span class="badge text-bg-secondary">{}</span>', _("National"))
        if record.pk in self.in_force_ids:
            kind = format_html(
                '{} <span class="badge text-bg-success in-force"><i aria-hidden="true" class="bi bi-check-lg"></i> {}'
                "</span>",
                kind,
                _("In force today"),
            )
        return kind
