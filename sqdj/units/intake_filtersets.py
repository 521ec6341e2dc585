"""One FilterSet per list: the page's filter form, the API's parameters and the export (core.filtersets)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import UnderAreaMixin
from sqdj.core import dates
from sqdj.core.filtersets import BaseFilterSet, ColumnChoicesFilter
from sqdj.orgs.filtersets import IntegerFilter, area_picker

from .choices import Authority, ChangeKind, InstructorKind, IntakeStatus
from .intake import pending_q
from .models import AuthorityEntry, Instructor, Visit

OVERDUE, OPEN = "overdue", "open"


class AuthorityEntryFilterSet(UnderAreaMixin, BaseFilterSet):
    search_fields = ("name", "credit_code")

    status = ColumnChoicesFilter(choices=IntakeStatus.choices, label=_("status"))
    kind = ColumnChoicesFilter(choices=ChangeKind.choices, label=_("type of change"))
    authority = ColumnChoicesFilter(choices=Authority.choices, label=_("registration authority"))
    area = django_filters.CharFilter(method="filter_area", label=_("located in area"), widget=area_picker())
    # the to-dos link here: entries awaiting contact past their due day, or not yet — of those the user may change
    due = django_filters.ChoiceFilter(
        method="filter_due", label=_("Contact due"),
        choices=((OVERDUE, _("Overdue")), (OPEN, _("Not yet due"))),
    )  # fmt: skip

    class Meta:
        model = AuthorityEntry
        fields = ["q", "status", "kind", "authority", "area", "due"]

    def filter_due(self, queryset, name, value):
        if not value:
            return queryset
        user = getattr(getattr(self, "request", None), "user", None)
        mine = AuthorityEntry.objects.restrict(user, "change") if user is not None else AuthorityEntry.objects.all()
        due = mine.filter(pending_q(dates.today(), overdue=value == OVERDUE))
        return queryset.filter(pk__in=due.values("pk"))


class InstructorFilterSet(UnderAreaMixin, BaseFilterSet):
    search_fields = ("name", "unit__name", "unit__credit_code", "sent_by")
    area_path_field = "unit__area__path"

    kind = ColumnChoicesFilter(choices=InstructorKind.choices, label=_("kind"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("Assigned today"))
    area = django_filters.CharFilter(method="filter_area", label=_("located in area"), widget=area_picker())
    unit = IntegerFilter(field_name="unit_id", label=_("unit"))

    class Meta:
        model = Instructor
        fields = ["q", "kind", "current", "area", "unit"]

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(ended_on__isnull=value)


class VisitFilterSet(BaseFilterSet):
    search_fields = ("content", "next_step", "instructor__name")

    instructor = IntegerFilter(field_name="instructor_id", label=_("instructor"))
    unit = IntegerFilter(field_name="instructor__unit_id", label=_("unit"))

    class Meta:
        model = Visit
        fields = ["q", "instructor", "unit"]
