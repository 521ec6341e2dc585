"""The request part's lists: one FilterSet per list serves the page's filter form and the API's parameters."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import UnderAreaMixin
from sqdj.core.filtersets import BaseFilterSet
from sqdj.orgs.filtersets import area_picker

from .choices import OPEN_STATES, RequestKind, RequestState, Source, Urgency
from .models import Category, Request
from .requests import escalated_q, figure_qs, overdue_q, received_until

# the statistics' `requests` figures a list can show (`?figure=`), as of `received_to` (else today)
FIGURE_CHOICES = [
    ("total", _("Resident requests")),
    ("closed", _("Requests closed")),
    ("closed_on_time", _("Closed on time")),
    ("satisfied", _("Satisfied (incl. basically)")),
    ("rated", _("Rated")),
    ("wishes_fulfilled", _("Wishes fulfilled")),
]


def _categories(request):
    return Category.objects.restrict(getattr(request, "user", None), "view").order_by("position", "code")


def assigned_to_me_q(user) -> Q:
    """Open requests assigned to the user's own member record (the member's to-do, `?assigned_to_me=true`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(assigned_member__user=user, state__in=OPEN_STATES)


class RequestFilterSet(UnderAreaMixin, BaseFilterSet):
    """`?q=` the number or the summary, `?state=`, `?category=CODE`, `?source=`, `?urgency=`, `?area=CODE` (that area
    and below), `?overdue=true` (open, past the due time), `?escalated=true` (open, escalated to the subdistrict),
    `?assigned_to_me=true` (open, assigned to the user's own member record), `?kind=` (request or wish),
    `?received_to=YYYY-MM-DD` (received by the end of that day) and `?figure=` one of the statistics' `requests`
    counts as of that day (the statistics link here, so that a figure and its list agree). The to-dos link here."""

    search_fields = ("number", "summary")

    state = django_filters.ChoiceFilter(choices=RequestState.choices, label=_("state"))
    category = django_filters.CharFilter(method="filter_category", label=_("category"))  # a code: any string
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("source"))
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label=_("urgency"))
    area = django_filters.CharFilter(method="filter_area", label=_("area (incl. below)"), widget=area_picker())
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    escalated = django_filters.BooleanFilter(method="filter_escalated", label=_("escalated to the subdistrict"))
    assigned_to_me = django_filters.BooleanFilter(method="filter_assigned_to_me", label=_("assigned to me"))
    kind = django_filters.ChoiceFilter(choices=RequestKind.choices, label=_("kind"))
    received_to = django_filters.DateFilter(method="filter_received_to", label=_("received up to"))
    figure = django_filters.ChoiceFilter(choices=FIGURE_CHOICES, method="filter_figure", label=_("figure"))

    class Meta:
        model = Request
        fields = ["q", "state", "category", "source", "urgency", "area", "overdue", "escalated", "assigned_to_me",
                  "kind", "received_to", "figure"]  # fmt: skip

    def filter_received_to(self, queryset, name, value):
        return queryset.filter(received_until(value)) if value else queryset

    def filter_figure(self, queryset, name, value):
        if not value:
            return queryset
        as_of = self.form.cleaned_data.get("received_to") or timezone.localdate()
        return queryset.filter(figure_qs(as_of)[value])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not getattr(self, "_sqdj_strict", False):  # the page: a select of the categories the user may use
            choices = [("", _("Any")), *((c.code, c.name) for c in _categories(getattr(self, "request", None)))]
            category = self.filters["category"]
            category.extra["widget"] = forms.Select(choices=choices)
            category.__dict__.pop("_field", None)  # made again with the select

    def filter_category(self, queryset, name, value):
        return queryset.filter(category__code=value.strip()) if value and value.strip() else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = overdue_q(timezone.now())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_escalated(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(escalated_q()) if value else queryset.exclude(escalated_q())

    def filter_assigned_to_me(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(assigned_to_me_q(getattr(getattr(self, "request", None), "user", None)))


class CategoryFilterSet(BaseFilterSet):
    search_fields = ("code", "name")

    active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Category
        fields = ["q", "active"]
