"""The posts part's lists: one FilterSet per list serves the page's filter form and the API's parameters."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import community_picker
from sqdj.core import dates
from sqdj.core.filtersets import BaseFilterSet, ColumnChoicesFilter
from sqdj.orgs.filtersets import IntegerFilter

from .choices import ClaimState, ServiceArea
from .models import Post, PostClaim, PostKind, Team, TeamMember
from .posts import open_q

MEMBER_NAME = ("member__name", "member__name_pinyin", "member__name_initials")


def _kinds(request):
    return PostKind.objects.restrict(getattr(request, "user", None), "view").order_by("position", "code")


def _by_code(queryset, field: str, value):
    return queryset.filter(**{field: value.strip()}) if value else queryset


class PostKindFilterSet(BaseFilterSet):
    search_fields = ("code", "name")

    active = django_filters.BooleanFilter(label=_("in use"))

    class Meta:
        model = PostKind
        fields = ["q", "active"]


class PostFilterSet(BaseFilterSet):
    search_fields = ("title",)

    community = django_filters.CharFilter(method="filter_community", label=_("community"), widget=community_picker())
    kind = IntegerFilter(field_name="kind", label=_("post kind"))
    service_area = ColumnChoicesFilter(choices=ServiceArea.choices, label=_("service area"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("taking claims"))

    class Meta:
        model = Post
        fields = ["q", "community", "kind", "service_area", "open"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # an id (any string the API is given is a valid query: an unknown kind lists nothing), chosen on the page
        # among the kinds the user sees
        kinds = [("", "—"), *((k.pk, k.name) for k in _kinds(self.request))]
        self.filters["kind"].extra["widget"] = forms.Select(choices=kinds)

    def filter_community(self, queryset, name, value):
        return _by_code(queryset, "community__code", value)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        q = open_q(dates.today())
        return queryset.filter(q) if value else queryset.exclude(q)


class _ClaimFilterSet(BaseFilterSet):
    """What the post claims' and the team requests' lists share: the state, the community, the member's name (`q`)
    and the workbench's to-do (`to_decide`: those the user may approve or decline)."""

    search_fields = MEMBER_NAME
    community_field = ""

    state = ColumnChoicesFilter(choices=ClaimState.choices, label=_("state"))
    community = django_filters.CharFilter(method="filter_community", label=_("community"), widget=community_picker())
    to_decide = django_filters.BooleanFilter(method="filter_to_decide", label=_("awaiting my decision"))

    def filter_community(self, queryset, name, value):
        return _by_code(queryset, self.community_field, value)

    def filter_to_decide(self, queryset, name, value):
        if value is None:
            return queryset
        user = getattr(getattr(self, "request", None), "user", None)
        mine = queryset.model.objects.restrict(user, "change").values("pk")
        pending = queryset.filter(state=ClaimState.PENDING)
        return pending.filter(pk__in=mine) if value else queryset.exclude(pk__in=pending.filter(pk__in=mine))


class PostClaimFilterSet(_ClaimFilterSet):
    community_field = "post__community__code"

    post = IntegerFilter(field_name="post", label=_("volunteer post"))

    class Meta:
        model = PostClaim
        fields = ["q", "state", "post", "community", "to_decide"]


class TeamFilterSet(BaseFilterSet):
    search_fields = ("name",)

    community = django_filters.CharFilter(method="filter_community", label=_("community"), widget=community_picker())
    service_area = ColumnChoicesFilter(choices=ServiceArea.choices, label=_("service area"))
    active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Team
        fields = ["q", "community", "service_area", "active"]

    def filter_community(self, queryset, name, value):
        return _by_code(queryset, "community__code", value)


class TeamMemberFilterSet(_ClaimFilterSet):
    community_field = "team__community__code"

    team = IntegerFilter(field_name="team", label=_("service team"))

    class Meta:
        model = TeamMember
        fields = ["q", "state", "team", "community", "to_decide"]
