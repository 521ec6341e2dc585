"""Filters of the council and agreement lists: one FilterSet per list serves the page, the API and the export."""

import django_filters
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.filtersets import ColumnChoicesFilter
from sqdj.orgs.filtersets import IntegerFilter, UnderOrgFilterSet

from .choices import AgreementKind, CouncilKind, DecisionStatus
from .councils import OPEN_DECISION_STATUSES
from .models import Agreement, Council, CouncilMeeting, Decision


class CouncilFilterSet(UnderOrgFilterSet):
    search_fields = ("name", "org__name", "org__code")

    kind = ColumnChoicesFilter(choices=CouncilKind.choices, label=_("kind"))

    class Meta:
        model = Council
        fields = ["q", "org", "descendants", "kind"]


class CouncilMeetingFilterSet(UnderOrgFilterSet):
    search_fields = ("council__name", "place", "agenda")
    org_path_field = "council__org__path"

    council = IntegerFilter(field_name="council_id", label=_("council"))

    class Meta:
        model = CouncilMeeting
        fields = ["q", "org", "descendants", "council"]


class DecisionFilterSet(UnderOrgFilterSet):
    search_fields = ("title", "council__name", "owner__name")
    org_path_field = "council__org__path"

    council = IntegerFilter(field_name="council_id", label=_("council"))
    status = ColumnChoicesFilter(choices=DecisionStatus.choices, label=_("status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Decision
        fields = ["q", "org", "descendants", "council", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = {"status__in": OPEN_DECISION_STATUSES, "due_on__lt": dates.today()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class AgreementFilterSet(UnderOrgFilterSet):
    search_fields = ("title", "number", "org__name", "units__name")

    kind = ColumnChoicesFilter(choices=AgreementKind.choices, label=_("kind"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("In force today"))

    class Meta:
        model = Agreement
        fields = ["q", "org", "descendants", "kind", "current"]

    def search(self, queryset, name, value):
        # a search through the units matches an agreement once per unit: each agreement listed once
        found = super().search(queryset.model.objects.all(), name, value)
        return queryset.filter(pk__in=found.values("pk")) if value.strip() else queryset

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        today = dates.today()
        cond = {"starts_on__lte": today, "ends_on__gte": today, "ended_on__isnull": True}
        return queryset.filter(**cond) if value else queryset.exclude(**cond)
