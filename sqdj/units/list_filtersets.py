import django_filters
from django.utils.translation import gettext_lazy as _

from sqdj.core.filtersets import BaseFilterSet, ColumnChoicesFilter
from sqdj.orgs.filtersets import IntegerFilter, UnderOrgFilterSet

from .choices import ListCategory, NeedStatus, ProjectStatus
from .models import Need, Project, Resource


class NeedFilterSet(UnderOrgFilterSet):
    search_fields = ("title", "beneficiaries", "org__name", "org__code")

    category = ColumnChoicesFilter(choices=ListCategory.choices, label=_("category"))
    status = ColumnChoicesFilter(choices=NeedStatus.choices, label=_("status"))

    class Meta:
        model = Need
        fields = ["q", "org", "descendants", "category", "status"]


class ResourceFilterSet(BaseFilterSet):
    search_fields = ("title", "unit__name", "unit__credit_code")

    unit = IntegerFilter(field_name="unit_id", label=_("unit"))
    category = ColumnChoicesFilter(choices=ListCategory.choices, label=_("category"))
    active = django_filters.BooleanFilter(label=_("offered"))

    class Meta:
        model = Resource
        fields = ["q", "unit", "category", "active"]


class ProjectFilterSet(UnderOrgFilterSet):
    search_fields = ("title", "org__name", "org__code", "need__title")

    need = IntegerFilter(field_name="need_id", label=_("need"))
    status = ColumnChoicesFilter(choices=ProjectStatus.choices, label=_("status"))

    class Meta:
        model = Project
        fields = ["q", "org", "descendants", "need", "status"]
