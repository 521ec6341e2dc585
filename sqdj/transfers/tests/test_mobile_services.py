"""Mobile members' services: bad input is refused with field errors and nothing is saved; scope; one open record
per member/person; verification before a branch; nothing changes a member's standing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from sqdj.core.dates import today
from sqdj.core.models import ObjectChange
from sqdj.core.services import ScopeViolation
from sqdj.members import mobility
from sqdj.members.models import Member
from sqdj.members.services import do_create_member
from sqdj.testing.members import make_id_number, member_data
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import mobile_services as M
from sqdj.transfers.models import Inflow, Outflow

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
ID = make_id_number(datetime.date(1980, 3, 2), 41)


@pytest.fixture
def tw():
    return build_transfer_world()


def record(tw, **over):
    data = {"left_on": today() - 200 * DAY, "destination": "广东省深圳市", "contact": "13912345678"}
    data.update(over)
    return M.do_record_outflow(tw.member, acting_user=tw.sender, **data)


def register(tw, acting_user=None, **over):
    data = {"name": "王流入", "id_number": ID, "phone": "13712345678", "home_org_name": "中共某县某村支部",
            "arrived_on": today() - 30 * DAY, "host_org": tw.world.branch1}  # fmt: skip
    data.update(over)
    return M.do_register_inflow(acting_user=acting_user or tw.sender, **data)


def errors_of(exc) -> dict:
    return exc.value.message_dict


# ---- outflows ------------------------------------------------------------------------------------------------


def test_record_outflow_and_its_defaults(tw):
    o = record(tw)
    assert (o.member, o.last_contact_on, o.lost_contact_since, o.ended_on) == (tw.member, today(), None, None)
    assert Outflow.objects.get(pk=o.pk).contact == "13912345678"
    assert M.months_away(o.left_on) == 6 and M.is_mobile(o)
    assert ObjectChange.objects.filter(object_id=o.pk, action="create").exists()


@pytest.mark.parametrize(
    "over, field",
    [
        ({"left_on": lambda: today() + DAY}, "left_on"),
        ({"destination": "  "}, "destination"),
        ({"contact": "12345"}, "contact"),
        ({"last_contact_on": lambda: today() + DAY}, "last_contact_on"),
    ],
)
def test_record_outflow_bad_input_saves_nothing(tw, over, field):
    over = {k: v() if callable(v) else v for k, v in over.items()}  # dates: on the day the test runs
    before = ObjectChange.objects.count()
    with pytest.raises(ValidationError) as exc:
        record(tw, **over)
    assert field in errors_of(exc)
    assert not Outflow.objects.exists()
    assert ObjectChange.objects.count() == before


def test_recent_absence_is_recorded_but_shown_under_the_minimum(tw):
    o = record(tw, left_on=today() - 10 * DAY)
    assert not M.is_mobile(o) and M.months_away(o.left_on) == 0


def test_one_open_outflow_per_member_and_only_active_members(tw):
    record(tw)
    with pytest.raises(ValidationError) as exc:
        record(tw, destination="别处")
    assert "member" in errors_of(exc)
    assert Outflow.objects.count() == 1
    m = do_create_member(acting_user=None, **member_data(tw.world.branch1, seq=20, name="停籍者"))
    Member.objects.filter(pk=m.pk).update(standing="suspended")
    m.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        M.do_record_outflow(m, acting_user=tw.sender, left_on=today(), destination="某地")
    assert "member" in errors_of(exc)


def test_outflow_of_a_member_out_of_scope_is_refused(tw):
    with pytest.raises(ScopeViolation):
        M.do_record_outflow(tw.member, acting_user=tw.receiver, left_on=today(), destination="某地")
    assert not Outflow.objects.exists()


def test_contact_lost_contact_and_end(tw):
    o = record(tw, last_contact_on=today() - 100 * DAY)
    with pytest.raises(ValidationError) as exc:
        M.do_mark_lost_contact(o, acting_user=tw.sender, since=today() - 101 * DAY)  # before the last contact
    assert "since" in errors_of(exc)
    o = M.do_mark_lost_contact(o, acting_user=tw.sender, since=today() - 50 * DAY)
    assert o.lost_contact_since == today() - 50 * DAY
    with pytest.raises(ValidationError):
        M.do_mark_lost_contact(o, acting_user=tw.sender)  # already lost
    with pytest.raises(ValidationError) as exc:
        M.do_record_outflow_contact(o, acting_user=tw.sender, on=today() - 101 * DAY)
    assert "on" in errors_of(exc)
    o = M.do_record_outflow_contact(o, acting_user=tw.sender, on=today())
    assert (o.last_contact_on, o.lost_contact_since) == (today(), None)
    tw.member.refresh_from_db()
    assert tw.member.standing == "active"  # nothing here changes the standing
    with pytest.raises(ValidationError) as exc:
        M.do_end_outflow(o, acting_user=tw.sender, ended_on=today(), reason="bogus")
    assert "reason" in errors_of(exc)
    o = M.do_end_outflow(o, acting_user=tw.sender, ended_on=today(), reason="returned")
    assert o.ended_on == today()
    with pytest.raises(ValidationError):
        M.do_update_outflow(o, acting_user=tw.sender, destination="别处")  # ended
    assert Outflow.objects.get(pk=o.pk).destination == "广东省深圳市"
    record(tw)  # a new absence after the end


def test_update_outflow_validates_and_keeps_the_contact(tw):
    o = record(tw)
    with pytest.raises(ValidationError):
        M.do_update_outflow(o, acting_user=tw.sender, destination="", contact="1")
    o = M.do_update_outflow(o, acting_user=tw.sender, destination="上海市")
    assert (o.destination, o.contact) == ("上海市", "13912345678")


# ---- inflows -------------------------------------------------------------------------------------------------


def test_register_inflow(tw):
    i = register(tw)
    assert Inflow.objects.get(pk=i.pk).id_number == ID
    assert not i.verified and i.last_contact_on == today()


@pytest.mark.parametrize(
    "over, field",
    [
        ({"id_number": ID[:17] + ("0" if ID[17] != "0" else "1")}, "id_number"),  # wrong check digit
        ({"id_number": "123"}, "id_number"),
        ({"name": ""}, "name"),
        ({"home_org_name": ""}, "home_org_name"),
        ({"phone": "999"}, "phone"),
        ({"arrived_on": lambda: today() + DAY}, "arrived_on"),
    ],
)
def test_register_inflow_bad_input_saves_nothing(tw, over, field):
    over = {k: v() if callable(v) else v for k, v in over.items()}  # dates: on the day the test runs
    with pytest.raises(ValidationError) as exc:
        register(tw, **over)
    assert field in errors_of(exc)
    assert not Inflow.objects.exists()


def test_host_org_must_be_in_scope_and_one_open_inflow_per_person(tw):
    with pytest.raises(ValidationError) as exc:
        register(tw, host_org=tw.branch3)  # the sender administers branch1 only
    assert "host_org" in errors_of(exc)
    register(tw)
    with pytest.raises(ValidationError) as exc:
        register(tw, id_number=ID.lower() if ID[-1] == "X" else ID, host_org=tw.world.branch1, name="同一人")
    assert "id_number" in errors_of(exc)
    assert Inflow.objects.count() == 1


def test_branch_only_after_verification_and_under_the_host(tw):
    w = tw.world
    i = register(tw, host_org=w.community1, acting_user=w.admin1)
    with pytest.raises(ValidationError) as exc:
        M.do_assign_branch(i, acting_user=w.admin1, branch=w.branch1)
    assert "branch" in errors_of(exc)
    assert Inflow.objects.get(pk=i.pk).branch_id is None
    with pytest.raises(ValidationError) as exc:
        M.do_verify_inflow(i, acting_user=w.admin1, note=" ")
    assert "note" in errors_of(exc)
    assert not Inflow.objects.get(pk=i.pk).verified
    i = M.do_verify_inflow(i, acting_user=w.admin1, note="查验身份证及流动党员活动证")
    assert (i.verified_on, i.verified_by, i.verification_note) == (today(), w.admin1, "查验身份证及流动党员活动证")
    for bad in (w.community1, w.group1, w.branch2, tw.branch3):  # not a branch; a group; outside the host's tree
        with pytest.raises(ValidationError) as exc:
            M.do_assign_branch(i, acting_user=None, branch=bad)
        assert "branch" in errors_of(exc)
    i = M.do_assign_branch(i, acting_user=w.admin1, branch=w.branch1)
    assert Inflow.objects.get(pk=i.pk).branch == w.branch1
    with pytest.raises(ValidationError) as exc:
        M.do_update_inflow(i, acting_user=w.admin1, id_number=make_id_number(datetime.date(1981, 1, 1), 3))
    assert "id_number" in errors_of(exc)


def test_end_inflow_and_reregister(tw):
    i = register(tw)
    with pytest.raises(ValidationError) as exc:
        M.do_end_inflow(i, acting_user=tw.sender, ended_on=i.arrived_on - DAY, reason="left")
    assert "ended_on" in errors_of(exc)
    M.do_end_inflow(i, acting_user=tw.sender, reason="left")
    register(tw)  # the person may come back
    assert Inflow.objects.count() == 2


def test_mobile_indexes_the_same_with_the_members_given(tw):
    """members.mobility.mobile_indexes: the importer passes the members it has looked up already ({index: pk}),
    and the outflows are then read by member — the answer is the one of the lookup by index: an open outflow, an
    open inflow with the number, not an ended outflow, not someone on no record."""
    record(tw)
    register(tw)
    ended = do_create_member(acting_user=tw.sender, **member_data(tw.world.branch1, seq=77, name="李回乡"))
    M.do_end_outflow(
        M.do_record_outflow(
            ended, acting_user=tw.sender, left_on=today() - 90 * DAY, destination="上海", contact="13912345678"
        ),  # fmt: skip
        acting_user=tw.sender,
        reason="returned",
    )
    stranger = Member.index_of_id_number(make_id_number(datetime.date(1990, 1, 1), 9))
    indexes = [tw.member.id_number_index, Member.index_of_id_number(ID), ended.id_number_index, stranger]
    expected = {tw.member.id_number_index, Member.index_of_id_number(ID)}
    assert mobility.mobile_indexes(indexes) == expected
    on_roll = {tw.member.id_number_index: tw.member.pk, ended.id_number_index: ended.pk}
    assert mobility.mobile_indexes(indexes, on_roll) == expected
