"""The demo city's wishes, households in hardship and visits (issue 17 item 8; sqdj/demo/care.py)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import Count, F

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.demo import synthetic
from sqdj.demo.care import PLANS
from sqdj.orgs.services import community_org
from sqdj.services.choices import ClaimState, Hardship, HouseholdState, LegalBasis, RequestKind, RequestState, Source
from sqdj.services.models import Assistance, Household, HouseholdReview, Request, Support, Visit, WishClaim
from sqdj.testing.fixtures import generated_once
from sqdj.volunteers.choices import HoursSource, HoursState
from sqdj.volunteers.models import ServiceHours

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture(scope="module")
def _small_city(django_db_setup, django_db_blocker):
    yield from generated_once(django_db_blocker, lambda: synthetic.generate("small", today=TODAY))


@pytest.fixture
def city(_small_city, db):
    return _small_city


def _communities():
    return [a for a in Area.objects.filter(type=AreaType.COMMUNITY) if community_org(a) is not None]


def test_every_community_has_wishes_households_and_visits(city):
    plan = PLANS["small"]
    for area in _communities():
        inside = {"area__path__startswith": area.path}
        assert Request.objects.filter(kind=RequestKind.WISH, **inside).count() == plan.wishes, area
        assert Household.objects.filter(**inside).count() == plan.households, area
        assert Visit.objects.filter(**inside).count() >= plan.visits, area
    assert city["wishes"] == Request.objects.filter(kind=RequestKind.WISH).count()
    assert city["wish_claims"] == WishClaim.objects.count() > 0
    assert city["households"] == Household.objects.count()
    assert city["visits"] == Visit.objects.count()
    assert city["supports"] == Support.objects.count() > 0
    assert city["assistances"] == Assistance.objects.count() > 0
    assert city["household_reviews"] == HouseholdReview.objects.count() > 0


def test_wishes_and_their_claims_agree(city):
    wishes = Request.objects.filter(kind=RequestKind.WISH)
    assert not wishes.filter(beneficiary="").exists()
    assert set(wishes.values_list("state", flat=True)) >= {RequestState.RECEIVED, RequestState.IN_PROGRESS,
                                                           RequestState.RESOLVED}  # fmt: skip
    assert not wishes.filter(due_at__lt=F("received_at")).exists()
    # an open wish has no claim; a claimed one one claim; a fulfilled claim's wish is resolved or closed
    assert not wishes.filter(state=RequestState.RECEIVED, claims__isnull=False).exists()
    assert not wishes.exclude(state=RequestState.RECEIVED).annotate(n=Count("claims")).exclude(n=1).exists()
    fulfilled = WishClaim.objects.filter(state=ClaimState.FULFILLED)
    assert fulfilled.exists()
    assert not fulfilled.exclude(request__state__in=(RequestState.RESOLVED, RequestState.CLOSED)).exists()
    assert not fulfilled.filter(fulfilled_on__isnull=True).exists()
    assert (
        not WishClaim.objects.filter(state=ClaimState.CLAIMED).exclude(request__state=RequestState.IN_PROGRESS).exists()
    )
    kinds = {(c.member_id is not None, c.team_id is not None, c.unit_id is not None) for c in WishClaim.objects.all()}
    assert (True, False, False) in kinds and (False, True, False) in kinds  # members and teams claim wishes
    # a member's fulfilled wish counts in the member's service record, verified, with its hours
    for claim in fulfilled.filter(member__isnull=False):
        record = ServiceHours.objects.get(member=claim.member, source=HoursSource.WISH, served_on=claim.fulfilled_on,
                                          content__contains=claim.request.summary)  # fmt: skip
        assert record.state == HoursState.VERIFIED and record.hours == claim.hours
    assert ServiceHours.objects.filter(source=HoursSource.WISH).count() == fulfilled.filter(
        member__isnull=False).count()  # fmt: skip


def test_households_hold_only_what_help_needs(city):
    households = Household.objects.all()
    assert {h.state for h in households} == {HouseholdState.OPEN, HouseholdState.CLOSED}
    for h in households:
        assert h.hardships and set(h.hardships) <= set(Hardship.values)
        assert h.contact_name.startswith("示例户主") and h.contact_phone.startswith("1390001")
        assert (h.basis == LegalBasis.CONSENT) == (h.consent_at is not None)
        assert h.basis_note
        assert (h.state == HouseholdState.CLOSED) == (h.closed_on is not None)
        assert h.number.startswith(f"HH{h.opened_on.year}")
    with connection.cursor() as cursor:  # stored encrypted
        cursor.execute("SELECT contact_name, contact_phone FROM services_household")
        assert all("示例" not in n and "1390001" not in p for n, p in cursor.fetchall())
    assert not Support.objects.filter(given_on__lt=F("household__opened_on")).exists()
    assert not Support.objects.filter(kind="money", amount__isnull=True).exists()
    assert not HouseholdReview.objects.values("household", "year").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_visits_are_in_their_community_and_open_the_requests_heard(city):
    for visit in Visit.objects.select_related("area", "org__area"):
        assert visit.area.path.startswith(visit.org.area.path)
        assert visit.visited_on < TODAY
    assert Visit.objects.filter(household__isnull=False).exists()
    assert Visit.visitors.through.objects.exists()
    by_visit = Request.objects.filter(kind=RequestKind.REQUEST, source=Source.VISIT)
    assert by_visit.exists() and not by_visit.filter(visit__isnull=True).exists()
    for r in by_visit.select_related("visit"):
        assert r.visit.area_id == r.area_id and r.visit.heard == r.description
