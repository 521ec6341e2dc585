import django_filters
from django.utils.translation import gettext_lazy as _

from sqdj.core.filtersets import ColumnChoicesFilter, TreeFilterSet

from .choices import AreaType
from .models import Area


class AreaFilterSet(TreeFilterSet):
    search_fields = ("name", "code")

    area = django_filters.CharFilter(method="filter_under", label=_("Under area (code)"))
    type = ColumnChoicesFilter(choices=AreaType.choices, label=_("Area type"))

    class Meta:
        model = Area
        fields = ["q", "area", "descendants", "type", "code"]
