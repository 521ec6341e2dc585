"""Filters of the mobile members' lists (the page's sidebar and the API's parameters)."""

import datetime

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates, idnumber
from sqdj.core.dates import add_months
from sqdj.core.filtersets import BaseFilterSet
from sqdj.core.pii import blind_index
from sqdj.core.rules import param
from sqdj.members.choices import Standing
from sqdj.orgs.models import Org

from .models import Inflow, Outflow

STATE_CHOICES = [("open", _("Open")), ("lost", _("Lost contact")), ("ended", _("Ended")),
                 ("contact_overdue", _("Contact overdue"))]  # fmt: skip
INFLOW_STATE_CHOICES = [("open", _("Open")), ("unverified", _("Not verified")), ("ended", _("Ended")),
                        ("contact_overdue", _("Contact overdue"))]  # fmt: skip


def contact_overdue_q(on: datetime.date | None = None) -> Q | None:
    """Open records whose last contact is older than `mobile.contact_interval_months` on `on` (the rulebook check
    mobile.contact_overdue: overdue from the day after the interval ends), as one condition; None without the rule.

    `add_months` clamps to a month's end, so the first day still in time is found by stepping from the naive one
    (at most three days): overdue ⇔ last contact before it."""
    on = on or dates.today()
    months = param("mobile.contact_interval_months", on, default=None)
    if months is None:
        return None
    first_in_time = add_months(on, -months)
    while add_months(first_in_time, months) < on:
        first_in_time += datetime.timedelta(days=1)
    return Q(ended_on__isnull=True, last_contact_on__lt=first_in_time)


def _org_subtree(queryset, field: str, code: str, descendants: bool):
    org = Org.objects.filter(code=code.strip()).first()
    if org is None:
        return queryset.none()
    if descendants:
        return queryset.filter(**{f"{field}__path__startswith": org.path})
    return queryset.filter(**{field: org})


class OutflowFilterSet(BaseFilterSet):
    """Search: the member's name, the destination or the card number."""

    search_fields = ("member__name", "destination", "destination_org", "mobile_card_number")
    org = django_filters.CharFilter(method="filter_org", label=_("Organization (code)"))
    descendants = django_filters.BooleanFilter(method="noop", label=_("Include all levels below"))
    state = django_filters.ChoiceFilter(choices=STATE_CHOICES, method="filter_state", label=_("status"))

    class Meta:
        model = Outflow
        fields = ["q", "org", "descendants", "state"]

    def noop(self, queryset, name, value):
        return queryset

    def filter_org(self, queryset, name, value):
        return _org_subtree(queryset, "member__org", value, bool(self.form.cleaned_data.get("descendants")))

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(ended_on__isnull=True)
        if value == "lost":
            return queryset.filter(ended_on__isnull=True, lost_contact_since__isnull=False)
        if value == "contact_overdue":  # lost contacts follow their own rules (transfers.checks)
            q = contact_overdue_q()
            if q is None:
                return queryset.none()
            return queryset.filter(q, lost_contact_since__isnull=True, member__standing=Standing.ACTIVE,
                                   left_on__lte=dates.today())  # fmt: skip
        return queryset.filter(ended_on__isnull=False)


class InflowFilterSet(BaseFilterSet):
    """Search: the name, the home organization, the card number, or an exact ID number."""

    search_fields = ("name", "home_org_name", "mobile_card_number")
    org = django_filters.CharFilter(method="filter_org", label=_("Organization (code)"))
    descendants = django_filters.BooleanFilter(method="noop", label=_("Include all levels below"))
    state = django_filters.ChoiceFilter(choices=INFLOW_STATE_CHOICES, method="filter_state", label=_("status"))

    class Meta:
        model = Inflow
        fields = ["q", "org", "descendants", "state"]

    def noop(self, queryset, name, value):
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if idnumber.looks_like(value):
            return queryset.filter(id_number_index=blind_index(idnumber.normalize(value)))
        return super().search(queryset, name, value)

    def filter_org(self, queryset, name, value):
        return _org_subtree(queryset, "host_org", value, bool(self.form.cleaned_data.get("descendants")))

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(ended_on__isnull=True)
        if value == "unverified":
            return queryset.filter(ended_on__isnull=True, verified_on__isnull=True)
        if value == "contact_overdue":
            q = contact_overdue_q()
            return queryset.none() if q is None else queryset.filter(q, arrived_on__lte=dates.today())
        return queryset.filter(ended_on__isnull=False)
