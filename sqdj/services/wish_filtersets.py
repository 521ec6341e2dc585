"""The wish list's filters: one FilterSet serves the page's filter form and the API's parameters."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import UnderAreaMixin
from sqdj.core.filtersets import BaseFilterSet
from sqdj.orgs.filtersets import area_picker

from . import wishes
from .models import Request, WishClaim

# `?state=`: where a wish stands (from its state and its claim), not the request's own states
STATES = {
    "open": (_("Waiting for a claimant"), wishes.open_q),
    "claimed": (_("Claimed"), wishes.claimed_q),
    "fulfilled": (_("Fulfilled"), wishes.fulfilled_q),
    "closed": (_("Closed"), wishes.closed_q),
}


def _user(filterset):
    return getattr(getattr(filterset, "request", None), "user", None)


class WishFilterSet(UnderAreaMixin, BaseFilterSet):
    """`?q=` the number or the wish, `?state=open|claimed|fulfilled|closed`, `?area=CODE` (that area and below),
    `?late=true` (claimed and past its by-when), `?mine=true` (claimed by me or my unit, not fulfilled yet). The
    to-dos link here."""

    search_fields = ("number", "summary", "beneficiary")

    state = django_filters.ChoiceFilter(choices=[(k, label) for k, (label, _q) in STATES.items()],
                                        method="filter_state", label=_("state"))  # fmt: skip
    area = django_filters.CharFilter(method="filter_area", label=_("area (incl. below)"), widget=area_picker())
    late = django_filters.BooleanFilter(method="filter_late", label=_("late"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("claimed by me"))

    class Meta:
        model = Request
        fields = ["q", "state", "area", "late", "mine"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(STATES[value][1]()) if value in STATES else queryset

    def filter_late(self, queryset, name, value):
        if value is None:
            return queryset
        q = wishes.late_q(timezone.now())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(wishes.mine_q(_user(self)))


class WishClaimFilterSet(BaseFilterSet):
    """`?state=claimed|fulfilled|withdrawn`, `?request=<wish id>`."""

    request = django_filters.NumberFilter(field_name="request_id", label=_("small wish"), min_value=1,
                                          max_value=2**31 - 1)  # fmt: skip

    class Meta:
        model = WishClaim
        fields = ["state", "request"]
