"""Posts and teams (issue 16, part 2): the catalogue (national kinds are the superuser's), posts a community publishes,
teams, and the claims on them — a member claims, the community approves or declines, either side ends an approved
one. Bad input: a Chinese message, nothing written; two approvers at once: one wins, the other a conflict."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core import dates
from sqdj.core.models import ObjectChange
from sqdj.core.services import Conflict, ScopeViolation
from sqdj.members.self_service import do_link_user
from sqdj.members.services import do_create_member
from sqdj.orgs.services import do_create_org
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.concurrency import race
from sqdj.testing.members import member_data
from sqdj.volunteers import posts as services
from sqdj.volunteers.models import Post, PostClaim, PostKind, Team, TeamMember

DAY = datetime.timedelta(days=1)


def posts_world():
    """Community 1 (admin1) and community 2 (admin2) each publish a post and keep a team; 孙自己 (branch 1, a user
    with the member role) and 李同支 serve in community 1; 郑他社 belongs to community 2."""
    w = build_world()
    today = dates.today()
    w.admin2 = do_create_user("admin2", password=PASSWORD, validate=False)
    do_grant_role(w.admin2, role="community_admin", org=w.community2, descendants=True)
    w.me = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="孙自己"))
    w.mate = do_create_member(acting_user=None, **member_data(w.branch1, seq=2, name="李同支"))
    w.other = do_create_member(acting_user=None, **member_data(w.branch2, seq=3, name="郑他社"))
    w.person = do_create_user("dangyuan", password=PASSWORD, validate=False)
    do_grant_role(w.person, role="member", org=w.branch1, descendants=False)
    w.me = do_link_user(w.me, w.person, acting_user=None)
    w.national = services.do_create_post_kind(acting_user=None, code="XCY", name="宣传员", position=1)
    w.kind1 = services.do_create_post_kind(acting_user=None, org=w.community1, code="K1", name="楼栋长")
    w.kind2 = services.do_create_post_kind(acting_user=None, org=w.community2, code="K2", name="调解员乙")
    common = {"acting_user": None, "service_area": "culture", "starts_on": today - 10 * DAY}
    w.post1 = services.do_create_post(org=w.community1, kind=w.national, title="政策宣传岗", places=1, **common)
    w.post2 = services.do_create_post(org=w.community2, kind=w.kind2, title="矛盾调解岗", places=2, **common)
    w.team1 = services.do_create_team(acting_user=None, org=w.community1, name="甲社区党员志愿服务队",
                                      service_area="convenience", founded_on=today - 30 * DAY)  # fmt: skip
    w.team2 = services.do_create_team(acting_user=None, org=w.community2, name="乙社区党员志愿服务队",
                                      service_area="convenience", founded_on=today - 30 * DAY)  # fmt: skip
    return w


@pytest.fixture
def w(db):
    return posts_world()


def _nothing_written(before: int):
    assert ObjectChange.objects.count() == before


# ---- the catalogue ----------------------------------------------------------------------------------------------


def test_national_kinds_are_the_superusers_and_an_org_changes_its_own(w):
    with pytest.raises(ScopeViolation):
        services.do_create_post_kind(acting_user=w.admin1, org=None, code="SFY", name="示范员")
    with pytest.raises(ScopeViolation):
        services.do_update_post_kind(w.national, acting_user=w.admin1, code="XCY", name="改名")
    with pytest.raises(ScopeViolation):  # another community's kind
        services.do_update_post_kind(w.kind2, acting_user=w.admin1, code="K2", name="改名")
    with pytest.raises(ScopeViolation):  # a viewer changes nothing
        services.do_create_post_kind(acting_user=w.viewer1, org=w.community1, code="V1", name="看")
    made = services.do_create_post_kind(acting_user=w.superuser, org=None, code="SFY", name="示范员")
    assert made.org is None
    services.do_update_post_kind(w.national, acting_user=w.superuser, code="XCY", name="宣传员", position=2)
    own = services.do_create_post_kind(acting_user=w.admin1, org=w.community1, code="K1B", name=" 网格员 ")
    assert (own.org, own.name) == (w.community1, "网格员")
    before = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.do_create_post_kind(acting_user=w.admin1, org=w.community1, code="K1", name="")
    assert set(exc.value.message_dict) == {"code", "name"}
    assert "已" in exc.value.message_dict["code"][0]  # in Chinese
    _nothing_written(before)


def test_the_catalogue_seen_through_the_gate(w):
    seen = set(PostKind.objects.restrict(w.admin1, "view").values_list("code", flat=True))
    assert {"XCY", "K1"} <= seen and "K2" not in seen


# ---- posts ------------------------------------------------------------------------------------------------------


def _post(w, **over):
    data = {"org": w.community1, "kind": w.kind1, "service_area": "safety", "title": "治安巡逻岗", "places": 2,
            "starts_on": dates.today()}  # fmt: skip
    data.update(over)
    return services.do_create_post(acting_user=w.admin1, **data)


def test_a_community_publishes_a_post(w):
    post = _post(w, place=" 小区门口 ", ends_on=dates.today())  # ends the day it starts: allowed
    assert (post.community, post.place, post.closed_on) == (w.community_area1, "小区门口", None)
    assert ObjectChange.objects.filter(content_type__model="post", object_id=post.pk).count() == 1
    # the branch is placed in the community: its posts serve that community
    assert _post(w, org=w.branch1).community == w.community_area1


def test_bad_posts_are_refused_in_chinese_and_nothing_written(w):
    before = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as exc:
        _post(w, places=0, ends_on=dates.today() - DAY, kind=w.kind2, title=" ")
    assert set(exc.value.message_dict) == {"places", "ends_on", "kind", "title"}
    assert "至少" in exc.value.message_dict["places"][0]
    unplaced = do_create_org(acting_user=None, parent=w.community1, code="DWZB1", name="甲公司党支部", type="branch")
    with pytest.raises(ValidationError) as exc:
        _post(w, org=unplaced)
    assert "社区" in exc.value.message_dict["org"][0]
    with pytest.raises(ScopeViolation):
        _post(w, org=w.community2, kind=w.national)
    assert ObjectChange.objects.count() == before + 1  # the org made above, nothing else
    assert Post.objects.count() == 2


def test_fewer_places_than_approved_is_refused(w):
    claim = services.do_claim_post(w.post2, w.other, acting_user=None)
    services.do_approve(claim, acting_user=w.admin2)
    data = {"kind": w.kind2, "service_area": "culture", "title": "矛盾调解岗", "starts_on": w.post2.starts_on}
    with pytest.raises(ValidationError) as exc:
        services.do_update_post(w.post2, acting_user=w.admin2, places=0, **data)
    assert "places" in exc.value.message_dict
    assert services.do_update_post(w.post2, acting_user=w.admin2, places=1, **data).places == 1


def test_closing_stops_claims(w):
    with pytest.raises(ValidationError):
        services.do_close_post(w.post1, acting_user=w.admin1, closed_on=dates.today() - DAY)
    with pytest.raises(ScopeViolation):
        services.do_close_post(w.post1, acting_user=w.viewer1)
    services.do_close_post(w.post1, acting_user=w.admin1)
    with pytest.raises(Conflict):
        services.do_close_post(w.post1, acting_user=w.admin1)
    with pytest.raises(ValidationError) as exc:
        services.do_claim_post(w.post1, w.me, acting_user=w.person)
    assert "停止认领" in exc.value.message_dict["post"][0]
    assert not PostClaim.objects.exists()
    assert not Post.objects.filter(services.open_q(dates.today()), pk=w.post1.pk).exists()


def test_closing_from_a_later_day_takes_claims_until_then(w):
    services.do_close_post(w.post1, acting_user=w.admin1, closed_on=dates.today() + DAY)
    assert Post.objects.filter(services.open_q(dates.today()), pk=w.post1.pk).exists()
    assert services.do_claim_post(w.post1, w.me, acting_user=w.person).state == "pending"


def test_the_period_ends_claims_the_day_after(w):
    Post.objects.filter(pk=w.post1.pk).update(ends_on=dates.today())  # the last day: still open
    w.post1.refresh_from_db()
    claim = services.do_claim_post(w.post1, w.me, acting_user=w.person)
    assert claim.state == "pending"
    Post.objects.filter(pk=w.post1.pk).update(ends_on=dates.today() - DAY)
    w.post1.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.do_claim_post(w.post1, w.mate, acting_user=w.admin1)
    assert "post" in exc.value.message_dict
    assert PostClaim.objects.count() == 1


# ---- claims -----------------------------------------------------------------------------------------------------


def test_a_member_claims_once_and_the_community_approves(w):
    claim = services.do_claim_post(w.post1, w.me, acting_user=w.person)
    assert (claim.state, claim.applied_on, claim.member) == ("pending", dates.today(), w.me)
    with pytest.raises(ValidationError) as exc:  # a second open claim
        services.do_claim_post(w.post1, w.me, acting_user=w.person)
    assert "认领" in exc.value.message_dict["member"][0]
    with pytest.raises(ScopeViolation):  # the member decides nothing
        services.do_approve(claim, acting_user=w.person)
    with pytest.raises(ScopeViolation):  # nor does a viewer
        services.do_approve(claim, acting_user=w.viewer1)
    approved = services.do_approve(claim, acting_user=w.admin1, note=" 欢迎 ")
    assert (approved.state, approved.decided_by, approved.decision_note) == ("approved", w.admin1, "欢迎")
    assert approved.decided_at is not None
    with pytest.raises(Conflict):
        services.do_decline(approved, acting_user=w.admin1)


def test_claims_for_others_only_by_their_own_side(w):
    with pytest.raises(ScopeViolation):  # the member user acts for themself only
        services.do_claim_post(w.post1, w.mate, acting_user=w.person)
    with pytest.raises(ScopeViolation):  # admin2 may not change a member of community 1's branch
        services.do_claim_post(w.post2, w.me, acting_user=w.admin2)
    with pytest.raises(ScopeViolation):  # the member does not see community 2's post
        services.do_claim_post(w.post2, w.me, acting_user=w.person)
    assert services.do_claim_post(w.post1, w.mate, acting_user=w.admin1).member == w.mate
    assert PostClaim.objects.count() == 1


def test_the_places_limit_both_sides(w):
    """post1 has one place: the first approval fills it; a second approval, and a new claim, are refused."""
    mine = services.do_claim_post(w.post1, w.me, acting_user=w.person)
    mates = services.do_claim_post(w.post1, w.mate, acting_user=w.admin1)  # below the limit: taken
    services.do_approve(mine, acting_user=w.admin1)
    third = do_create_member(acting_user=None, **member_data(w.branch1, seq=4, name="周第三"))
    before = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.do_approve(mates, acting_user=w.admin1)
    assert "已满" in exc.value.messages[0]
    mates.refresh_from_db()
    assert mates.state == "pending"
    with pytest.raises(ValidationError) as exc:
        services.do_claim_post(w.post1, third, acting_user=w.admin1)
    assert "已满" in exc.value.message_dict["post"][0]
    _nothing_written(before)
    assert services.do_decline(mates, acting_user=w.admin1, note="名额已满").state == "declined"


def test_either_side_ends_an_approved_claim(w):
    claim = services.do_claim_post(w.post1, w.me, acting_user=w.person)
    with pytest.raises(Conflict):  # only an approved one ends
        services.do_end_claim(claim, acting_user=w.person, reason="asked")
    services.do_approve(claim, acting_user=w.admin1)
    with pytest.raises(ValidationError) as exc:
        services.do_end_claim(claim, acting_user=w.person, reason="nope", ended_on=dates.today() + DAY)
    assert set(exc.value.message_dict) == {"reason", "ended_on"}
    with pytest.raises(ScopeViolation):
        services.do_end_claim(claim, acting_user=w.admin2, reason="asked")
    ended = services.do_end_claim(claim, acting_user=w.person, reason="asked", note="工作调动")
    assert (ended.state, ended.ended_on, ended.end_reason, ended.end_note) == ("ended", dates.today(), "asked",
                                                                              "工作调动")  # fmt: skip
    # the place is free again; a new claim by the same member is allowed
    assert services.do_claim_post(w.post1, w.me, acting_user=w.person).state == "pending"


def test_the_community_ends_a_claim_too(w):
    claim = services.do_approve(services.do_claim_post(w.post1, w.me, acting_user=w.person), acting_user=w.admin1)
    assert services.do_end_claim(claim, acting_user=w.admin1, reason="unsuited").end_reason == "unsuited"


def test_what_a_member_sees(w):
    """A member sees the posts and teams of their community and their own claims only."""
    mine = services.do_claim_post(w.post1, w.me, acting_user=w.person)
    mates = services.do_claim_post(w.post1, w.mate, acting_user=w.admin1)
    assert set(Post.objects.restrict(w.person, "view")) == {w.post1}
    assert set(Team.objects.restrict(w.person, "view")) == {w.team1}
    assert set(PostClaim.objects.restrict(w.person, "view")) == {mine}
    assert mates not in PostClaim.objects.restrict(w.person, "view")


# ---- teams ------------------------------------------------------------------------------------------------------


def test_teams_rules(w):
    today = dates.today()
    base = {"acting_user": w.admin1, "service_area": "study", "founded_on": today}
    before = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as exc:  # the name is taken among the community's active teams
        services.do_create_team(org=w.community1, name="甲社区党员志愿服务队", **base)
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # a community's own team serves its own community
        services.do_create_team(org=w.community1, community=w.community_area2, name="新队", **base)
    assert "community" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # the leader is a member admin1 may see
        services.do_create_team(org=w.community1, name="新队", leader=w.other, **{**base, "founded_on": today + DAY})
    assert set(exc.value.message_dict) == {"leader", "founded_on"}
    unit = do_create_org(acting_user=None, parent=w.community1, code="DWZB1", name="甲公司党支部", type="branch")
    before += 1
    with pytest.raises(ValidationError) as exc:  # a unit's org chooses the community
        services.do_create_team(org=unit, name="公司服务队", **base)
    assert "community" in exc.value.message_dict
    with pytest.raises(ScopeViolation):
        services.do_create_team(org=w.community2, name="越界队", **base)
    _nothing_written(before)
    team = services.do_create_team(org=unit, community=w.community_area2, name="公司服务队", leader=w.me, **base)
    assert (team.community, team.leader) == (w.community_area2, w.me)
    ended = services.do_end_team(w.team1, acting_user=w.admin1)
    assert (ended.active, ended.ended_on) == (False, today)
    # the name is free again once the team has ended
    assert services.do_create_team(org=w.community1, name="甲社区党员志愿服务队", **base).active


def test_joining_a_team_as_claiming_a_post(w):
    req = services.do_join_team(w.team1, w.me, acting_user=w.person)
    with pytest.raises(ValidationError) as exc:
        services.do_join_team(w.team1, w.me, acting_user=w.person)
    assert "member" in exc.value.message_dict
    with pytest.raises(ScopeViolation):
        services.do_approve(req, acting_user=w.person)
    joined = services.do_approve(req, acting_user=w.admin1)
    assert isinstance(joined, TeamMember) and joined.state == "approved"
    assert services.do_end_claim(joined, acting_user=w.person, reason="moved").state == "ended"
    services.do_end_team(w.team1, acting_user=w.admin1)
    with pytest.raises(ValidationError) as exc:
        services.do_join_team(w.team1, w.mate, acting_user=w.admin1)
    assert "team" in exc.value.message_dict


def test_a_team_that_disbands_leaves_no_membership_open(w):
    """Disbanding declines the pending requests and ends the approved memberships on the day (reason: disbanded);
    a membership that had ended before stays as it was."""
    waiting = services.do_join_team(w.team1, w.mate, acting_user=w.admin1)
    serving = services.do_approve(services.do_join_team(w.team1, w.me, acting_user=w.person), acting_user=w.admin1)
    gone = services.do_end_claim(
        services.do_approve(services.do_join_team(w.team1, w.other, acting_user=None), acting_user=None),
        acting_user=None, reason="asked",
    )  # fmt: skip
    day = dates.today()
    services.do_end_team(w.team1, acting_user=w.admin1, ended_on=day)
    for claim in (waiting, serving, gone):
        claim.refresh_from_db()
    assert (waiting.state, waiting.decided_by) == ("declined", w.admin1) and "解散" in waiting.decision_note
    assert (serving.state, serving.ended_on, serving.end_reason) == ("ended", day, "disbanded")
    assert serving.get_end_reason_display() == "服务队解散"
    assert (gone.state, gone.end_reason) == ("ended", "asked")
    assert not TeamMember.objects.filter(team=w.team1, state__in=("pending", "approved")).exists()


# ---- two approvers at once --------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_approvers_at_once_one_wins_one_conflicts():
    w = posts_world()
    claim = services.do_claim_post(w.post1, w.me, acting_user=w.person)
    results = race(
        lambda: services.do_approve(PostClaim.objects.get(pk=claim.pk), acting_user=w.admin1),
        lambda: services.do_approve(PostClaim.objects.get(pk=claim.pk), acting_user=w.superuser),
    )
    assert sum(isinstance(r, PostClaim) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    changes = ObjectChange.objects.filter(content_type__model="postclaim", object_id=claim.pk, action="update")
    assert changes.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_approvals_of_the_last_place_at_once_fill_it_once():
    w = posts_world()
    a = services.do_claim_post(w.post1, w.me, acting_user=w.person)
    b = services.do_claim_post(w.post1, w.mate, acting_user=w.admin1)
    results = race(
        lambda: services.do_approve(PostClaim.objects.get(pk=a.pk), acting_user=w.admin1),
        lambda: services.do_approve(PostClaim.objects.get(pk=b.pk), acting_user=w.superuser),
    )
    assert sum(isinstance(r, PostClaim) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert PostClaim.objects.filter(post=w.post1, state="approved").count() == 1
