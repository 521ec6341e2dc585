"""The API's filters of transfer cases: state, direction, an org's subtree on either side, overdue cases."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.filtersets import BaseFilterSet, GivenChoiceFilter
from sqdj.orgs.models import Org

from .. import services
from ..choices import OPEN_STATES, Direction, TransferState
from ..models import Transfer


class TransferFilterSet(BaseFilterSet):
    """`q` searches the name on the letter and the letter number."""

    search_fields = ("person_name", "letter_number")

    state = GivenChoiceFilter(choices=TransferState.choices, label=_("state"))
    direction = GivenChoiceFilter(choices=Direction.choices, label=_("direction"))
    org = django_filters.CharFilter(method="filter_org", label=_("Organization (code), on either side"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Transfer
        fields = ["q", "state", "direction", "org", "overdue"]

    def filter_org(self, queryset, name, value):
        org = Org.objects.filter(code=value.strip()).first()
        if org is None:
            return queryset.none()
        return queryset.filter(Q(from_org__path__startswith=org.path) | Q(to_org__path__startswith=org.path))

    def filter_overdue(self, queryset, name, value):
        # The due date depends on the state and on rulebook parameters valid on the day the step began
        # (services.due_date), so it is decided in Python over the open cases' few date columns.
        today = dates.today()
        candidates = (
            queryset.select_related(None)
            .filter(state__in=OPEN_STATES)
            .only("pk", "state", "valid_until", "state_changed_on")
        )
        late = [case.pk for case in candidates if services.is_overdue(case, today)]
        return queryset.filter(pk__in=late) if value else queryset.exclude(pk__in=late)
