"""The activity list's filters: the page's form and the API's parameters (core.filtersets)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import community_picker
from sqdj.core import dates
from sqdj.core.filtersets import BaseFilterSet, GivenChoiceFilter
from sqdj.orgs.filtersets import IntegerFilter, UnderOrgFilterSet

from .activities import attendance_due_q, open_q, with_taken
from .choices import Organizer, ServiceArea
from .models import Activity, Signup


class ActivityFilterSet(UnderOrgFilterSet):
    """`q` (title, place), `community=CODE`, `org=CODE` (and below), `organizer`, `service_area`, `upcoming` (not
    started), `open` (a member may still sign up: not cancelled, not started, a place left), `month=YYYY-MM`,
    `attendance_due` (the organizer's to-do: attendance to take)."""

    search_fields = ("title", "place")

    community = django_filters.CharFilter(method="filter_community", label=_("community"), widget=community_picker())
    organizer = django_filters.ChoiceFilter(choices=Organizer.choices, label=_("organizer"))
    service_area = django_filters.ChoiceFilter(choices=ServiceArea.choices, label=_("service area"))
    upcoming = django_filters.BooleanFilter(method="filter_upcoming", label=_("Upcoming"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open for sign-up"))
    month = django_filters.CharFilter(method="filter_month", label=_("Month"),
                                      widget=forms.TextInput(attrs={"type": "month"}))  # fmt: skip
    attendance_due = django_filters.BooleanFilter(method="filter_attendance_due", label=_("Attendance to take"))

    class Meta:
        model = Activity
        fields = ["q", "community", "org", "descendants", "organizer", "service_area", "upcoming", "open", "month",
                  "attendance_due"]  # fmt: skip

    def filter_community(self, queryset, name, value):
        return queryset.filter(community__code=value.strip()) if value else queryset

    def filter_upcoming(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(starts_at__gt=timezone.now()) if value else queryset.filter(starts_at__lte=timezone.now())
        )

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        q = open_q(timezone.now())
        if "taken" not in queryset.query.annotations:  # the pages' and the API's querysets carry it already
            queryset = with_taken(queryset)
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        bounds = dates.month_bounds(value)
        if bounds is None:
            return queryset.none()
        tz = timezone.get_current_timezone()
        start, end = (datetime.datetime.combine(day, datetime.time(), tz) for day in bounds)
        return queryset.filter(starts_at__gte=start, starts_at__lt=end)

    def filter_attendance_due(self, queryset, name, value):
        if value is None:
            return queryset
        q = attendance_due_q(timezone.now())
        return queryset.filter(q) if value else queryset.exclude(q)


class ActivityAPIFilterSet(ActivityFilterSet):
    """The API's: a choice parameter given without a value is an error (core.filtersets.GivenChoiceFilter)."""

    organizer = GivenChoiceFilter(choices=Organizer.choices, label=_("organizer"))
    service_area = GivenChoiceFilter(choices=ServiceArea.choices, label=_("service area"))


class SignupFilterSet(BaseFilterSet):
    """The API's sign-ups: `activity=ID`, `open` (not withdrawn), `q` (the member's name)."""

    search_fields = ("member__name",)

    activity = IntegerFilter(field_name="activity_id", label=_("activity"))
    open = django_filters.BooleanFilter(field_name="withdrawn_at", lookup_expr="isnull", label=_("Not withdrawn"))

    class Meta:
        model = Signup
        fields = ["q", "activity", "open"]
