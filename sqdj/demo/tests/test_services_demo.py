"""Issue 17 item 8: the synthetic city's service to residents — stations in every community, a year of requests in
each (states matching their timestamps, steps for each, contacts only with consent, public text free of personal
numbers) and the subdistricts' 12345 work orders, placed and waiting, whose figures are those counted by hand."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.pii import personal_numbers_in
from sqdj.core.scope import EVERYTHING
from sqdj.demo import synthetic
from sqdj.demo.services import PLANS, generate_services
from sqdj.orgs.models import Org
from sqdj.orgs.services import community_org
from sqdj.services.choices import ENDED_STATES, OPEN_STATES, SATISFIED, RequestKind, RequestState, Satisfaction, Source
from sqdj.services.models import Request, RequestStep, Station, WorkOrder
from sqdj.services.requests import escalation_due_q, overdue_q
from sqdj.stats.services import compute
from sqdj.testing.fixtures import generated_once

TODAY = datetime.date(2026, 11, 22)
MIDNIGHT = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time()))


@pytest.fixture(scope="module")
def _small_city(django_db_setup, django_db_blocker):
    yield from generated_once(django_db_blocker, lambda: synthetic.generate("small", today=TODAY))


@pytest.fixture
def city(_small_city, db):
    return _small_city


def _plain():
    """The residents' requests and work orders (the wishes have their own test: test_care_demo.py)."""
    return Request.objects.filter(kind=RequestKind.REQUEST)


def _communities():
    return [a for a in Area.objects.filter(type=AreaType.COMMUNITY) if community_org(a) is not None]


def test_every_community_has_a_public_center_and_requests(city):
    communities = _communities()
    assert len(communities) >= 10
    for area in communities:
        centers = Station.objects.filter(area=area, public=True, name__endswith="党群服务中心")
        assert centers.count() == 1, area
        assert _plain().filter(area__path__startswith=area.path, placed=True).exclude(
            source=Source.HOTLINE).count() == PLANS["small"].requests  # fmt: skip
    assert Station.objects.filter(name__endswith="党员服务站").exists()
    assert all(s.phone.startswith("022-2") and len(s.phone) == 12 for s in Station.objects.all())
    assert all("示例路" in s.address for s in Station.objects.all())
    assert city["service_stations"] == Station.objects.count() and city["requests"] == _plain().count()
    assert city["request_steps"] == RequestStep.objects.filter(request__kind=RequestKind.REQUEST).count()
    assert city["work_orders"] == WorkOrder.objects.count()


def test_requests_spread_over_a_year_categories_sources_and_states(city):
    requests = _plain().all()
    assert not requests.filter(received_at__gte=MIDNIGHT).exists()
    assert requests.filter(received_at__lt=MIDNIGHT - datetime.timedelta(days=300)).exists()
    assert requests.values("category").distinct().count() >= 8
    assert set(requests.values_list("source", flat=True)) == set(Source.values)
    assert set(requests.values_list("state", flat=True)) == set(RequestState.values)
    assert requests.filter(urgency="urgent").exists()
    assert requests.filter(assigned_org__isnull=False).exists() and requests.filter(
        assigned_member__isnull=False).exists()  # fmt: skip
    assert requests.filter(overdue_q(MIDNIGHT)).exists()
    assert requests.filter(escalated_at__isnull=False).exists()
    assert requests.filter(reopened__gt=0).exists()
    # counter requests were taken at the community's centre
    assert not requests.filter(source=Source.COUNTER, station__isnull=True).exists()


def test_states_match_their_timestamps(city):
    r = _plain().all()
    assert not r.filter(due_at__lt=F("received_at")).exists()
    assert not r.filter(accepted_at__lt=F("received_at")).exists()
    assert not r.filter(resolved_at__lt=F("accepted_at")).exists()
    assert not r.filter(closed_at__lt=F("resolved_at")).exists()
    resolved = r.filter(state__in=(RequestState.RESOLVED, RequestState.CLOSED))
    assert not resolved.filter(Q(resolved_at__isnull=True) | Q(accepted_at__isnull=True) | Q(resolution="")).exists()
    assert not r.filter(state__in=ENDED_STATES, closed_at__isnull=True).exists()
    assert not r.exclude(state__in=ENDED_STATES).filter(closed_at__isnull=False).exists()
    assert not r.filter(state__in=OPEN_STATES, resolved_at__isnull=False).exists()
    assert not r.filter(state=RequestState.RECEIVED, accepted_at__isnull=False).exists()
    assert not r.filter(state__in=(RequestState.REFERRED, RequestState.DECLINED), end_reason="").exists()
    # satisfaction only on what was resolved; closed ones were rated (满意 or 基本满意); reopened ones 不满意 once
    assert not r.filter(state__in=(RequestState.RECEIVED, RequestState.ACCEPTED, *ENDED_STATES[1:])).exclude(
        satisfaction="").exists()  # fmt: skip
    assert not r.filter(state=RequestState.CLOSED).exclude(satisfaction__in=SATISFIED).exists()
    assert r.filter(state=RequestState.RESOLVED, satisfaction="").exists()
    assert not r.filter(reopened=0).exclude(unsatisfied_streak=0).exists()
    assert r.filter(satisfaction=Satisfaction.UNSATISFIED, state=RequestState.IN_PROGRESS).exists()
    assert not r.filter(escalated_at__isnull=False, escalated_at__lt=F("due_at")).exists()
    # as the daily job leaves them: every open request past its escalation time is escalated
    assert not r.filter(escalation_due_q(MIDNIGHT), escalated_at__isnull=True).exists()


def test_every_request_has_its_steps_in_order(city):
    assert not _plain().annotate(n=Count("steps")).filter(n=0).exists()
    steps: dict[int, list] = {}
    for request_id, state, at in RequestStep.objects.order_by("request_id", "at", "pk").values_list(
        "request_id", "state", "at"
    ):
        steps.setdefault(request_id, []).append((state, at))
    for r in _plain().only("pk", "state", "received_at", "version"):
        found = steps[r.pk]
        assert found[0] == (RequestState.RECEIVED, r.received_at)
        assert found[-1][0] == r.state and found[-1][1] < MIDNIGHT
        assert len(found) == r.version
        assert [at for _s, at in found] == sorted(at for _s, at in found)


def test_contacts_have_consent_and_are_clearly_fake(city):
    with_contact = _plain().exclude(contact_name="")
    share = with_contact.count() / _plain().exclude(source=Source.HOTLINE).count()
    assert 0.25 < share < 0.42
    assert not with_contact.filter(Q(consent_at__isnull=True) | Q(consent_version="")).exists()
    assert not _plain().filter(contact_name="", consent_at__isnull=False).exists()
    for r in with_contact:
        assert r.contact_name.startswith("示例居民") and r.contact_phone.startswith("1390000")
        assert len(r.contact_phone) == 11
        assert r.consent_at == r.received_at
    # stored encrypted: the table never holds the plain name or phone
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_name, contact_phone FROM services_request WHERE contact_name <> ''")
        assert all("示例" not in n and "1390000" not in p for n, p in cursor.fetchall())


def test_public_text_holds_no_personal_number(city):
    public = _plain().filter(public=True)
    assert public.count() > 50
    for summary in public.values_list("summary", flat=True):
        assert not personal_numbers_in(summary)
    notes = RequestStep.objects.exclude(public_note="")
    assert notes.exists()
    assert not notes.filter(request__public=False).exists()  # only a public request's steps carry a public note
    for note in notes.values_list("public_note", flat=True):
        assert not personal_numbers_in(note)
    for s in Station.objects.all():
        assert not any(personal_numbers_in(t) for t in (s.name, s.address, s.hours, s.services))


def test_work_orders_placed_and_waiting(city):
    orders = WorkOrder.objects.select_related("request", "dispatched_to")
    assert orders.count() == PLANS["small"].orders * Area.objects.filter(type=AreaType.SUBDISTRICT).count()
    assert all(o.dispatched_to.type == AreaType.SUBDISTRICT for o in orders)
    assert all(o.request.source == Source.HOTLINE and o.request.due_at == o.due_at for o in orders)
    waiting = orders.filter(request__placed=False)
    assert waiting.exists() and orders.filter(request__placed=True).count() > 5 * waiting.count()
    for o in waiting:
        assert o.request.area_id == o.dispatched_to_id and o.request.org_id is None and o.area_code == ""
        assert o.request.state == RequestState.RECEIVED
    for o in orders.filter(request__placed=True):
        assert o.request.area.path.startswith(o.dispatched_to.path) and o.request.org_id is not None
    assert orders.exclude(area_code="").exists() and orders.filter(request__placed=True, area_code="").exists()
    earliest = MIDNIGHT - datetime.timedelta(days=PLANS["small"].order_days + 1)
    assert not orders.filter(received_at__lt=earliest).exists()
    assert WorkOrder.objects.values("number").annotate(n=Count("pk")).filter(n__gt=1).count() == 0


def test_the_subdistricts_workorder_figures_are_the_hand_count(city):
    street = Org.objects.filter(type="subdistrict_committee").order_by("path").first()
    found = compute(street, user=EVERYTHING, as_of=TODAY)["workorders"]
    orders = list(WorkOrder.objects.filter(dispatched_to=street.area).select_related("request"))
    hours = datetime.timedelta(hours=24)
    done = [o for o in orders if o.request.state in (RequestState.RESOLVED, RequestState.CLOSED)]
    rated = [o for o in orders if o.request.satisfaction]
    hand = {
        "total": len(orders),
        "unplaced": sum(1 for o in orders if not o.request.placed),
        "responded_in_time": sum(
            1 for o in orders if o.request.accepted_at and o.request.accepted_at <= o.received_at + hours
        ),  # fmt: skip
        "resolved": len(done),
        "resolved_on_time": sum(1 for o in done if o.request.resolved_at <= o.due_at),
        "rated": len(rated),
        "satisfied": sum(1 for o in rated if o.request.satisfaction in SATISFIED),
    }
    assert found == hand
    assert all(hand.values())
    # the figures' whole range: answered late, resolved late, rated 不满意 too
    assert hand["responded_in_time"] < hand["total"] - hand["unplaced"]
    assert hand["resolved_on_time"] < hand["resolved"] and hand["satisfied"] < hand["rated"]
    states = Counter(o.request.state for o in orders)
    assert states[RequestState.RECEIVED] > hand["unplaced"]  # some placed ones not yet answered


def test_a_second_run_writes_nothing(city):
    assert generate_services("small", 2026, TODAY) == {}
    assert generate_services("city", 2026, TODAY) == {}  # any size: the requests are there already


def test_the_city_plan_makes_two_million_requests():
    """The benchmarks' city (1,300 communities, 100 subdistricts): ≈ 2,000,000 requests and work orders."""
    plan = PLANS["city"]
    assert 1_950_000 <= 1300 * plan.requests + 100 * plan.orders <= 2_050_000
