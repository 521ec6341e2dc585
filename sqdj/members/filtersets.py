import datetime
import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates, idnumber
from sqdj.core.dates import add_years
from sqdj.core.filtersets import BaseFilterSet, ColumnChoicesFilter, GivenChoiceFilter
from sqdj.core.pii import blind_index
from sqdj.core.scope import NOTHING, scope_q
from sqdj.orgs.models import Org

from .choices import Category, Education, MemberType, Sex, Standing, WorkStatus
from .models import Member

PHONE_LIKE = re.compile(r"^1\d{10}$")

# (label, youngest age, oldest age) — the statistics' bands (interfaces.md §3)
AGE_BANDS = [
    ("30岁及以下", None, 30), ("31至35岁", 31, 35), ("36至40岁", 36, 40), ("41至45岁", 41, 45),
    ("46至50岁", 46, 50), ("51至55岁", 51, 55), ("56至60岁", 56, 60), ("61岁及以上", 61, None),
]  # fmt: skip


def years_before(on: datetime.date, years: int) -> datetime.date:
    years = max(min(years, on.year - 1), on.year - 9999)  # absurd inputs stay within the calendar
    return add_years(on, -years)


def age_q(field: str, youngest: int | None, oldest: int | None, on: datetime.date) -> Q:
    """People aged youngest..oldest whole years on `on`, as a range of birth dates (an index can serve it)."""
    q = Q()
    if youngest is not None:
        q &= Q(**{f"{field}__lte": years_before(on, youngest)})
    if oldest is not None:
        q &= Q(**{f"{field}__gt": years_before(on, oldest + 1)})
    return q


class MemberFilterSet(BaseFilterSet):
    """Search takes a name, its pinyin or initials (张三丰 → zhangsanfeng / zsf), or an exact ID or mobile number
    (of a member the user may reveal)."""

    org = django_filters.CharFilter(method="filter_org", label=_("Organization (code)"))
    descendants = django_filters.BooleanFilter(method="noop", label=_("Include all levels below"))
    category = ColumnChoicesFilter(choices=Category.choices, label=_("member category"))  # derived
    work_status = ColumnChoicesFilter(choices=WorkStatus.choices, label=_("work status"))
    member_type = django_filters.ChoiceFilter(choices=MemberType.choices, label=_("member type"))
    standing = django_filters.ChoiceFilter(choices=Standing.choices, label=_("membership standing"))
    sex = django_filters.ChoiceFilter(choices=Sex.choices, label=_("sex"))
    age_band = django_filters.ChoiceFilter(
        choices=[(str(i), b[0]) for i, b in enumerate(AGE_BANDS)], method="filter_age_band", label=_("Age")
    )
    education = ColumnChoicesFilter(choices=Education.choices, label=_("education"))
    # whole years, within a life (a bound in the field, so that the API's schema states it)
    party_years_min = django_filters.NumberFilter(
        method="filter_party_years_min",
        label=_("Party standing at least (years)"),
        min_value=0,
        max_value=150,
        decimal_places=0,
    )
    party_years_max = django_filters.NumberFilter(
        method="filter_party_years_max",
        label=_("Party standing at most (years)"),
        min_value=0,
        max_value=150,
        decimal_places=0,
    )
    registered_with = django_filters.CharFilter(method="filter_registered", label=_("Registered with community (code)"))

    class Meta:
        model = Member
        fields = ["q", "org", "descendants", "category", "work_status", "member_type", "standing", "sex", "age_band",
                  "education", "party_years_min", "party_years_max", "registered_with"]  # fmt: skip

    def noop(self, queryset, name, value):
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if idnumber.looks_like(value):
            return self._revealable(queryset.filter(id_number_index=blind_index(idnumber.normalize(value))))
        if PHONE_LIKE.match(value):
            return self._revealable(queryset.filter(phone_index=blind_index(value)))
        if value.isascii() and value.isalpha():
            v = value.lower()
            return queryset.filter(Q(name_initials__startswith=v) | Q(name_pinyin__startswith=v))
        return queryset.filter(name__icontains=value)

    def _revealable(self, queryset):
        """A search by a whole number finds only members the user may reveal: a hit tells the number, so it must
        not answer candidates tried one by one (core.pii: the disclosure policy)."""
        user = getattr(getattr(self, "request", None), "user", None)
        if user is None:  # whose search is it? none: find nothing (background exports pass the user)
            return queryset.filter(pk__isnull=True)
        q = scope_q(user, Member, "reveal")
        if q is None:  # a superuser
            return queryset
        # no reveal scope: a condition that holds for no row but still compiles to SQL (the list's count needs it)
        return queryset.filter(pk__isnull=True) if q is NOTHING else queryset.filter(q)

    def filter_org(self, queryset, name, value):
        org = Org.objects.filter(code=value.strip()).first()
        if org is None:
            return queryset.none()
        if self.form.cleaned_data.get("descendants"):
            return queryset.filter(org__path__startswith=org.path)
        return queryset.filter(org=org)

    def filter_age_band(self, queryset, name, value):
        _label, youngest, oldest = AGE_BANDS[int(value)]
        return queryset.filter(age_q("birth_date", youngest, oldest, dates.today()))

    def filter_party_years_min(self, queryset, name, value):
        # 党龄 counts from becoming a full member (党章 第七条)
        return queryset.filter(confirmed_on__lte=years_before(dates.today(), int(value)))

    def filter_party_years_max(self, queryset, name, value):
        return queryset.filter(confirmed_on__gt=years_before(dates.today(), int(value) + 1))

    def filter_registered(self, queryset, name, value):
        return queryset.filter(registrations__community__code=value.strip(), registrations__active=True)


class MemberApiFilterSet(MemberFilterSet):
    """The API's member filters: a choice parameter given without a value is an error (see GivenChoiceFilter)."""

    member_type = GivenChoiceFilter(choices=MemberType.choices, label=_("member type"))
    standing = GivenChoiceFilter(choices=Standing.choices, label=_("membership standing"))
    sex = GivenChoiceFilter(choices=Sex.choices, label=_("sex"))
    age_band = GivenChoiceFilter(
        choices=[(str(i), b[0]) for i, b in enumerate(AGE_BANDS)], method="filter_age_band", label=_("Age")
    )
