import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sqdj.core.models import RuleParameter
from sqdj.core.rules import title_of
from sqdj.core.tables import BaseTable

from . import services

FOLD_AFTER = 16  # characters of a value shown on one line; a longer one folds


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
        # the rule's name in the user's language; the id stays in the link (and the row's data-rule)
        return format_html('<a href="{}">{}</a>', reverse("rulebook:rule", args=[value]), title_of(value))

    def render_value(self, record):
        text = services.format_value(record.value, record.unit)
        if len(text) <= FOLD_AFTER:
            return format_html('<span class="text-nowrap fw-semibold">{}</span>', text)
        # a long value (a list of sectors, who approves at each level) folds instead of widening the table
        return format_html(
            '<details class="rule-value"><summary class="fw-semibold">{}…</summary>{}</details>',
            text[: FOLD_AFTER - 2],
            text,
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
