"""The scope gate over every model of the units app, generated from the app's models: a model added later without
rows here fails `test_every_model_is_covered`.

Two of everything: the rows of a unit in admin1's community (甲社区, its org 甲社区第一党支部) and the rows of a unit
in the sibling community (乙社区). admin1 (community admin) sees and may change exactly the first; viewer1 sees it
and may not change it; a user with no role sees nothing; the liaison of the first unit (role unit_contact) sees the
first unit's part of the models with a self scope and nothing else — and no member at all."""

import datetime

import pytest
from django.apps import apps
from stdnum.cn import uscc

from sqdj.accounts.services import do_create_user
from sqdj.members.models import Member
from sqdj.members.services import do_create_member
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.members import member_data
from sqdj.units import services
from sqdj.units.models import (
    Agreement,
    AgreementReview,
    AuthorityEntry,
    Council,
    CouncilMeeting,
    CouncilMember,
    Decision,
    Instructor,
    Need,
    Project,
    Resource,
    Unit,
    UnitContact,
    Visit,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 1)


def _code(seq: int) -> str:
    base = f"91120101MA09{seq:05d}"
    return base + uscc.calc_check_digit(base)


def _side(world, seq: int, community_area, org, community_org) -> dict:
    """One row of every model around one unit."""
    unit = Unit.objects.create(name=f"单位{seq}", credit_code=_code(seq), category="non_public_enterprise",
                               area=community_area, employees=10, party_members=3, org=org)  # fmt: skip
    instructor = Instructor.objects.create(unit=unit, name=f"指导员{seq}", started_on=DAY)
    council = Council.objects.create(org=community_org, kind="joint_council", name=f"联席会{seq}",
                                     term_started_on=DAY)  # fmt: skip
    seat = CouncilMember.objects.create(council=council, unit=unit, representative=f"代表{seq}", started_on=DAY)
    meeting = CouncilMeeting.objects.create(council=council, held_on=DAY, agenda="议程")
    agreement = Agreement.objects.create(org=community_org, title=f"协议{seq}", signed_on=DAY, starts_on=DAY,
                                         ends_on=DAY.replace(year=2027), org_commitments="甲",
                                         unit_commitments="乙")  # fmt: skip
    agreement.units.add(unit)
    need = Need.objects.create(org=community_org, area=community_area, category="venue", title=f"需求{seq}",
                               beneficiaries="老人")  # fmt: skip
    resource = Resource.objects.create(unit=unit, category="venue", title=f"场地{seq}", capacity=50)
    project = Project.objects.create(org=community_org, need=need, title=f"项目{seq}")
    project.resources.add(resource)
    return {
        Unit: unit,
        Instructor: instructor,
        Visit: Visit.objects.create(instructor=instructor, visited_on=DAY, content="走访"),
        AuthorityEntry: AuthorityEntry.objects.create(
            authority="market_regulation",
            kind="registered",
            credit_code=unit.credit_code,
            name=unit.name,
            changed_on=DAY,
            area=community_area,
            unit=unit,
        ),  # fmt: skip
        Council: council,
        CouncilMember: seat,
        CouncilMeeting: meeting,
        Decision: Decision.objects.create(
            council=council, meeting=meeting, title=f"事项{seq}", owner=unit, due_on=DAY
        ),  # fmt: skip
        Agreement: agreement,
        AgreementReview: AgreementReview.objects.create(agreement=agreement, year=2026, reviewed_on=DAY, note="好"),
        Need: need,
        Resource: resource,
        Project: project,
    }


@pytest.fixture
def sides():
    world = build_world()
    mine = _side(world, 1, world.community_area1, world.branch1, world.community1)
    other = _side(world, 2, world.community_area2, world.branch2, world.community2)
    liaison = do_create_user("liaison1", password=PASSWORD, validate=False)
    link = services.do_link_contact(mine[Unit], liaison, acting_user=None)
    mine[UnitContact] = link
    other[UnitContact] = UnitContact.objects.create(unit=other[Unit], user=world.nobody, started_on=DAY)
    do_create_member(acting_user=None, **member_data(world.branch1, seq=1, name="张党员"))
    return world, mine, other, liaison


def _models():
    return [m for m in apps.get_app_config("units").get_models() if not m._meta.auto_created]


def test_every_model_is_covered(sides):
    _world, mine, other, _liaison = sides
    assert set(_models()) == set(mine) == set(other)


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_the_admin_sees_and_changes_only_the_own_side(sides, model):
    world, mine, other, _liaison = sides
    for action in ("view", "change"):
        rows = set(model.objects.restrict(world.admin1, action).values_list("pk", flat=True))
        assert mine[model].pk in rows, action
        assert other[model].pk not in rows, action
    viewed = set(model.objects.restrict(world.viewer1, "view").values_list("pk", flat=True))
    assert mine[model].pk in viewed and other[model].pk not in viewed
    assert not model.objects.restrict(world.viewer1, "change").exists()
    assert not model.objects.restrict(world.nobody, "view").filter(pk__in=[mine[model].pk]).exists()


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_the_liaison_sees_the_own_units_part_only(sides, model):
    _world, mine, other, liaison = sides
    seen = set(model.objects.restrict(liaison, "view").values_list("pk", flat=True))
    if getattr(model, "scope_self_q", None) is not None:
        assert seen == {mine[model].pk}
    else:
        assert seen == set()  # no self scope: nothing (the seats, meetings, reviews, visits, entries, links)
    assert not model.objects.restrict(liaison, "change").exists()
    assert other[model].pk not in seen
    assert not Member.objects.restrict(liaison, "view").exists()
