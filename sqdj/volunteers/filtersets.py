"""One FilterSet per list: the page's filter form, the API's parameters (core.filtersets)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import UnderAreaMixin, community_picker
from sqdj.core.filtersets import BaseFilterSet
from sqdj.orgs.filtersets import area_picker

from .models import UnitRegistration


class UnitRegistrationFilterSet(UnderAreaMixin, BaseFilterSet):
    search_fields = ("org__name", "org__code", "community__name")

    active = django_filters.BooleanFilter(label=_("active"))
    community = django_filters.CharFilter(method="filter_community", label=_("community"), widget=community_picker())

    # the statistics' figure (volunteers.stats): with the communities of an area, standing on a day
    area = django_filters.CharFilter(method="filter_area", label=_("area (incl. below)"), widget=area_picker())
    on = django_filters.DateFilter(method="filter_on", label=_("standing on"))

    area_path_field = "community__path"

    class Meta:
        model = UnitRegistration
        fields = ["q", "active", "community", "area", "on"]

    def filter_on(self, queryset, name, value):
        return queryset.filter(UnitRegistration.standing_q(value))

    def filter_community(self, queryset, name, value):
        return queryset.filter(community__code=value.strip()) if value else queryset
