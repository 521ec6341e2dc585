"""The certificates' list filters (the page's form and the API's parameters)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import community_picker
from sqdj.core.filtersets import BaseFilterSet
from sqdj.core.numbering import normalize
from sqdj.orgs.filtersets import org_picker

from .models import Certificate


class CertificateFilterSet(BaseFilterSet):
    """`q`: the member's name (or pinyin) or the number (typed with or without spaces); `community`, `org` by code;
    `year` of issue; `revoked`."""

    search_fields = ("member__name", "member__name_pinyin", "member__name_initials")

    community = django_filters.CharFilter(method="filter_community", label=_("community"), widget=community_picker())
    org = django_filters.CharFilter(method="filter_org", label=_("issuing organization"), widget=org_picker())
    year = django_filters.NumberFilter(field_name="issued_on__year", label=_("year of issue"), min_value=1900,
                                       max_value=9999, decimal_places=0)  # fmt: skip
    revoked = django_filters.BooleanFilter(method="filter_revoked", label=_("revoked or not"))

    class Meta:
        model = Certificate
        fields = ["q", "community", "org", "year", "revoked"]

    def search(self, queryset, name, value):
        number = normalize(value)
        if number.startswith("ZM") and number[2:].isdigit():  # a number, whole or its beginning
            return queryset.filter(number__startswith=number)
        return super().search(queryset, name, value)

    def filter_community(self, queryset, name, value):
        return queryset.filter(community__code=value.strip()) if value else queryset

    def filter_org(self, queryset, name, value):
        return queryset.filter(org__code=value.strip()) if value else queryset

    def filter_revoked(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(revoked_on__isnull=not value)
