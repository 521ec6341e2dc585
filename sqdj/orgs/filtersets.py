import django_filters
from django.utils.translation import gettext_lazy as _

from sqdj.core.filtersets import TreeFilterSet

from .choices import OrgType
from .models import Org


class OrgFilterSet(TreeFilterSet):
    search_fields = ("name", "code")

    org = django_filters.CharFilter(method="filter_under", label=_("Under organization (code)"))
    type = django_filters.MultipleChoiceFilter(choices=OrgType.choices, label=_("Organization type"))
    area = django_filters.CharFilter(field_name="area__code", label=_("Area code"))

    class Meta:
        model = Org
        fields = ["q", "org", "descendants", "type", "code", "area"]
