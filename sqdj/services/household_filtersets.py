"""The household part's list: one FilterSet serves the page's filter form and the API's parameters."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import UnderAreaMixin
from sqdj.core.filtersets import BaseFilterSet
from sqdj.orgs.filtersets import area_picker

from .choices import Hardship, HouseholdState
from .households import helped_on_q, paired_with_q, review_due_q
from .models import Assistance, Household, HouseholdReview, Support


class HouseholdFilterSet(UnderAreaMixin, BaseFilterSet):
    """`?q=` the number, `?state=`, `?hardship=` (a kind of hardship), `?area=CODE` (that area and below),
    `?review_due=true` (open, the yearly review due), `?paired_with_me=true` (open, paired with the user's own
    member record), `?helped_on=YYYY-MM-DD` (being helped that day: the statistics link here). The to-dos link here."""

    search_fields = ("number",)

    state = django_filters.ChoiceFilter(choices=HouseholdState.choices, label=_("state"))
    hardship = django_filters.ChoiceFilter(choices=Hardship.choices, method="filter_hardship",
                                           label=_("kind of hardship"))  # fmt: skip
    area = django_filters.CharFilter(method="filter_area", label=_("area (incl. below)"), widget=area_picker())
    review_due = django_filters.BooleanFilter(method="filter_review_due", label=_("yearly review due"))
    paired_with_me = django_filters.BooleanFilter(method="filter_paired_with_me", label=_("paired with me"))
    helped_on = django_filters.DateFilter(method="filter_helped_on", label=_("being helped on"))

    class Meta:
        model = Household
        fields = ["q", "state", "hardship", "area", "review_due", "paired_with_me", "helped_on"]

    def filter_helped_on(self, queryset, name, value):
        return queryset.filter(helped_on_q(value)) if value else queryset

    def filter_hardship(self, queryset, name, value):
        # the JSON list's text holds each code quoted: a containment test that SQLite and PostgreSQL both answer
        return queryset.filter(hardships__icontains=f'"{value}"') if value else queryset

    def filter_review_due(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(review_due_q()) if value else queryset.exclude(review_due_q())

    def filter_paired_with_me(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(paired_with_q(getattr(getattr(self, "request", None), "user", None)))


class AssistanceFilterSet(BaseFilterSet):
    """`?household=NUMBER`, `?active=true` (not ended)."""

    household = django_filters.CharFilter(field_name="household__number", label=_("household number"))
    active = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("active"))

    class Meta:
        model = Assistance
        fields = ["household", "active"]


class SupportFilterSet(BaseFilterSet):
    """`?household=NUMBER`, `?kind=`."""

    household = django_filters.CharFilter(field_name="household__number", label=_("household number"))

    class Meta:
        model = Support
        fields = ["household", "kind"]


class HouseholdReviewFilterSet(BaseFilterSet):
    """`?household=NUMBER`, `?outcome=`."""

    household = django_filters.CharFilter(field_name="household__number", label=_("household number"))

    class Meta:
        model = HouseholdReview
        fields = ["household", "outcome"]
