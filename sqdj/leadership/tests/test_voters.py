"""Members entitled to vote at an election, counted from the roll (选举工作条例; issue 13): who counts on the day,
which org's members, the committee for a secretary's election, the excused members and the quorum on the others,
the figure kept as counted, typed figures only for a delegates' congress and for rows recorded before."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from sqdj.core.models import ObjectChange
from sqdj.leadership import services
from sqdj.leadership.forms import ElectionForm
from sqdj.leadership.models import Candidate, Election
from sqdj.members import standing
from sqdj.members.models import Member
from sqdj.members.services import do_create_member
from sqdj.orgs.services import do_create_org
from sqdj.testing import build_world
from sqdj.testing.api import api_client
from sqdj.testing.members import member_data
from sqdj.testing.migrations import migrate_to

pytestmark = pytest.mark.django_db

D = datetime.date
HELD = D(2024, 3, 1)
FULL = 10  # full members of branch1 entitled to vote on HELD


@pytest.fixture
def world():
    w = build_world()
    seq = iter(range(1, 1000))

    def member(org, name, **over):
        return do_create_member(acting_user=None, **member_data(org, seq=next(seq), name=name, **over))

    w.member = member
    w.full = [member(w.branch1, f"党员{i}") for i in range(FULL - 1)]
    w.grouped = member(w.group1, "小组员")  # in branch1's party group: a member of branch1 too
    w.suspended = member(w.branch1, "停籍者")
    standing.do_suspend(w.suspended, acting_user=None, date=D(2023, 6, 1))
    w.disciplined = member(w.branch1, "察看者")
    standing.do_probation_discipline(w.disciplined, acting_user=None, starts_on=D(2023, 9, 1), years=1)
    w.probationary = member(w.branch1, "预备者", member_type="probationary", confirmed_on=None,
                            joined_on=D(2023, 12, 1))  # fmt: skip
    w.late = member(w.branch1, "次日转正", joined_on=D(2023, 2, 28), confirmed_on=HELD + datetime.timedelta(days=1))
    w.elsewhere = member(w.branch2, "外支部")
    return w


def codes(exc: ValidationError, field: str) -> list[str]:
    return [e.code for e in exc.error_dict.get(field, [])]


def elect(w, *, org=None, held_on=HELD, present=None, office="committee", user=None, seats=1, **extra):
    """A one-seat election of two candidates (the first elected); `present` defaults to all who may vote."""
    org = org or w.branch1
    if present is None:
        present = services.count_voters(org, held_on, office)[0] - extra.get("excused_voters", 0)
    people = [w.full[0], w.full[1]][: 1 if office != "committee" else 2]
    return services.do_create_election(
        acting_user=user or w.admin1, org=org, office=office, held_on=held_on, seats=seats, voters_present=present,
        candidates=[{"member": m, "votes": 1, "elected": i == 0} for i, m in enumerate(people)], **extra,
    )  # fmt: skip


# -- who counts ----------------------------------------------------------------------------------------------------


def test_the_roll_on_the_day_counts_full_members_in_good_standing_only(world):
    """Not counted: suspended (停止党籍), under 留党察看, probationary, confirmed only the day after; counted: a
    member of the branch's party group. Both sides: the same members count on days they may vote."""
    e = elect(world)
    assert (e.eligible_voters, e.voters_basis, e.voters_derived) == (FULL, "roll", True)
    counted = services.count_voters
    assert counted(world.branch1, world.late.confirmed_on, "committee") == (FULL + 1, "roll")  # confirmed that day
    # the day before the suspension and the 留党察看: the member under 留党察看 counts; the suspended one stays out, as
    # standing is today's (hence the figure is stored when the election is recorded)
    assert counted(world.branch1, D(2023, 5, 31), "committee")[0] == FULL + 1
    # 留党察看 from 2023-09-01 for a year: may vote again from 2024-09-01 (the suspended one still may not)
    assert counted(world.branch1, D(2024, 8, 31), "committee")[0] == FULL + 1
    assert counted(world.branch1, D(2024, 9, 1), "committee")[0] == FULL + 2
    voters = set(standing.voters(Member.objects.filter(org__path__startswith=world.branch1.path), HELD))
    assert world.grouped in voters and not {world.suspended, world.disciplined, world.probationary,
                                            world.late, world.elsewhere} & voters  # fmt: skip


def test_a_general_branch_counts_its_whole_subtree(world):
    e = elect(world, org=world.community1)
    assert e.eligible_voters == FULL  # branch1 and its group; the other community's branch is not below
    world.member(world.community1, "总支直属")
    assert services.count_voters(world.community1, HELD, "committee")[0] == FULL + 1
    assert services.count_voters(world.branch1, HELD, "committee")[0] == FULL


def test_the_figure_stays_as_counted_unless_the_day_or_org_changes(world):
    e = elect(world)
    standing.do_suspend(world.full[5], acting_user=None, date=D(2023, 1, 1))  # recorded afterwards, dated before
    e = services.do_update_election(e, acting_user=world.admin1, note="补记")
    assert e.eligible_voters == FULL  # as recorded
    e = services.do_update_election(e, acting_user=world.admin1, held_on=HELD + datetime.timedelta(days=1),
                                    voters_present=FULL)  # fmt: skip
    assert e.eligible_voters == FULL  # counted again: the late member in, the newly suspended one out


def test_nobody_entitled_is_refused(world):
    empty = do_create_org(acting_user=None, parent=world.community1, code="ZBT9", name="空支部", type="branch")
    with pytest.raises(ValidationError) as exc:
        elect(world, org=empty, present=1)
    assert codes(exc.value, "eligible_voters") == ["no_voters"]


# -- a typed figure ------------------------------------------------------------------------------------------------


def test_a_typed_figure_is_never_higher_and_lower_only_by_the_excused(world):
    before = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as exc:
        elect(world, eligible_voters=FULL + 1, present=FULL)
    assert codes(exc.value, "eligible_voters") == ["typed_over_roll"]
    assert str(FULL) in exc.value.message_dict["eligible_voters"][0]
    with pytest.raises(ValidationError) as exc:
        elect(world, eligible_voters=FULL - 2, present=FULL - 2)
    assert codes(exc.value, "eligible_voters") == ["typed_below_roll"]
    assert not Election.objects.exists() and ObjectChange.objects.count() == before
    e = elect(world, eligible_voters=FULL - 2, excused_voters=2, excused_reason="两人出国经批准不计入")
    assert (e.eligible_voters, e.excused_voters, e.entitled_voters) == (FULL, 2, FULL - 2)
    assert elect(world, eligible_voters=FULL).eligible_voters == FULL  # the same as the count: fine


# -- excused members and the quorum --------------------------------------------------------------------------------


def test_excused_members_need_a_reason(world):
    with pytest.raises(ValidationError) as exc:
        elect(world, excused_voters=2, excused_reason="  ")
    assert codes(exc.value, "excused_reason") == ["excused_without_reason"]
    assert exc.value.message_dict["excused_reason"][0]
    assert not Election.objects.exists()
    e = elect(world, excused_voters=2, excused_reason="一人住院、一人出国，经街道党工委同意不计入")
    assert (e.eligible_voters, e.excused_voters, e.entitled_voters, e.voters_present) == (FULL, 2, FULL - 2, FULL - 2)


def test_more_excused_than_on_the_roll_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        elect(world, excused_voters=FULL + 1, excused_reason="出国", present=0)
    assert codes(exc.value, "excused_voters") == ["excused_over_roll"]
    assert not Election.objects.exists()


@pytest.mark.parametrize("present, ok", [(8, False), (9, True)])
def test_quorum_is_more_than_four_fifths_of_those_not_excused(world, present, ok):
    """12 on the roll, 2 excused: 10 should attend; 8 is exactly 4/5 (refused), 9 is more (accepted). Without the
    excused, 9 of 12 would not be enough."""
    world.member(world.branch1, "第十一")
    world.member(world.branch1, "第十二")
    assert services.count_voters(world.branch1, HELD, "committee")[0] == 12
    excused = dict(excused_voters=2, excused_reason="二人流动在外无法参会，经批准")
    if ok:
        assert elect(world, present=present, **excused).entitled_voters == 10
        with pytest.raises(ValidationError) as exc:
            elect(world, present=present)
        assert codes(exc.value, "voters_present") == ["no_quorum"]
    else:
        with pytest.raises(ValidationError) as exc:
            elect(world, present=present, **excused)
        assert codes(exc.value, "voters_present") == ["no_quorum"]
        assert not Election.objects.exists()


def test_present_over_those_not_excused_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        elect(world, present=FULL - 1, excused_voters=2, excused_reason="出国")
    assert codes(exc.value, "voters_present") == ["present_over_eligible"]


# -- a secretary's election: the committee -------------------------------------------------------------------------


def test_a_secretary_election_counts_the_committee_in_office_that_day(world):
    w = world
    post = dict(acting_user=None, org=w.community1, role="committee_member")
    for m in w.full[:3]:
        services.do_create_position(**post, member=m, started_on=D(2024, 1, 1))
    services.do_create_position(**post, member=w.full[3], started_on=D(2021, 1, 1), ended_on=HELD)  # last day
    services.do_create_position(**post, member=w.full[4], started_on=D(2021, 1, 1), ended_on=HELD - D.resolution)
    services.do_create_position(**post, member=w.full[5], started_on=HELD + D.resolution)
    e = elect(w, org=w.community1, office="secretary")
    assert (e.eligible_voters, e.voters_basis) == (4, "committee")
    assert e.voters_present == 4 and e.pending_approval
    # not the roll (10 would make 4 present far from a quorum)
    with pytest.raises(ValidationError) as exc:
        elect(w, org=w.community1, office="secretary", present=3)  # 3 of 4 is not more than 4/5
    assert codes(exc.value, "voters_present") == ["no_quorum"]
    # a committee member under 留党察看 does not vote
    standing.do_probation_discipline(w.full[0], acting_user=None, starts_on=D(2024, 2, 1), years=1)
    assert services.count_voters(w.community1, HELD, "deputy_secretary") == (3, "committee")


def test_a_secretary_election_without_a_committee(world):
    """A 总支 without a committee in office has nobody to elect its secretary; a branch without a committee (under
    7 full members) elects its secretary at the members' assembly: the roll."""
    with pytest.raises(ValidationError) as exc:
        elect(world, org=world.community1, office="secretary", present=1)
    assert codes(exc.value, "eligible_voters") == ["no_voters"]
    assert services.count_voters(world.branch1, HELD, "secretary") == (FULL, "roll")


# -- a delegates' congress, and rows recorded before -----------------------------------------------------------------


def test_a_delegates_congress_keeps_the_typed_figure(world):
    committee = do_create_org(acting_user=None, parent=world.street, code="DWQ01", name="某党委", type="committee")
    with pytest.raises(ValidationError) as exc:
        elect(world, org=committee, assembly="delegates", present=90, user=world.superuser)
    assert codes(exc.value, "eligible_voters") == ["required"]
    e = elect(world, org=committee, assembly="delegates", eligible_voters=100, present=81, user=world.superuser)
    assert (e.eligible_voters, e.voters_basis, e.voters_derived) == (100, "typed", False)
    with pytest.raises(ValidationError) as exc:  # 80 of 100 is exactly 4/5
        elect(world, org=committee, assembly="delegates", eligible_voters=100, present=80, user=world.superuser)
    assert codes(exc.value, "voters_present") == ["no_quorum"]
    with pytest.raises(ValidationError) as exc:  # a branch has no delegates' congress
        elect(world, assembly="delegates", eligible_voters=100, present=90)
    assert codes(exc.value, "assembly") == ["delegates_not_allowed"]


def test_a_row_written_without_the_service_is_marked_typed(world):
    e = Election.objects.create(org=world.branch1, held_on=HELD, seats=1, eligible_voters=40, voters_present=38)
    for i, m in enumerate(world.full[:2]):
        Candidate.objects.create(election=e, member=m, votes=5, elected=i == 0)
    e.refresh_from_db()
    assert (e.voters_basis, e.voters_derived, e.excused_voters, e.excused_reason) == ("legacy", False, 0, "")
    services.do_update_election(e, acting_user=world.admin1, note="补记")  # kept as typed
    e.refresh_from_db()
    assert (e.eligible_voters, e.voters_basis) == (40, "legacy")
    # a new day: counted from the roll, the old figure sent back with the form not taken as a figure of its own
    e = services.do_update_election(e, acting_user=world.admin1, held_on=HELD + datetime.timedelta(days=1),
                                    eligible_voters=40, voters_present=FULL)  # fmt: skip
    assert (e.eligible_voters, e.voters_basis) == (FULL + 1, "roll")  # the member confirmed that day counts


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_recorded_figures_as_typed():
    w = build_world()
    try:
        apps = migrate_to([("leadership", "0007_community_thresholds")])
        Old = apps.get_model("leadership", "Election")
        Old.objects.create(org_id=w.branch1.pk, held_on=HELD, seats=3, eligible_voters=45, voters_present=40)
    finally:
        apps = migrate_to()
    row = apps.get_model("leadership", "Election").objects.get()
    assert (row.eligible_voters, row.voters_basis, row.excused_voters, row.assembly) == (45, "legacy", 0, "members")


# -- the API and the form --------------------------------------------------------------------------------------------


def test_api_shows_the_count_read_only_and_takes_the_excused(world):
    c = api_client(world.admin1)
    body = {
        "org": "ZBT1",
        "held_on": HELD.isoformat(),
        "seats": 1,
        "voters_present": FULL - 1,
        "excused_voters": 1,
        "excused_reason": "出国经批准",
        "candidates": [{"member": m.pk, "votes": 1, "elected": i == 0} for i, m in enumerate(world.full[:2])],
    }
    r = c.post("/api/v1/elections/", body)  # fmt: skip
    assert r.status_code == 201, r.json()
    data = r.json()
    assert (data["eligible_voters"], data["voters_basis"], data["entitled_voters"]) == (FULL, "roll", FULL - 1)
    r = c.post("/api/v1/elections/", {**body, "excused_reason": ""})
    assert r.status_code == 400 and "excused_reason" in r.json()
    r = c.post("/api/v1/elections/", {**body, "eligible_voters": FULL + 5})
    assert r.status_code == 400 and "eligible_voters" in r.json()
    r = c.patch(f"/api/v1/elections/{data['id']}/", {"voters_basis": "typed", "entitled_voters": 1})
    assert r.status_code == 200 and r.json()["voters_basis"] == "roll"  # read only


def test_form_shows_the_count_read_only(world):
    e = elect(world, excused_voters=1, excused_reason="住院")
    form = ElectionForm(instance=e, user=world.admin1)
    assert form.fields["counted"].disabled and str(FULL) in form.fields["counted"].initial
    assert form.initial["eligible_voters"] is None  # entered only for a delegates' congress
