"""The feedback letters' list filters (the page's form, the API's parameters)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import community_picker
from sqdj.core.filtersets import BaseFilterSet
from sqdj.orgs.filtersets import org_picker
from sqdj.orgs.models import Org

from .choices import Evaluation, FeedbackState, PeriodKind
from .feedback_forms import QUARTERS
from .models import Feedback


def to_sign_q(user) -> Q:
    """The drafts `user` may sign off: those of an org the user may change (the community side)."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    return Q(state=FeedbackState.DRAFT, org__in=Org.objects.restrict(user, "change").values("pk"))


class FeedbackFilterSet(BaseFilterSet):
    """Both sides' lists: the community's drafts and letters, the unit org's signed letters for 民主评议 (the scope
    gate decides which); the workbench's to-do links to `?to_sign=true`."""

    search_fields = ("member__name", "member__name_pinyin", "member__name_initials", "number")

    period_kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, label=_("period"))
    year = django_filters.NumberFilter(field_name="period_start__year", label=_("year"), min_value=1900,
                                       max_value=9999, decimal_places=0)  # fmt: skip
    quarter = django_filters.ChoiceFilter(method="filter_quarter", choices=[(str(n), label) for n, label in QUARTERS],
                                          label=_("quarter"))  # fmt: skip
    community = django_filters.CharFilter(method="filter_community", label=_("community"),
                                          widget=community_picker())  # fmt: skip
    unit_org = django_filters.CharFilter(method="filter_unit_org", label=_("the member's organization (incl. below)"),
                                         widget=org_picker())  # fmt: skip
    state = django_filters.ChoiceFilter(choices=FeedbackState.choices, label=_("state"))
    evaluation = django_filters.ChoiceFilter(choices=Evaluation.choices, label=_("evaluation"))
    to_sign = django_filters.BooleanFilter(method="filter_to_sign", label=_("awaiting my sign-off"))

    class Meta:
        model = Feedback
        fields = ["q", "period_kind", "year", "quarter", "community", "unit_org", "state", "evaluation", "to_sign"]

    def filter_quarter(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(period_kind=PeriodKind.QUARTER, period_start__month=3 * int(value) - 2)

    def filter_community(self, queryset, name, value):
        return queryset.filter(community__code=value.strip()) if value else queryset

    def filter_unit_org(self, queryset, name, value):
        if not value:
            return queryset
        node = Org.objects.filter(code=value.strip()).first()
        return queryset.filter(unit_org__path__startswith=node.path) if node else queryset.none()

    def filter_to_sign(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(to_sign_q(getattr(getattr(self, "request", None), "user", None)))
