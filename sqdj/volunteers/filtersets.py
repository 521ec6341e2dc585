"""One FilterSet per list: the page's filter form, the API's parameters (core.filtersets)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import community_picker
from sqdj.core.filtersets import BaseFilterSet

from .models import UnitRegistration


class UnitRegistrationFilterSet(BaseFilterSet):
    search_fields = ("org__name", "org__code", "community__name")

    active = django_filters.BooleanFilter(label=_("active"))
    community = django_filters.CharFilter(method="filter_community", label=_("community"), widget=community_picker())

    class Meta:
        model = UnitRegistration
        fields = ["q", "active", "community"]

    def filter_community(self, queryset, name, value):
        return queryset.filter(community__code=value.strip()) if value else queryset
