import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.filtersets import BaseFilterSet, ColumnChoicesFilter
from sqdj.orgs.filtersets import IntegerFilter, UnderOrgFilterSet

from .choices import APPROVED_OFFICES, ElectionKind, PositionRole, ResidentsSeatRole
from .models import Election, Position, ResidentsCommittee, ResidentsSeat


def pending_elections(queryset):
    """Elections of a secretary or deputy whose approval by the superior is not recorded (Election.pending_approval)."""
    return queryset.filter(office__in=APPROVED_OFFICES, approved_on__isnull=True)


class PositionFilterSet(UnderOrgFilterSet):
    search_fields = ("member__name", "member__name_initials", "org__name", "org__code")

    role = ColumnChoicesFilter(choices=PositionRole.choices, label=_("post"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("Held today"))

    class Meta:
        model = Position
        fields = ["q", "org", "descendants", "role", "current"]

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        today = dates.today()
        held = Q(started_on__lte=today) & (Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        return queryset.filter(held) if value else queryset.exclude(held)


class ElectionFilterSet(UnderOrgFilterSet):
    search_fields = ("org__name", "org__code", "note")

    kind = django_filters.ChoiceFilter(choices=ElectionKind.choices, label=_("kind"))
    # the workbench's to-do links here (issue 14): secretaries' elections whose approval is not recorded yet, of
    # the orgs the user may change (those guided, seen read only, are not the user's to record)
    pending_approval = django_filters.BooleanFilter(method="filter_pending", label=_("Awaiting approval"))

    class Meta:
        model = Election
        fields = ["q", "org", "descendants", "kind", "pending_approval"]

    def filter_pending(self, queryset, name, value):
        if value is None:
            return queryset
        user = getattr(getattr(self, "request", None), "user", None)
        pending = pending_elections(Election.objects.restrict(user, "change") if user else queryset)
        return queryset.filter(pk__in=pending.values("pk")) if value else queryset.exclude(pk__in=pending.values("pk"))


class ResidentsCommitteeFilterSet(BaseFilterSet):
    search_fields = ("name", "area__name", "area__code")

    area = django_filters.CharFilter(field_name="area__code", label=_("Area code"))

    class Meta:
        model = ResidentsCommittee
        fields = ["q", "area"]


class ResidentsSeatFilterSet(BaseFilterSet):
    search_fields = ("person_name", "member__name", "member__name_initials", "committee__name")

    committee = IntegerFilter(field_name="committee_id", label=_("residents' committee"))
    area = django_filters.CharFilter(field_name="committee__area__code", label=_("Area code"))
    role = ColumnChoicesFilter(choices=ResidentsSeatRole.choices, label=_("post"))

    class Meta:
        model = ResidentsSeat
        fields = ["q", "committee", "area", "role"]
