"""Issue 16 item 9: the synthetic city's volunteer service — posts of the 五员 catalogue and teams in every community
with an org, claims and memberships of the members registered there, a quarter of activities with sign-ups, the
service records that follow (verified; a few declared and waiting; one or two rejected) — valid, and written once."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.db.models import Count, F, Q, Sum
from django.test import Client
from django.urls import reverse

from sqdj.accounts.models import User
from sqdj.demo import synthetic
from sqdj.demo.accounts import ensure_demo_users
from sqdj.demo.volunteers import PLANS, generate_volunteers, last_quarter, span_start
from sqdj.members.models import Member, Registration
from sqdj.testing.fixtures import generated_once
from sqdj.volunteers.choices import ClaimState, FeedbackState, HoursSource, HoursState
from sqdj.volunteers.models import (
    Activity,
    Certificate,
    Feedback,
    Post,
    PostClaim,
    ServiceHours,
    Signup,
    Team,
    TeamMember,
)

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture(scope="module")
def _small_city(django_db_setup, django_db_blocker):
    yield from generated_once(django_db_blocker, lambda: synthetic.generate("small", today=TODAY))


@pytest.fixture
def city(_small_city, db):
    return _small_city


def test_every_community_with_an_org_has_posts_and_teams(city):
    communities = Post.objects.values("community").distinct().count()
    assert communities >= 10 and Post.objects.count() == 6 * communities
    assert Team.objects.count() == 2 * communities
    assert {p.kind.code for p in Post.objects.select_related("kind")} == {"xuanchuan", "chuanbo", "fuwu", "tiaojie",
                                                                             "shifan"}  # fmt: skip
    # (the wishes fulfilled by members add their own records: demo/care.py)
    organized = ServiceHours.objects.exclude(source=HoursSource.WISH)
    assert city["posts"] == Post.objects.count() and city["service_hours"] == organized.count()


def test_claims_are_of_registered_members_and_fit_the_places(city):
    claims = PostClaim.objects.select_related("post")
    assert claims.filter(state=ClaimState.APPROVED).exists() and claims.filter(state=ClaimState.PENDING).exists()
    registered = set(Registration.objects.filter(active=True).values_list("member_id", "community_id"))
    assert all((c.member_id, c.post.community_id) in registered for c in claims)
    over = Post.objects.annotate(n=Count("claims", filter=Q(claims__state=ClaimState.APPROVED))).filter(
        n__gt=F("places")
    )
    assert not over.exists()
    assert TeamMember.objects.filter(state=ClaimState.APPROVED).exists()


def test_activities_hold_their_capacity_and_a_few_are_ahead(city):
    full = Activity.objects.annotate(n=Count("signups")).filter(n__gt=F("capacity"))
    assert not full.exists()
    assert Activity.objects.filter(starts_at__date__gt=TODAY).exists()  # open for sign-up
    assert Activity.objects.filter(starts_at__date__lt=TODAY - datetime.timedelta(days=60)).exists()  # a quarter
    twice = Signup.objects.values("activity", "member").annotate(n=Count("pk")).filter(n__gt=1)
    assert not twice.exists()


def test_service_records_are_valid(city):
    records = ServiceHours.objects.exclude(source=HoursSource.WISH)  # a wish's: any day of the year (test_care_demo)
    assert not records.filter(Q(hours__lte=0) | Q(hours__gt=24) | Q(served_on__gt=TODAY)).exists()
    per_day = records.exclude(state=HoursState.REJECTED).values("member", "served_on").annotate(h=Sum("hours"))
    assert max(row["h"] for row in per_day) <= 24
    states = Counter(records.values_list("state", flat=True))
    assert states[HoursState.VERIFIED] > 100 * states[HoursState.REJECTED] > 0 and states[HoursState.PENDING] > 0
    assert not records.filter(state=HoursState.VERIFIED, verified_at__isnull=True).exists()
    assert set(records.filter(state=HoursState.PENDING).values_list("source", flat=True)) == {HoursSource.DECLARED}
    # every record of an activity is of its day
    assert not records.filter(activity__isnull=False).exclude(served_on=F("activity__starts_at__date")).exists()
    first = span_start(PLANS["small"], TODAY)
    assert not records.filter(served_on__lt=first - datetime.timedelta(days=1)).exists()


def test_a_second_run_writes_nothing(city):
    assert generate_volunteers("small", 2026, TODAY) == {}


def test_the_last_quarters_letters_are_signed_and_certificates_issued(city):
    year, quarter = last_quarter(TODAY)
    letters = Feedback.objects.all()
    assert letters.exists() and city["feedback_signed"] == letters.count()
    assert set(letters.values_list("state", flat=True)) == {FeedbackState.SIGNED}
    assert {(f.period_start.year, (f.period_start.month - 1) // 3 + 1) for f in letters} == {(year, quarter)}
    assert not letters.filter(number__isnull=True).exists() and not letters.filter(evaluation="").exists()
    assert Certificate.objects.count() == city["certificates"] > 0
    assert all(c.records > 0 and c.hours > 0 for c in Certificate.objects.all())


def test_the_in_service_demo_member_sees_it_all_on_a_phone(city):
    """`zaizhi`: registered with sq_admin's community, a post, activities, hours, a certificate; the home sends them
    to 我的, which shows each (and the unit side's admin reads the signed letter about them)."""
    ensure_demo_users()
    user = User.objects.get(username="zaizhi")
    member = Member.objects.get(user=user)
    assert PostClaim.objects.restrict(user, "view").filter(member=member, state=ClaimState.APPROVED).exists()
    assert ServiceHours.objects.restrict(user, "view").filter(state=HoursState.VERIFIED).exists()
    assert Certificate.objects.restrict(user, "view").exists()
    assert Activity.objects.restrict(user, "view").filter(starts_at__date__gt=TODAY).exists()
    client = Client()
    client.force_login(user)
    assert client.get("/")["Location"] == reverse("me")
    page = client.get(reverse("me"))
    assert page.status_code == 200
    html = page.content.decode()
    assert member.name in html and Certificate.objects.filter(member=member).first().number in html
