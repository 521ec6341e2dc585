"""Test data for the member's self service: the shared small world, a user with the `member` role linked to a member
of branch 1, other members next to them and elsewhere, and something of every kind around both (transfer cases,
outflows, an inflow, registrations, leadership rows), so that a walk over every page can look for leaks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.leadership import services as leadership
from sqdj.members.self_service import do_link_user
from sqdj.members.services import do_create_member, do_register
from sqdj.services.models import Request
from sqdj.services.requests import do_create_request
from sqdj.testing import PASSWORD, World, build_world
from sqdj.testing.members import make_id_number, member_data
from sqdj.transfers import mobile_services
from sqdj.transfers import services as transfers
from sqdj.volunteers.models import (
    Activity,
    Certificate,
    Post,
    PostClaim,
    PostKind,
    ServiceHours,
    Signup,
    Team,
    TeamMember,
)

D = datetime.date


@dataclass
class SelfWorld:
    world: World
    user: object  # role `member` on branch1, linked to `me`
    me: object  # 孙自己, branch1
    others: list = field(default_factory=list)  # members the user must never see: same branch, community, elsewhere
    own: dict = field(default_factory=dict)  # the user's own rows by kind: transfer, outflow, registration
    foreign: dict = field(default_factory=dict)  # other people's rows of the same kinds, and the rest


def build_self_world() -> SelfWorld:
    w = build_world()
    seq = iter(range(1, 1000))

    def member(org, name, birth, **over):
        return do_create_member(
            acting_user=None,
            **member_data(org, seq=next(seq), name=name, birth=birth, work_unit=f"{name}的工作单位", **over),
        )

    me = member(w.branch1, "孙自己", D(1971, 1, 11))
    mate = member(w.branch1, "周同支", D(1972, 2, 12))  # the same branch: today's viewer-like role saw them
    neighbour = member(w.community1, "吴同社", D(1973, 3, 13))  # the same community
    stranger = member(w.branch2, "郑他社", D(1974, 4, 14))  # elsewhere
    user = do_create_user("dangyuan", password=PASSWORD, display_name="党员", validate=False)
    do_grant_role(user, role="member", org=w.branch1, descendants=True)
    do_link_user(me, user, acting_user=None)

    own, foreign = {}, {}
    case = transfers.do_create_transfer(acting_user=None, member=me, reason="work", to_org=w.branch2)
    case = transfers.do_submit(case, acting_user=None, version=case.version)
    own["transfer"] = transfers.do_approve(case, acting_user=None, version=case.version)
    case = transfers.do_create_transfer(acting_user=None, member=mate, reason="work", to_org=w.branch2)
    foreign["transfer"] = transfers.do_submit(case, acting_user=None, version=case.version)
    case = transfers.do_create_transfer(
        acting_user=None, member=neighbour, reason="residence", external_org_name="中共某市某社区委员会"
    )
    case = transfers.do_submit(case, acting_user=None, version=case.version)
    foreign["outgoing"] = transfers.do_approve(case, acting_user=None, version=case.version)
    foreign["draft"] = transfers.do_create_transfer(acting_user=None, member=stranger, reason="work", to_org=w.branch1)

    own["outflow"] = mobile_services.do_record_outflow(me, acting_user=None, left_on=D(2025, 1, 1), destination="深圳")
    foreign["outflow"] = mobile_services.do_record_outflow(
        mate, acting_user=None, left_on=D(2025, 2, 1), destination="广州"
    )
    foreign["inflow"] = mobile_services.do_register_inflow(
        acting_user=None, name="钱流入", id_number=make_id_number(D(1980, 3, 2), 41), home_org_name="外地支部",
        arrived_on=D(2025, 1, 1), host_org=w.branch1,
    )  # fmt: skip
    own["registration"] = do_register(me, acting_user=None, community=w.community_area1, registered_on=D(2025, 1, 5))
    foreign["registration"] = do_register(
        mate, acting_user=None, community=w.community_area1, registered_on=D(2025, 1, 6)
    )
    foreign["position"] = leadership.do_create_position(
        acting_user=None, org=w.community1, member=mate, role="secretary", started_on=D(2024, 1, 1)
    )
    # everyone entitled to vote (counted from the roll) was present
    present, _basis = leadership.count_voters(w.community1, D(2024, 1, 1), "committee")
    foreign["election"] = leadership.do_create_election(
        acting_user=None, org=w.community1, held_on=D(2024, 1, 1), seats=1, voters_present=present,
        candidates=[{"member": m, "votes": 1, "elected": m == mate} for m in (mate, neighbour)],
    )  # fmt: skip
    committee = leadership.do_create_residents_committee(acting_user=None, area=w.community_area1, name="甲社区居委会")
    foreign["committee"] = committee
    foreign["seat"] = leadership.do_create_residents_seat(
        acting_user=None, committee=committee, role="chair", member=neighbour, started_on=D(2024, 1, 1)
    )
    _volunteer_rows(w, me, mate, own, foreign)
    _service_rows(w, me, mate, own, foreign)
    return SelfWorld(w, user, me, [mate, neighbour, stranger], own, foreign)


def _volunteer_rows(w, me, mate, own: dict, foreign: dict) -> None:
    """Volunteer service (issue 16): the member's community's post, team and activity (open to the member), the
    member's own claim, membership, sign-up, service record and certificate; the same of a member of the same branch
    (foreign), and another community's post, team and activity."""
    now = timezone.now()
    kind = PostKind.objects.order_by("pk").first()
    for rows, area, org in ((own, w.community_area1, w.community1), (foreign, w.community_area2, w.community2)):
        rows["post"] = Post.objects.create(org=org, community=area, kind=kind, service_area="convenience",
                                           title=f"{area.name}便民服务岗", starts_on=D(2025, 1, 1))  # fmt: skip
        rows["team"] = Team.objects.create(org=org, community=area, name=f"{area.name}志愿服务队",
                                           service_area="convenience", founded_on=D(2025, 1, 1))  # fmt: skip
        rows["activity"] = Activity.objects.create(org=org, community=area, service_area="environment",
                                                   title=f"{area.name}清洁家园", place="广场", starts_at=now,
                                                   ends_at=now + datetime.timedelta(hours=2))  # fmt: skip
    for rows, who in ((own, me), (foreign, mate)):
        rows["postclaim"] = PostClaim.objects.create(post=own["post"], member=who, applied_on=D(2025, 2, 1))
        rows["teammember"] = TeamMember.objects.create(team=own["team"], member=who, applied_on=D(2025, 2, 1))
        rows["signup"] = Signup.objects.create(activity=own["activity"], member=who, signed_up_at=now)
        rows["servicehours"] = ServiceHours.objects.create(
            member=who, org=w.community1, community=w.community_area1, served_on=D(2025, 3, 1), hours=Decimal("2"),
            content="便民服务", place="广场", source="recorded", state="verified", recorded_at=now, verified_at=now,
        )  # fmt: skip
        rows["certificate"] = Certificate.objects.create(
            member=who, org=w.community1, community=w.community_area1, period_start=D(2025, 3, 1),
            period_end=D(2025, 3, 31), hours=Decimal("2"), records=1, number=f"ZM{who.pk:08d}", issued_on=D(2025, 4, 1),
        )  # fmt: skip


def _service_rows(w, me, mate, own: dict, foreign: dict) -> None:
    """Serving residents (issue 17): a resident's request assigned to the member, and one assigned to a member of
    the same branch (foreign): a member reads the requests assigned to them only."""
    for rows, who, summary in ((own, me, "楼道灯不亮"), (foreign, mate, "井盖松动")):
        request = do_create_request(acting_user=None, summary=summary, description=summary, area=w.community_area1,
                                    source="visit")  # fmt: skip
        Request.objects.filter(pk=request.pk).update(assigned_member=who)
        rows["request"] = Request.objects.get(pk=request.pk)


def leak_markers(member) -> list[str]:
    """What of a member must not show up in a page or answer for someone who may not see them."""
    born = member.birth_date
    return [
        member.name,
        member.work_unit,
        born.isoformat(),
        f"{born.year}年{born.month}月{born.day}日",
        member.id_number,  # (the masked number shows the province only, the same for most: no marker)
        member.phone,
    ]
