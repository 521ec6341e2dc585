"""The visit list's filters (the page's form and the API's parameters, core.filtersets)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import UnderAreaMixin
from sqdj.core.filtersets import BaseFilterSet
from sqdj.orgs.filtersets import area_picker

from .models import Visit


class VisitFilterSet(UnderAreaMixin, BaseFilterSet):
    """`?q=` words of what was heard, `?area=CODE` (that area and below), `?visited_from=` / `?visited_to=` (days),
    `?household=NUMBER`, `?mine=true` (the visits the user's own member record took part in)."""

    search_fields = ("heard", "other_visitors")

    area = django_filters.CharFilter(method="filter_area", label=_("area (incl. below)"), widget=area_picker())
    visited_from = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte", label=_("visited from"))
    visited_to = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=_("visited until"))
    household = django_filters.CharFilter(method="filter_household", label=_("household number"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("visits I took part in"))

    class Meta:
        model = Visit
        fields = ["q", "area", "visited_from", "visited_to", "household", "mine"]

    def filter_household(self, queryset, name, value):
        return queryset.filter(household__number=value.strip()) if value and value.strip() else queryset

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        user = getattr(getattr(self, "request", None), "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return queryset.none() if value else queryset
        mine = Visit.objects.filter(visitors__user=user).values("pk")
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)
