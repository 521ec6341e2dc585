"""The scope gate over every model of the services app, generated from the app's models: a model added later without
rows here fails `test_every_model_is_covered`.

Two of everything: the rows of 甲社区 (its org SQT1: admin1's) and those of 乙社区 (SQT2). admin1 (community admin)
sees and may change exactly the first; viewer1 sees it and may not change it; a user with no role sees nothing. The
member a request is assigned to (role member) sees that request and its steps and changes nothing; a unit's liaison
sees the request assigned to their unit and its steps; the branch a request is assigned to reads it."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.utils import timezone

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.members.models import Member
from sqdj.members.self_service import do_link_user
from sqdj.members.services import do_create_member
from sqdj.services.models import (
    Assistance,
    Category,
    Household,
    HouseholdReview,
    Request,
    RequestStep,
    Station,
    Support,
    Visit,
    WishClaim,
    WorkOrder,
)
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db


def _request(seq: int, area, org, **over) -> Request:
    now = timezone.now()
    data = {"number": f"SQ{seq:08d}", "tracking_code": f"TRACK{seq:05d}", "summary": f"诉求{seq}",
            "description": "情况", "area": area, "org": org, "source": "visit", "received_at": now,
            "due_at": now + datetime.timedelta(days=7), **over}  # fmt: skip
    return Request.objects.create(**data)


def _side(world, seq: int, area, org, member) -> dict:
    """One row of every model in one community; its request assigned to `member`."""
    request = _request(seq, area, org, assigned_member=member)
    order_request = _request(seq + 50, area, org)
    wish = _request(seq + 70, area, org, kind="wish", beneficiary="某独居老人")
    now = timezone.now()
    today = timezone.localdate()
    household = Household.objects.create(number=f"HH{seq:08d}", org=org, area=area, basis="consent",
                                         hardships=["dibao"], opened_on=today, consent_at=now)  # fmt: skip
    return {
        # the member of this side claimed the wish and is paired with the household: they see both (self scope)
        WishClaim: WishClaim.objects.create(request=wish, member=member, claimed_at=now),
        Household: household,
        Assistance: Assistance.objects.create(household=household, member=member, started_on=today),
        Support: Support.objects.create(
            household=household, member=member, given_on=today, kind="goods", what="米面油"
        ),  # fmt: skip
        HouseholdReview: HouseholdReview.objects.create(
            household=household, year=today.year, reviewed_on=today, outcome="continue"
        ),  # fmt: skip
        Visit: Visit.objects.create(org=org, area=area, household=household, visited_on=today, heard="楼道灯坏了"),
        Category: Category.objects.create(org=org, code=f"c{seq}", name=f"类别{seq}"),
        Station: Station.objects.create(org=org, area=area, name=f"服务站{seq}", address="某路1号"),
        Request: request,
        RequestStep: RequestStep.objects.create(request=request, state="received", at=now),
        WorkOrder: WorkOrder.objects.create(
            number=f"GD{seq}",
            received_at=now,
            category_text="市容",
            content="内容",
            dispatched_to=world.street_area,
            due_at=now + datetime.timedelta(days=3),
            request=order_request,
        ),  # fmt: skip
    }


@pytest.fixture
def sides():
    world = build_world()
    member1 = do_create_member(acting_user=None, **member_data(world.branch1, seq=1, name="党员1"))
    member2 = do_create_member(acting_user=None, **member_data(world.branch2, seq=2, name="党员2"))
    mine = _side(world, 1, world.community_area1, world.community1, member1)
    other = _side(world, 2, world.community_area2, world.community2, member2)
    me = do_create_user("me1", password=PASSWORD, validate=False)
    do_grant_role(me, role="member", org=world.branch1, descendants=False)
    do_link_user(Member.objects.get(pk=member1.pk), me, acting_user=None)
    return world, mine, other, me


def _models():
    return [m for m in apps.get_app_config("services").get_models() if not m._meta.auto_created]


def _seen(model, user, action="view") -> set:
    return set(model.objects.restrict(user, action).values_list("pk", flat=True))


def test_every_model_is_covered(sides):
    _world, mine, other, _me = sides
    assert set(_models()) == set(mine) == set(other)


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_the_admin_sees_and_changes_only_the_own_side(sides, model):
    world, mine, other, _me = sides
    for action in ("view", "change"):
        rows = _seen(model, world.admin1, action)
        assert mine[model].pk in rows, action
        assert other[model].pk not in rows, action
    viewed = _seen(model, world.viewer1)
    assert mine[model].pk in viewed and other[model].pk not in viewed
    assert not _seen(model, world.viewer1, "change")
    assert not _seen(model, world.nobody)


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_the_assigned_member_sees_their_own_and_changes_nothing(sides, model):
    _world, mine, other, me = sides
    seen = _seen(model, me)
    if model is Request:  # the request assigned to them, and the wish they claimed (open: they may claim it)
        assert seen == {mine[Request].pk, mine[WishClaim].request_id}
    elif model in (RequestStep, WishClaim, Household, Assistance, Support):
        # the request assigned to them, its steps; their claim; the household they are paired with, the pairing,
        # the support they gave
        assert seen == {mine[model].pk}
    else:
        assert seen == set()  # the catalogue, stations, work orders, reviews, visits: the community's
    assert not _seen(model, me, "change")


def test_a_unit_liaison_sees_only_the_request_assigned_to_their_unit(sides):
    world, mine, _other, _me = sides
    unit = apps.get_model("units", "Unit").objects.create(
        name="某公司", credit_code="91110000MA00000011", category="non_public_enterprise",
        area=world.community_area1, employees=20, party_members=2,
    )  # fmt: skip
    liaison = do_create_user("liaison1", password=PASSWORD, validate=False)
    do_grant_role(liaison, role="unit_contact", org=world.community1, descendants=False)
    contact = apps.get_model("units", "UnitContact").objects.create(
        unit=unit, user=liaison, started_on=datetime.date(2025, 1, 1)
    )
    theirs = _request(3, world.community_area1, world.community1, assigned_unit=unit)
    step = RequestStep.objects.create(request=theirs, state="received", at=timezone.now())
    # the request assigned to their unit, and the open wish of the unit's community (they may claim it)
    assert _seen(Request, liaison) == {theirs.pk, mine[WishClaim].request_id}
    assert _seen(RequestStep, liaison) == {step.pk}
    for model in (Category, Station, WorkOrder):
        assert _seen(model, liaison) == set(), model
    assert not Request.objects.restrict(liaison, "change").exists()
    contact.ended_on = datetime.date(2025, 6, 1)  # a former liaison sees nothing any more
    contact.save()
    assert _seen(Request, liaison) == set()
    assert mine[Request].pk not in _seen(Request, liaison)


def test_the_assigned_branch_reads_its_request(sides):
    """A request of 甲社区 assigned to 乙社区's branch: that branch's admin reads it and its steps, changes neither."""
    world, _mine, _other, _me = sides
    request = _request(4, world.community_area1, world.community1, assigned_org=world.branch2)
    step = RequestStep.objects.create(request=request, state="received", at=timezone.now())
    admin2 = do_create_user("badmin2", password=PASSWORD, validate=False)
    do_grant_role(admin2, role="branch_admin", org=world.branch2, descendants=True)
    assert request.pk in _seen(Request, admin2) and step.pk in _seen(RequestStep, admin2)
    assert request.pk not in _seen(Request, admin2, "change")
