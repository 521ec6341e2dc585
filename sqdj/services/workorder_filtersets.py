"""The work orders' filters: the list page's form, the API's parameters, the statistics' drill-down (services.stats:
`?area=CODE&received_to=YYYY-MM-DD&figure=KEY` selects exactly the orders a figure counts) and the to-dos
(`?warning=red|yellow`, `?placed=false`: 待分派)."""

from __future__ import annotations

import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import UnderAreaMixin
from sqdj.core.filtersets import BaseFilterSet
from sqdj.orgs.filtersets import area_picker

from .choices import RequestState
from .models import WorkOrder
from .stats import COUNTED
from .workorders import RED, YELLOW, figure_qs, red_q, yellow_q

FIGURE_CHOICES = [
    ("unplaced", _("waiting to be placed")),
    ("responded_in_time", _("responded in time")),
    ("resolved", _("resolved")),
    ("resolved_on_time", _("resolved on time")),
    ("rated", _("rated")),
    ("satisfied", _("satisfied or basically satisfied")),
]
assert tuple(k for k, _label in FIGURE_CHOICES) == COUNTED  # noqa: S101 - the figures and their filters agree
WARNING_CHOICES = [(RED, _("Red warning")), (YELLOW, _("Yellow warning"))]


class WorkOrderFilterSet(UnderAreaMixin, BaseFilterSet):
    """`?q=` the number, content or address; `?area=CODE` (placed there or below, or waiting at that subdistrict);
    `?state=`, `?placed=`, `?warning=red|yellow`, `?received_from=` / `?received_to=` (days received),
    `?figure=` one of the statistics' counts."""

    search_fields = ("number", "content", "address")

    area = django_filters.CharFilter(method="filter_area", label=_("area (incl. below)"), widget=area_picker())
    state = django_filters.ChoiceFilter(field_name="request__state", choices=RequestState.choices, label=_("state"))
    placed = django_filters.BooleanFilter(field_name="request__placed", label=_("placed"))
    warning = django_filters.ChoiceFilter(choices=WARNING_CHOICES, method="filter_warning", label=_("warning"))
    received_from = django_filters.DateFilter(method="filter_received_from", label=_("received from"))
    received_to = django_filters.DateFilter(method="filter_received_to", label=_("received until"))
    figure = django_filters.ChoiceFilter(choices=FIGURE_CHOICES, method="filter_figure", label=_("figure"))

    class Meta:
        model = WorkOrder
        fields = ["q", "area", "state", "placed", "warning", "received_from", "received_to", "figure"]

    area_path_field = "request__area__path"

    @staticmethod
    def _start(day: datetime.date):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    def filter_received_from(self, queryset, name, value):
        return queryset.filter(received_at__gte=self._start(value)) if value else queryset

    def filter_received_to(self, queryset, name, value):
        return queryset.filter(received_at__lt=self._start(value + datetime.timedelta(days=1))) if value else queryset

    def filter_warning(self, queryset, name, value):
        if value == RED:
            return queryset.filter(red_q())
        return queryset.filter(yellow_q()) if value == YELLOW else queryset

    def filter_figure(self, queryset, name, value):
        if not value:
            return queryset
        as_of = self.form.cleaned_data.get("received_to") or timezone.localdate()
        return queryset.filter(figure_qs(as_of)[value])
