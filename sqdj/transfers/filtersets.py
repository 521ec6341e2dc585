"""Filters of the transfer case list (the same class can serve the API's parameters)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sqdj.core.filtersets import BaseFilterSet, ColumnChoicesFilter
from sqdj.orgs.filtersets import org_picker
from sqdj.orgs.models import Org

from . import services
from .choices import OPEN_STATES, Direction, TransferState
from .models import Transfer


def overdue_pks(queryset, on=None) -> list[int]:
    """The cases of `queryset` past their step's due date. The due date depends on the rulebook parameter in force
    when the step began, so it is computed per case — over open cases only, which stay few."""
    cases = (
        queryset.select_related(None)
        .filter(state__in=OPEN_STATES)
        .only("pk", "state", "valid_until", "state_changed_on", "direction")
    )
    return [c.pk for c in cases if services.is_overdue(c, on)]


def waiting_pks(queryset, user) -> list[int]:
    """The open cases of `queryset` whose next step is `user`'s (services.waiting_on), as the workbench counts them."""
    cases = queryset.filter(state__in=OPEN_STATES).select_related(
        "from_org", "to_org", "sending_approver", "receiving_approver"
    )
    return [c.pk for c in cases if (org := services.waiting_on(c)) is not None and services.may_act(user, org)]


class TransferFilterSet(BaseFilterSet):
    search_fields = ("person_name", "letter_number", "external_org_name")

    state = ColumnChoicesFilter(choices=TransferState.choices, label=_("state"))
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("direction"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open cases only"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue only"))
    org = django_filters.CharFilter(
        method="filter_org", label=_("Organization, either side, with all below"), widget=org_picker()
    )
    # the workbench's to-do links here (issue 14): the open cases whose next step is the signed-in user's
    waiting = django_filters.BooleanFilter(method="filter_waiting", label=_("Waiting for me"))

    class Meta:
        model = Transfer
        fields = ["q", "state", "direction", "open", "overdue", "org", "waiting"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(state__in=OPEN_STATES) if value else queryset.exclude(state__in=OPEN_STATES)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=overdue_pks(queryset))

    def filter_waiting(self, queryset, name, value):
        if value is None:
            return queryset
        user = getattr(getattr(self, "request", None), "user", None)
        mine = waiting_pks(queryset, user) if user is not None else []
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)

    def filter_org(self, queryset, name, value):
        org = Org.objects.filter(code=value.strip()).first()
        if org is None:
            return queryset.none()
        return queryset.filter(Q(from_org__path__startswith=org.path) | Q(to_org__path__startswith=org.path))
