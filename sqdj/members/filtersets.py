import datetime
import re

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from sqdj.areas.filtersets import UnderAreaMixin, community_picker  # the tree picker (issue 14)
from sqdj.core import dates, idnumber
from sqdj.core.dates import add_months, add_years
from sqdj.core.filtersets import BaseFilterSet, ColumnChoicesFilter, GivenChoiceFilter
from sqdj.core.pii import blind_index
from sqdj.core.rules import param
from sqdj.core.scope import NOTHING, scope_q
from sqdj.orgs.filtersets import area_picker, org_picker  # the tree picker (issue 14)
from sqdj.orgs.models import Org

from .checks import probation_end
from .choices import HAN, Category, Education, MemberType, RegistrationStatus, Sex, Standing, WorkStatus
from .models import Member, Registration, id_number_suffix_index, phone_suffix_index

PHONE_LIKE = re.compile(r"^1\d{10}$")
SUFFIX_LIKE = re.compile(r"^[0-9]{3}[0-9Xx]$")  # an ID number's last 4 (its check character may be X) or a phone's

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


PROBATION_CHOICES = [("ending", _("Ending soon")), ("ended", _("Ended without a decision"))]


Due = list[tuple[int, datetime.date]]


def probation_due(queryset, on: datetime.date) -> tuple[Due, Due]:
    """(pk, end) of the probationary members of `queryset` whose probation ends within
    `member.probation_reminder_days` of `on`, and of those whose probation has ended — as the rulebook checks
    member.probation_ending / member.probation_overdue judge them (checks.probation_end), in one query."""
    days = param("member.probation_reminder_days", on, default=None)
    months = param("member.probation_months", on, default=None)
    if days is None or months is None:
        return [], []
    latest_joined = add_months(on + datetime.timedelta(days=days), -months) + datetime.timedelta(days=4)
    rows = queryset.filter(
        member_type=MemberType.PROBATIONARY, standing=Standing.ACTIVE, joined_on__lte=latest_joined
    ).values_list("pk", "joined_on", "probation_extended_months")
    ending, ended = [], []
    for pk, joined, extended in rows.order_by("joined_on", "pk"):
        end = probation_end(joined, extended)
        if end is not None and end <= on + datetime.timedelta(days=days):
            (ending if on <= end else ended).append((pk, end))
    return ending, ended


class MemberFilterSet(BaseFilterSet):
    """Search takes a name, its pinyin or initials (张三丰 → zhangsanfeng / zsf), an exact ID or mobile number, or
    the last 4 digits of either (of a member the user may reveal: the disclosure policy of core.pii shows neither
    an ID number's last digits nor 4 of a phone's to others)."""

    org = django_filters.CharFilter(method="filter_org", label=_("party organization"), widget=org_picker())
    descendants = django_filters.BooleanFilter(method="noop", label=_("Include all levels below"))
    category = ColumnChoicesFilter(choices=Category.choices, label=_("member category"))  # derived
    work_status = ColumnChoicesFilter(choices=WorkStatus.choices, label=_("work status"))
    member_type = django_filters.ChoiceFilter(
        choices=MemberType.choices, method="filter_member_type", label=_("member type")
    )
    standing = django_filters.ChoiceFilter(choices=Standing.choices, label=_("membership standing"))
    sex = django_filters.ChoiceFilter(choices=Sex.choices, label=_("sex"))
    # --- statistics drill-down (issue 14, stats helper): the rows behind a figure of the statistics page ---
    ethnic_minority = django_filters.BooleanFilter(method="filter_ethnic_minority", label=_("Ethnic minority"))
    as_of = django_filters.DateFilter(method="filter_as_of", label=_("On the roll on"))
    # --- end statistics drill-down ---
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
    registered_with = django_filters.CharFilter(
        method="filter_registered", label=_("Registered with the community"), widget=community_picker()
    )
    # the statistics' 报到 figure (volunteers.stats): registered with some community on the day of `as_of`
    registered = django_filters.BooleanFilter(method="filter_registered_on", label=_("Registered with a community"))
    # the workbench's to-dos link here (issue 14): probations ending within the rulebook's window, or ended
    probation = django_filters.ChoiceFilter(choices=PROBATION_CHOICES, method="filter_probation", label=_("Probation"))

    class Meta:
        model = Member
        fields = ["q", "org", "descendants", "category", "work_status", "member_type", "standing", "sex", "age_band",
                  "education", "party_years_min", "party_years_max", "registered_with", "registered", "probation",
                  "ethnic_minority", "as_of"]  # fmt: skip

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
        if SUFFIX_LIKE.match(value):  # the last 4 digits of an ID number or of a phone number (their keyed indexes)
            suffix = value.upper()
            cond = Q(id_number_suffix_index=id_number_suffix_index(suffix))
            if suffix.isdigit():  # "" (no phone) must never be compared with: only 4 digits end a phone number
                cond |= Q(phone_suffix_index=phone_suffix_index(suffix))
            return self._revealable(queryset.filter(cond))
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
        return queryset.filter(age_q("birth_date", youngest, oldest, self._on()))

    # --- statistics drill-down (issue 14, stats helper): `as_of` selects the roll the statistics count on that
    # day (stats.services: in good standing, joined by then), and ages and full/probationary are judged that day
    def _on(self) -> datetime.date:
        return self.form.cleaned_data.get("as_of") or dates.today()

    def filter_as_of(self, queryset, name, value):
        return queryset.filter(standing=Standing.ACTIVE, joined_on__lte=value)

    def filter_member_type(self, queryset, name, value):
        if not self.form.cleaned_data.get("as_of"):
            return queryset.filter(member_type=value)
        full = Q(member_type=MemberType.FULL, confirmed_on__lte=self._on())  # a full member from confirmation on
        return queryset.filter(full if value == MemberType.FULL else ~full)

    def filter_ethnic_minority(self, queryset, name, value):
        return queryset.exclude(ethnicity=HAN) if value else queryset.filter(ethnicity=HAN)

    # --- end statistics drill-down ---

    def filter_party_years_min(self, queryset, name, value):
        # 党龄 counts from becoming a full member (党章 第七条)
        return queryset.filter(confirmed_on__lte=years_before(dates.today(), int(value)))

    def filter_party_years_max(self, queryset, name, value):
        return queryset.filter(confirmed_on__gt=years_before(dates.today(), int(value) + 1))

    def filter_registered(self, queryset, name, value):
        return queryset.filter(registrations__community__code=value.strip(), registrations__active=True)

    def filter_registered_on(self, queryset, name, value):
        standing = Exists(Registration.objects.filter(Registration.standing_q(self._on()), member=OuterRef("pk")))
        return queryset.filter(standing if value else ~standing)

    def filter_probation(self, queryset, name, value):
        # the org holding the membership decides: the members the user may change (not those registered with it)
        user = getattr(getattr(self, "request", None), "user", None)
        ending, ended = probation_due(Member.objects.restrict(user, "change") if user else queryset, dates.today())
        return queryset.filter(pk__in=[pk for pk, _end in (ended if value == "ended" else ending)])


class MemberApiFilterSet(MemberFilterSet):
    """The API's member filters: a choice parameter given without a value is an error (see GivenChoiceFilter)."""

    member_type = GivenChoiceFilter(choices=MemberType.choices, method="filter_member_type", label=_("member type"))
    standing = GivenChoiceFilter(choices=Standing.choices, label=_("membership standing"))
    sex = GivenChoiceFilter(choices=Sex.choices, label=_("sex"))
    age_band = GivenChoiceFilter(
        choices=[(str(i), b[0]) for i, b in enumerate(AGE_BANDS)], method="filter_age_band", label=_("Age")
    )


def awaiting_confirmation(user) -> Q:
    """The registrations awaiting the unit side's confirmation that `user` may give (members.services.may_confirm:
    the member's org, not the community)."""
    if user is None:
        return Q(pk__in=[])
    members = Member.objects.restrict(user, "change").values("pk")
    return Registration.status_q(RegistrationStatus.PENDING, dates.today()) & Q(member__in=members)


class RegistrationFilterSet(UnderAreaMixin, BaseFilterSet):
    """在职党员报到, as both sides list it: the community sees those registered with it, the member's org its
    members' (the scope gate decides which); the workbench's to-do links to `?status=pending`."""

    search_fields = ("member__name", "member__name_pinyin", "member__name_initials")

    status = django_filters.ChoiceFilter(method="filter_status", choices=RegistrationStatus.choices,
                                         label=_("status"))  # fmt: skip
    community = django_filters.CharFilter(method="filter_community", label=_("residence community"),
                                          widget=community_picker())  # fmt: skip
    org = django_filters.CharFilter(method="filter_org", label=_("the member's organization (incl. below)"),
                                    widget=org_picker())  # fmt: skip

    # the statistics' figures (volunteers.stats): those with the communities of an area, standing on a day
    area = django_filters.CharFilter(method="filter_area", label=_("area (incl. below)"), widget=area_picker())
    on = django_filters.DateFilter(method="filter_on", label=_("standing on"))
    # the workbench's to-do links here: those awaiting the confirmation of the user's own side (the member's org)
    to_confirm = django_filters.BooleanFilter(method="filter_to_confirm", label=_("awaiting my confirmation"))

    class Meta:
        model = Registration
        fields = ["q", "status", "community", "org", "to_confirm", "area", "on"]

    area_path_field = "community__path"

    def filter_on(self, queryset, name, value):
        return queryset.filter(Registration.standing_q(value))

    def filter_to_confirm(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(awaiting_confirmation(getattr(getattr(self, "request", None), "user", None)))

    def filter_status(self, queryset, name, value):
        return queryset.filter(Registration.status_q(value, dates.today())) if value else queryset

    def filter_community(self, queryset, name, value):
        return queryset.filter(community__code=value.strip()) if value else queryset

    def filter_org(self, queryset, name, value):
        node = Org.objects.filter(code=value.strip()).first() if value else None
        if not value:
            return queryset
        return queryset.filter(member__org__path__startswith=node.path) if node else queryset.none()
