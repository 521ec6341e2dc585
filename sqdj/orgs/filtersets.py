import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from sqdj.core.filtersets import BaseFilterSet, ColumnChoicesFilter, TreeFilterSet
from sqdj.core.widgets import SearchSelect

from .choices import OrgType, Sector
from .models import Org


def org_picker() -> SearchSelect:
    """The tree picker of a filter taking `?org=CODE` (interfaces.md §5: the filters take codes): it sends the code."""
    return SearchSelect(reverse_lazy("orgs:org_pick"), value_field="code", model="orgs.Org")


def area_picker() -> SearchSelect:
    """The tree picker of a filter taking an area's code, among the areas the user sees."""
    return SearchSelect(reverse_lazy("areas:area_pick"), {"scoped": "1"}, value_field="code", model="areas.Area")


class OrgFilterSet(TreeFilterSet):
    search_fields = ("name", "code", "name_pinyin", "name_initials")

    org = django_filters.CharFilter(method="filter_under", label=_("Within organization"), widget=org_picker())
    type = ColumnChoicesFilter(choices=OrgType.choices, label=_("Organization type"))
    sector = ColumnChoicesFilter(choices=Sector.choices, label=_("Sector"))
    area = django_filters.CharFilter(field_name="area__code", label=_("Located in area"), widget=area_picker())
    # statistics drill-down (issue 14, stats helper): the organizations existing on a day, as the statistics count
    as_of = django_filters.DateFilter(method="filter_as_of", label=_("Existing on"))

    class Meta:
        model = Org
        fields = ["q", "org", "descendants", "type", "sector", "code", "area", "as_of"]

    def filter_as_of(self, queryset, name, value):
        return queryset.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=value))  # no date: always existed


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """An id: digits only (NumberFilter would take 1.5 or 1e9)."""

    field_class = forms.IntegerField

    def filter(self, qs, value):
        if value is not None and not -(2**63) <= value < 2**63:
            return qs.none()  # no id is that large (the database could not even compare it)
        return super().filter(qs, value)


class UnderOrgFilterSet(BaseFilterSet):
    """`org=CODE`: the rows of that organization; with `descendants=true`, of its whole subtree."""

    org_path_field = "org__path"

    org = django_filters.CharFilter(method="filter_org", label=_("party organization"), widget=org_picker())
    descendants = django_filters.BooleanFilter(method="noop", label=_("Include all levels below"))

    def noop(self, queryset, name, value):
        return queryset

    def filter_org(self, queryset, name, value):
        node = Org.objects.filter(code=value.strip()).first()
        if node is None:
            return queryset.none()
        if self.form.cleaned_data.get("descendants"):
            return queryset.filter(**{f"{self.org_path_field}__startswith": node.path})
        return queryset.filter(**{self.org_path_field: node.path})
