import datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from sqdj.core.filtersets import BaseFilterSet
from sqdj.core.models import RuleParameter
from sqdj.core.rules import title_of

from . import services

KIND_CHOICES = [("national", _("National")), ("local", _("Local variant"))]


class RuleParameterFilterSet(BaseFilterSet):
    search_fields = ("rule_id", "regulation", "article", "note")

    rule_id = django_filters.ChoiceFilter(label=_("rule"), choices=[])
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=KIND_CHOICES, method="filter_kind")
    trust = django_filters.ChoiceFilter(label=_("trust"), choices=RuleParameter.Trust.choices)
    in_force_on = django_filters.DateFilter(
        label=_("In force on"), method="filter_in_force", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = RuleParameter
        fields = ["q", "rule_id", "kind", "trust", "in_force_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        titles = [(r, title_of(r)) for r in services.rule_ids()]
        self.filters["rule_id"].extra["choices"] = sorted(titles, key=lambda pair: pair[1])

    def filter_kind(self, queryset, name, value):
        return queryset.filter(local=value == "local")

    def filter_in_force(self, queryset, name, value: datetime.date):
        """The rows `param()` uses on that date, one per rule."""
        return queryset.filter(pk__in=services.in_force_ids(value))
