"""The service records' filters: the list page's form and the API's parameters (core.filtersets)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import UnderAreaMixin, community_picker
from sqdj.core import dates
from sqdj.core.filtersets import BaseFilterSet
from sqdj.orgs.filtersets import IntegerFilter, area_picker, org_picker
from sqdj.orgs.models import Org

from .choices import HoursSource, HoursState
from .hours import awaiting_verification
from .models import ServiceHours


class ServiceHoursFilterSet(UnderAreaMixin, BaseFilterSet):
    """`?q=` the member's name, `?community=CODE`, `?org=CODE` (the recording org and below), `?state=`, `?source=`,
    `?month=YYYY-MM`, `?member=ID`, `?activity=ID`; `?to_verify=true`: those awaiting the user's verification (the
    workbench's to-do links there); the statistics' figures (volunteers.stats) link with `?area=CODE` (the
    communities in that area) and a span of service days `?from=` / `?to=`."""

    search_fields = ("member__name", "member__name_pinyin", "member__name_initials")

    community = django_filters.CharFilter(method="filter_community", label=_("community"), widget=community_picker())
    org = django_filters.CharFilter(method="filter_org", label=_("recording organization (incl. below)"),
                                    widget=org_picker())  # fmt: skip
    state = django_filters.ChoiceFilter(choices=HoursState.choices, label=_("state"))
    source = django_filters.ChoiceFilter(choices=HoursSource.choices, label=_("how it was recorded"))
    month = django_filters.CharFilter(method="filter_month", label=_("month (YYYY-MM)"))
    area = django_filters.CharFilter(method="filter_area", label=_("area (incl. below)"), widget=area_picker())
    served_from = django_filters.DateFilter(field_name="served_on", lookup_expr="gte", label=_("served from"))
    served_to = django_filters.DateFilter(field_name="served_on", lookup_expr="lte", label=_("served until"))
    member = IntegerFilter(field_name="member", label=_("party member"))
    activity = IntegerFilter(field_name="activity", label=_("activity"))
    to_verify = django_filters.BooleanFilter(method="filter_to_verify", label=_("awaiting my verification"))

    class Meta:
        model = ServiceHours
        fields = ["q", "community", "org", "area", "state", "source", "month", "served_from", "served_to", "member",
                  "activity", "to_verify"]  # fmt: skip

    area_path_field = "community__path"

    def filter_community(self, queryset, name, value):
        return queryset.filter(community__code=value.strip()) if value else queryset

    def filter_org(self, queryset, name, value):
        if not value:
            return queryset
        node = Org.objects.filter(code=value.strip()).first()
        return queryset.filter(org__path__startswith=node.path) if node else queryset.none()

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        bounds = dates.month_bounds(value)
        return queryset.none() if bounds is None else queryset.filter(served_on__gte=bounds[0], served_on__lt=bounds[1])

    def filter_to_verify(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(awaiting_verification(getattr(getattr(self, "request", None), "user", None)))
