"""Filters of the transfer case list (the same class can serve the API's parameters)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sqdj.core.filtersets import BaseFilterSet, ColumnChoicesFilter
from sqdj.orgs.models import Org

from . import services
from .choices import OPEN_STATES, Direction, TransferState
from .models import Transfer


def overdue_pks(queryset, on=None) -> list[int]:
    """The cases of `queryset` past their step's due date. The due date depends on the rulebook parameter in force
    when the step began, so it is computed per case — over open cases only, which stay few."""
    cases = (
        queryset.select_related(None)
        .filter(state__in=OPEN_STATES)
        .only("pk", "state", "valid_until", "state_changed_on", "direction")
    )
    return [c.pk for c in cases if services.is_overdue(c, on)]


class TransferFilterSet(BaseFilterSet):
    search_fields = ("person_name", "letter_number", "external_org_name")

    state = ColumnChoicesFilter(choices=TransferState.choices, label=_("state"))
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("direction"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open cases only"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue only"))
    org = django_filters.CharFilter(method="filter_org", label=_("Organization (code), either side, with all below"))

    class Meta:
        model = Transfer
        fields = ["q", "state", "direction", "open", "overdue", "org"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(state__in=OPEN_STATES) if value else queryset.exclude(state__in=OPEN_STATES)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=overdue_pks(queryset))

    def filter_org(self, queryset, name, value):
        org = Org.objects.filter(code=value.strip()).first()
        if org is None:
            return queryset.none()
        return queryset.filter(Q(from_org__path__startswith=org.path) | Q(to_org__path__startswith=org.path))
