import django_filters
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.filtersets import ColumnChoicesFilter, TreeFilterSet
from sqdj.core.scope import org_tree, visible
from sqdj.core.widgets import SearchSelect

from .choices import AreaType
from .models import Area


class UnderAreaMixin:
    """`area=CODE`: the rows located in that area (`area_path_field`: the path of their area) or anywhere below it."""

    area_path_field = "area__path"

    def filter_area(self, queryset, name, value):
        node = Area.objects.filter(code=value.strip()).first()
        if node is None:
            return queryset.none()
        return queryset.filter(**{f"{self.area_path_field}__startswith": node.path})


def community_picker() -> SearchSelect:
    """The tree picker of a filter taking a community's code (e.g. where members registered): any community of the
    city, as the registration itself may name any (administrative divisions are public)."""
    return SearchSelect(reverse_lazy("areas:area_pick"), {"type": AreaType.COMMUNITY}, value_field="code", public=True,
                        model="areas.Area")  # fmt: skip


class AreaFilterSet(TreeFilterSet):
    search_fields = ("name", "code", "name_pinyin", "name_initials")

    # the tree picker (issue 14): it sends the area's code, as `?area=CODE` always took
    area = django_filters.CharFilter(
        method="filter_under",
        label=_("Within area"),
        widget=SearchSelect(reverse_lazy("areas:area_pick"), {"scoped": "1"}, value_field="code", model="areas.Area"),
    )
    type = ColumnChoicesFilter(choices=AreaType.choices, label=_("Area type"))
    # statistics drill-down (issue 14, stats helper): areas where a party organization the user sees, existing on
    # `as_of` (default today), is located in the area or below it (the statistics' "community with an org")
    with_org = django_filters.BooleanFilter(method="filter_with_org", label=_("Has a party organization"))
    as_of = django_filters.DateFilter(method="noop", label=_("Organizations existing on"))

    class Meta:
        model = Area
        fields = ["q", "area", "descendants", "type", "code", "with_org", "as_of"]

    def filter_with_org(self, queryset, name, value):
        user = getattr(getattr(self, "request", None), "user", None)
        on = self.form.cleaned_data.get("as_of") or dates.today()
        orgs = visible(org_tree().objects.all(), user) if user is not None else org_tree().objects.none()
        located = orgs.filter(
            Q(founded_on__isnull=True) | Q(founded_on__lte=on), area__path__startswith=OuterRef("path")
        )
        return queryset.filter(Exists(located) if value else ~Exists(located))
