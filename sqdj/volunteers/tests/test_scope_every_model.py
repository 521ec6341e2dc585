"""The scope gate over every model of the volunteers app, generated from the app's models: a model added later
without rows here fails `test_every_model_is_covered`.

Two of everything: the rows of 甲社区 (its org SQT1: admin1's) and those of 乙社区 (SQT2), each around a member of the
community's branch registered there. admin1 (community admin) sees and may change exactly the first; viewer1 sees it
and may not change it; a user with no role sees nothing; the first member's own account (role member) sees the rows
that are theirs or open to them and changes nothing. The unit side of a member registered elsewhere (the member's
own org line) reads the member's claims, sign-ups and service records and changes none of them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.members.models import Member, Registration
from sqdj.members.self_service import do_link_user
from sqdj.members.services import do_create_member, do_register
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.members import member_data
from sqdj.volunteers.choices import FeedbackState
from sqdj.volunteers.models import (
    Activity,
    Certificate,
    CertificateCheck,
    Feedback,
    Post,
    PostClaim,
    PostKind,
    ServiceHours,
    Signup,
    Team,
    TeamMember,
    UnitRegistration,
)

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 2)
# reference rows of no one's tree: only a superuser reads them (the verification page writes them)
UNSCOPED = {CertificateCheck}


def _side(world, seq: int, area, community_org, branch) -> dict:
    """One row of every model in one community, around a member of its branch registered there."""
    member = do_create_member(acting_user=None, **member_data(branch, seq=seq, name=f"党员{seq}"))
    reg = do_register(member, acting_user=None, community=area, registered_on=DAY)
    return _rows(seq, area, community_org, member, reg)


def _rows(seq: int, area, org, member: Member, reg: Registration) -> dict:
    now = timezone.now()
    kind = PostKind.objects.create(org=org, code=f"k{seq}", name=f"岗位类别{seq}")
    post = Post.objects.create(org=org, community=area, kind=kind, service_area="study", title=f"岗位{seq}",
                               starts_on=DAY)  # fmt: skip
    team = Team.objects.create(org=org, community=area, name=f"服务队{seq}", service_area="culture", founded_on=DAY)
    activity = Activity.objects.create(org=org, community=area, service_area="study", title=f"活动{seq}", place="广场",
                                       starts_at=now, ends_at=now + datetime.timedelta(hours=2))  # fmt: skip
    hours = ServiceHours.objects.create(member=member, org=org, community=area, activity=activity, served_on=DAY,
                                        hours=Decimal("2"), content="服务", place="广场", source="recorded",
                                        state="verified", recorded_at=now)  # fmt: skip
    return {
        PostKind: kind,
        Post: post,
        Team: team,
        PostClaim: PostClaim.objects.create(post=post, member=member, applied_on=DAY),
        TeamMember: TeamMember.objects.create(team=team, member=member, applied_on=DAY),
        Activity: activity,
        Signup: Signup.objects.create(activity=activity, member=member, signed_up_at=now),
        ServiceHours: hours,
        Feedback: Feedback.objects.create(
            registration=reg,
            member=member,
            org=org,
            community=area,
            unit_org=member.org,
            period_kind="quarter",
            period_start=DAY,
            period_end=DAY,
            state=FeedbackState.SIGNED,
            number=f"FK{seq}",
        ),  # fmt: skip
        Certificate: Certificate.objects.create(
            member=member,
            org=org,
            community=area,
            period_start=DAY,
            period_end=DAY,
            hours=Decimal("2"),
            records=1,
            number=f"ZM{seq}",
            issued_on=DAY,
        ),  # fmt: skip
        CertificateCheck: CertificateCheck.objects.create(number=f"ZM{seq}", matched=True),
        UnitRegistration: UnitRegistration.objects.create(org=member.org, community=area, registered_on=DAY),
    }


@pytest.fixture
def sides():
    world = build_world()
    mine = _side(world, 1, world.community_area1, world.community1, world.branch1)
    other = _side(world, 2, world.community_area2, world.community2, world.branch2)
    me = do_create_user("me1", password=PASSWORD, validate=False)
    do_grant_role(me, role="member", org=world.branch1, descendants=False)
    do_link_user(Member.objects.get(name="党员1"), me, acting_user=None)
    return world, mine, other, me


def _models():
    return [m for m in apps.get_app_config("volunteers").get_models() if not m._meta.auto_created]


def test_every_model_is_covered(sides):
    _world, mine, other, _me = sides
    assert set(_models()) == set(mine) == set(other)


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_the_admin_sees_and_changes_only_the_own_side(sides, model):
    world, mine, other, _me = sides
    if model in UNSCOPED:
        assert not model.objects.restrict(world.admin1, "view").exists()
        assert model.objects.restrict(world.superuser, "view").count() == 2
        return
    for action in ("view", "change"):
        rows = set(model.objects.restrict(world.admin1, action).values_list("pk", flat=True))
        assert mine[model].pk in rows, action
        assert other[model].pk not in rows, action
    viewed = set(model.objects.restrict(world.viewer1, "view").values_list("pk", flat=True))
    assert mine[model].pk in viewed and other[model].pk not in viewed
    assert not model.objects.restrict(world.viewer1, "change").exists()
    assert not model.objects.restrict(world.nobody, "view").exists()


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_the_member_sees_their_own_and_changes_nothing(sides, model):
    _world, mine, other, me = sides
    seen = set(model.objects.restrict(me, "view").values_list("pk", flat=True))
    if getattr(model, "scope_self_q", None) is not None:
        assert seen == {mine[model].pk}  # their own rows, or their community's posts, teams and activities
    else:
        assert seen == set()  # the catalogue's own kinds, letters to the unit, 单位报到, the checks
    assert not model.objects.restrict(me, "change").exists()
    assert other[model].pk not in seen


def test_the_unit_side_reads_its_member_registered_elsewhere(sides):
    """A member of 乙社区's branch registered with 甲社区: the rows 甲社区 keeps of the member are read by 乙社区's side
    (scope_view_org_fields) and changed only by 甲社区's."""
    world, _mine, _other, _me = sides
    member = do_create_member(acting_user=None, **member_data(world.branch2, seq=3, name="在职3"))
    reg = do_register(member, acting_user=None, community=world.community_area1, registered_on=DAY)
    rows = _rows(3, world.community_area1, world.community1, member, reg)
    admin2 = do_create_user("admin2", password=PASSWORD, validate=False)
    do_grant_role(admin2, role="community_admin", org=world.community2, descendants=True)
    for model in (PostClaim, TeamMember, Signup, ServiceHours, Feedback):
        assert model.objects.restrict(admin2, "view").filter(pk=rows[model].pk).exists(), model
        assert model.objects.restrict(world.admin1, "change").filter(pk=rows[model].pk).exists(), model
    for model in (PostClaim, TeamMember, Signup, ServiceHours):
        assert not model.objects.restrict(admin2, "change").filter(pk=rows[model].pk).exists(), model
    for model in (Post, Team, Activity, Certificate):  # the community's own
        assert not model.objects.restrict(admin2, "view").filter(pk=rows[model].pk).exists(), model
