"""The station list's filters (the page's form and the API's parameters, core.filtersets)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import UnderAreaMixin
from sqdj.core.filtersets import BaseFilterSet
from sqdj.orgs.filtersets import area_picker

from .models import Station


class StationFilterSet(UnderAreaMixin, BaseFilterSet):
    search_fields = ("name", "address", "services", "area__name", "org__name")

    active = django_filters.BooleanFilter(label=_("active"))
    public = django_filters.BooleanFilter(label=_("shown on the public page"))
    area = django_filters.CharFilter(method="filter_area", label=_("area (incl. below)"), widget=area_picker())

    class Meta:
        model = Station
        fields = ["q", "active", "public", "area"]
