"""The unit list's filters: one FilterSet serves the list page, the API (`/api/v1/units/`) and the export. Other
pages link to the list with exactly these names (e.g. `/units/?area=12&neworg=true&org_coverage=false`)."""

import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sqdj.areas.models import Area
from sqdj.core import dates
from sqdj.core.filtersets import BaseFilterSet, ColumnChoicesFilter
from sqdj.orgs.filtersets import area_picker, org_picker
from sqdj.orgs.models import Org

from .choices import NEWORG_CATEGORIES, Industry, UnitCategory, UnitStatus
from .coverage import existing_on, has_instructor
from .models import Unit


class UnitFilterSet(BaseFilterSet):
    """`q` is a part of the name, or a whole 统一社会信用代码. `area` and `org` take codes (the tree pickers); with
    `descendants` (ticked by default) everything below them too."""

    area = django_filters.CharFilter(method="filter_area", label=_("located in area"), widget=area_picker())
    org = django_filters.CharFilter(method="filter_org", label=_("party organization"), widget=org_picker())
    descendants = django_filters.BooleanFilter(method="noop", label=_("Include all levels below"))
    category = ColumnChoicesFilter(choices=UnitCategory.choices, label=_("unit category"))
    status = django_filters.ChoiceFilter(choices=UnitStatus.choices, label=_("status"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("industry"))
    building = django_filters.CharFilter(field_name="building", lookup_expr="icontains",
                                         label=_("office building or park"))  # fmt: skip
    neworg = django_filters.BooleanFilter(method="filter_neworg", label=_("New economic or social organization"))
    org_coverage = django_filters.BooleanFilter(method="filter_org_coverage", label=_("Party organization coverage"))
    work_coverage = django_filters.BooleanFilter(method="filter_work_coverage", label=_("Party work coverage"))
    # the units that exist on the day (registered by then, not yet ended), covered as on that day: what the
    # coverage page counts, so that its figures open lists of as many rows
    as_of = django_filters.DateFilter(method="filter_as_of", label=_("Existing on"))

    class Meta:
        model = Unit
        fields = ["q", "area", "org", "descendants", "category", "status", "industry", "building", "neworg",
                  "org_coverage", "work_coverage", "as_of"]  # fmt: skip

    def noop(self, queryset, name, value):
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # a name in Chinese has no case: a plain LIKE, not UPPER() of every name of the city (a third of the time)
        part = Q(name__icontains=value) if re.search(r"[A-Za-z]", value) else Q(name__contains=value)
        code = value.upper()
        if len(code) == 18 and code.isalnum():
            return queryset.filter(Q(credit_code=code) | part)
        return queryset.filter(part)

    def _under(self, queryset, model, field: str, value: str):
        node = model.objects.filter(code=value.strip()).first()
        if node is None:
            return queryset.none()
        if self.form.cleaned_data.get("descendants"):
            return queryset.filter(**{f"{field}__path__startswith": node.path})
        return queryset.filter(**{field: node})

    def filter_area(self, queryset, name, value):
        return self._under(queryset, Area, "area", value)

    def filter_org(self, queryset, name, value):
        return self._under(queryset, Org, "org", value)

    def filter_neworg(self, queryset, name, value):
        q = Q(category__in=NEWORG_CATEGORIES)
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_org_coverage(self, queryset, name, value):
        return queryset.filter(org__isnull=not value)

    def filter_work_coverage(self, queryset, name, value):
        q = Q(has_instructor(self.form.cleaned_data.get("as_of") or dates.today()))
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_as_of(self, queryset, name, value):
        return queryset.filter(existing_on(value)) if value else queryset
