"""The transfer state machine: who acts at each step, the approval path, letters that expire, cases that are
returned or cancelled, conflicts, and the member who moves only at completion."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.dates import add_months
from sqdj.core.models import Notification, ObjectChange, RuleParameter
from sqdj.core.rules import clear_cache
from sqdj.core.scope import EVERYTHING
from sqdj.members.choices import EventKind, Standing
from sqdj.members.models import Member
from sqdj.members.services import do_create_member, do_update_member
from sqdj.orgs.models import Org
from sqdj.orgs.services import do_create_org, do_update_org
from sqdj.rulebook.services import do_add_local_variant
from sqdj.stats.services import compute
from sqdj.testing.members import member_data
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import services as T
from sqdj.transfers.choices import Direction, Side, TransferState
from sqdj.transfers.models import Transfer

pytestmark = pytest.mark.django_db
S = TransferState


@pytest.fixture
def tw():
    return build_transfer_world()


def _case(tw, to_org=None, **kw):
    return T.do_create_transfer(
        acting_user=tw.sender, member=tw.member, reason="work", to_org=to_org or tw.branch3, **kw
    )


def _through_approval(tw, **kw):
    case = _case(tw, **kw)
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    return T.do_approve(case, acting_user=tw.district_admin, version=case.version)


def _members_of(org) -> int:
    return compute(org, user=EVERYTHING)["members"]["total"]


def _changes(case) -> list[str]:
    ct = ContentType.objects.get_for_model(Transfer)
    return list(
        ObjectChange.objects.filter(content_type=ct, object_id=case.pk).order_by("pk").values_list("action", flat=True)
    )


def test_member_moves_only_at_completion_with_ledger_and_statistics(tw):
    w = tw.world
    assert (_members_of(w.branch1), _members_of(tw.branch3)) == (1, 0)
    case = _through_approval(tw)
    assert case.state == S.APPROVED and case.letter_number and case.valid_until > case.approved_on
    case = T.do_accept(case, acting_user=tw.district_admin, version=case.version)
    assert case.state == S.RECEIVED
    tw.member.refresh_from_db()
    # accepted, not completed: the sending org keeps the member (and the responsibility)
    assert tw.member.org == w.branch1
    assert (_members_of(w.branch1), _members_of(tw.branch3)) == (1, 0)
    assert not Member.objects.restrict(tw.receiver, "view").filter(pk=tw.member.pk).exists()

    case = T.do_complete(case, acting_user=tw.receiver, version=case.version)
    tw.member.refresh_from_db()
    assert case.state == S.COMPLETED and case.completed_on == datetime.date.today()
    assert tw.member.org == tw.branch3
    assert (_members_of(w.branch1), _members_of(tw.branch3)) == (0, 1)
    assert Member.objects.restrict(tw.receiver, "view").filter(pk=tw.member.pk).exists()
    assert not Member.objects.restrict(tw.sender, "view").filter(pk=tw.member.pk).exists()
    ledger = list(tw.member.events.filter(kind__in=[EventKind.TRANSFERRED_OUT, EventKind.TRANSFERRED_IN]))
    assert [(e.kind, e.org) for e in ledger] == [
        (EventKind.TRANSFERRED_OUT, w.branch1),
        (EventKind.TRANSFERRED_IN, tw.branch3),
    ]
    assert case.letter_number in ledger[0].note
    # every state change is in the change log: create, submit, approve, accept, complete
    assert _changes(case) == ["create"] + ["update"] * 4


def test_letter_validity_comes_from_the_rulebook(tw):
    RuleParameter.objects.filter(rule_id="transfer.letter_validity_months").update(value=6)
    clear_cache()
    case = _through_approval(tw)
    assert case.valid_until == add_months(case.approved_on, 6)


# The approval path (rules.md 6.3). Until issue 13 the default escalated (across communities to the 街道, across
# subdistricts to the 区委, across districts to the 市委); the national rule is the 基层党委 with the authority to
# approve probationary members on each side, directly, and escalation is a local variant — these tests say so.


@pytest.mark.parametrize(
    "target, sending, receiving",
    [
        # within one community: its 总支 has no authority (rules.md 4.15), the 街道党工委 approves both sides
        ("community1", "street", "street"),
        ("branch2", "street", "street"),  # across communities of one subdistrict: the same 街道党工委
        ("branch3", "street", "street2"),  # across subdistricts: each 街道党工委 directly, not the 区委
    ],
)
def test_default_path_is_the_nearest_authority_on_each_side(tw, target, sending, receiving):
    w = tw.world
    to_org = getattr(w, target, None) or getattr(tw, target)
    case = T.do_submit(_case(tw, to_org=to_org), acting_user=tw.sender, version=1)
    orgs = {"street": w.street, "street2": tw.street2}
    assert (case.sending_approver, case.receiving_approver) == (orgs[sending], orgs[receiving])


def test_a_party_group_never_receives_a_membership(tw):
    """A 党小组's members hold their membership in its branch (issue 14: the picker offered a group)."""
    with pytest.raises(ValidationError) as raised:
        _case(tw, to_org=tw.world.group1)
    assert "to_org" in raised.value.message_dict


def test_each_side_acts_directly_across_subdistricts(tw):
    case = T.do_submit(_case(tw), acting_user=tw.sender, version=1)
    street2_admin = _admin_of(tw.street2)
    with pytest.raises(T.OutOfScope):  # the receiving side's approval is not the sending side's
        T.do_approve(case, acting_user=street2_admin, version=case.version)
    case = T.do_approve(case, acting_user=tw.street_admin, version=case.version)
    with pytest.raises(T.OutOfScope):
        T.do_accept(case, acting_user=tw.street_admin, version=case.version)
    case = T.do_accept(case, acting_user=street2_admin, version=case.version)
    assert case.state == S.RECEIVED


def test_an_org_with_the_authority_acts_itself(tw):
    """A 党总支 granted the authority approves its own members' moves; a unit's 党委 under the 区委 (authority by
    default) receives directly."""
    w = tw.world
    do_update_org(w.community1, acting_user=None, approves_members=True)
    unit = do_create_org(acting_user=None, parent=w.district, code="QYDW1", name="中共某公司委员会", type="committee")
    unit_branch = do_create_org(acting_user=None, parent=unit, code="QYZB1", name="中共某公司第一支部", type="branch")
    assert unit.approves_members and not unit_branch.approves_members
    case = T.do_submit(_case(tw, to_org=unit_branch), acting_user=tw.sender, version=1)
    assert (case.sending_approver, case.receiving_approver) == (w.community1, unit)


def test_a_line_loaded_without_the_authority_marked_uses_the_defaults(tw):
    """Orgs written around Org.save() (a bulk load) have no org marked: the defaults by type and place decide."""
    Org.objects.update(approves_members=False)
    w = tw.world
    assert T.approvers(w.branch1, tw.branch3, datetime.date.today()) == (w.street, tw.street2)


def test_escalation_is_a_local_variant(tw):
    """A district that escalates: across subdistricts the 区委 handles both sides (across districts the 市委);
    within a subdistrict the authority still does."""
    do_add_local_variant(
        acting_user=None,
        rule_id="transfer.approval_level",
        value={
            "community": "authority",
            "subdistrict": "authority",
            "district": "district",
            "city": "city",
            "outside": "authority",
        },
        regulation="测试区委组织部关于党员组织关系接转的通知",
        effective_from=datetime.date(2020, 1, 1),
    )
    case = T.do_submit(_case(tw), acting_user=tw.sender, version=1)
    assert (case.sending_approver, case.receiving_approver) == (tw.world.district, tw.world.district)
    # the subdistrict's admin is no longer the one to approve; the district's is
    with pytest.raises(T.OutOfScope):
        T.do_approve(case, acting_user=tw.street_admin, version=case.version)
    case = T.do_approve(case, acting_user=tw.district_admin, version=case.version)
    assert case.state == S.APPROVED
    other = T.approvers(tw.world.branch1, tw.world.branch2, datetime.date.today())
    assert other == (tw.world.street, tw.world.street)


def test_the_national_row_starts_with_the_regulation(tw):
    """The escalation default of the first rulebook (2019-05-01) ends when the 条例 was published (2019-05-06)."""
    w = tw.world
    assert T.approvers(w.branch1, tw.branch3, datetime.date(2019, 5, 5)) == (w.district, w.district)
    assert T.approvers(w.branch1, tw.branch3, datetime.date(2019, 5, 6)) == (w.street, tw.street2)
    # before any version (a letter issued long ago): the national rule
    assert T.approvers(w.branch1, tw.branch3, datetime.date(2010, 1, 1)) == (w.street, tw.street2)


def test_outgoing_case_is_approved_by_the_subdistrict_and_completes_on_receipt(tw):
    case = T.do_create_transfer(
        acting_user=tw.sender,
        member=tw.member,
        reason="residence",
        external_org_name="中共某省某市某社区委员会",
        external_org_contact="0000-1234567",
    )
    assert case.direction == Direction.OUTGOING
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    assert case.sending_approver == tw.world.street and case.receiving_approver is None
    case = T.do_approve(case, acting_user=tw.street_admin, version=case.version)
    with pytest.raises(ValidationError):
        T.do_accept(case, acting_user=tw.street_admin, version=case.version)
    case = T.do_complete(case, acting_user=tw.sender, version=case.version)
    tw.member.refresh_from_db()
    assert tw.member.standing == Standing.TRANSFERRED_OUT and tw.member.org == tw.world.branch1
    assert _members_of(tw.world.branch1) == 0
    assert tw.member.events.filter(kind=EventKind.TRANSFERRED_OUT).count() == 1
    assert not tw.member.events.filter(kind=EventKind.TRANSFERRED_IN).exists()


def test_incoming_case_creates_the_member_at_completion(tw):
    details = member_data(None, seq=31, name="王外来")
    details.pop("org")
    details = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in details.items()}
    case = T.do_create_incoming(
        acting_user=tw.receiver,
        to_org=tw.branch3,
        details=details,
        letter_number="外省〔2026〕88号",
        issued_on=datetime.date.today(),
        valid_until=datetime.date.today() + datetime.timedelta(days=30),
        external_org_name="中共某省某县某支部",
    )
    assert case.state == S.APPROVED and case.receiving_approver == tw.street2
    assert json.loads(case.incoming_details)["name"] == "王外来"
    assert not Member.objects.filter(name="王外来").exists()
    street2_admin = _admin_of(tw.street2)
    case = T.do_accept(case, acting_user=street2_admin, version=case.version)
    assert not Member.objects.filter(name="王外来").exists()
    case = T.do_complete(case, acting_user=tw.receiver, version=case.version)
    member = Member.objects.get(name="王外来")
    assert case.member == member and member.org == tw.branch3
    assert list(member.events.values_list("kind", flat=True)) == [EventKind.TRANSFERRED_IN]


def _admin_of(org):
    user = do_create_user(f"admin_{org.code}", password="x", validate=False)
    do_grant_role(user, role="subdistrict_admin", org=org, descendants=True)
    return user


# --- bad input: clear errors, nothing written -------------------------------------------------------------------


def test_member_outside_scope_is_not_found(tw):
    with pytest.raises(T.OutOfScope):
        T.do_create_transfer(acting_user=tw.receiver, member=tw.member, reason="work", to_org=tw.world.branch2)
    assert not Transfer.objects.exists()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"to_org": "branch1"}, "to_org"),  # the same org
        ({"to_org": "street"}, "to_org"),  # a working committee holds no memberships
        ({"to_org": None}, "to_org"),  # nowhere
        ({"to_org": "branch2", "external_org_name": "外单位"}, "external_org_name"),  # both
        ({"to_org": "branch2", "reason": "whim"}, "reason"),
    ],
)
def test_bad_receiving_side_or_reason(tw, kwargs, field):
    kwargs = dict(kwargs)
    name = kwargs.pop("to_org")
    kwargs.setdefault("reason", "work")
    to_org = getattr(tw.world, name) if name else None
    with pytest.raises(ValidationError) as err:
        T.do_create_transfer(acting_user=tw.sender, member=tw.member, to_org=to_org, **kwargs)
    assert field in err.value.message_dict
    assert not Transfer.objects.exists()


def test_one_open_case_per_member(tw):
    _case(tw)
    with pytest.raises(ValidationError) as err:
        _case(tw, to_org=tw.world.branch2)
    assert "member" in err.value.message_dict
    assert Transfer.objects.count() == 1


def test_members_move_only_through_a_transfer(tw):
    with pytest.raises(ValidationError) as err:
        do_update_member(tw.member, acting_user=tw.world.superuser, org=tw.world.branch2)
    assert "org" in err.value.message_dict
    tw.member.refresh_from_db()
    assert tw.member.org == tw.world.branch1


def test_steps_in_order_and_only_by_the_owner(tw):
    case = _case(tw)
    # approve a draft, accept before approval → conflict (R33), nothing written
    with pytest.raises(T.Conflict):
        T.do_approve(case, acting_user=tw.district_admin, version=case.version)
    with pytest.raises(T.Conflict):
        T.do_accept(case, acting_user=tw.district_admin, version=case.version)
    # the receiving side cannot submit the sender's case
    with pytest.raises(T.OutOfScope):
        T.do_submit(case, acting_user=tw.receiver, version=case.version)
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    # the sender cannot approve its own case; the receiving branch cannot complete before acceptance
    with pytest.raises(T.OutOfScope):
        T.do_approve(case, acting_user=tw.sender, version=case.version)
    with pytest.raises(T.Conflict):
        T.do_complete(case, acting_user=tw.receiver, version=case.version)
    assert Transfer.objects.get(pk=case.pk).state == S.SUBMITTED


def test_stale_version_is_a_conflict_and_changes_nothing(tw):
    case = _case(tw)
    seen = case.version
    case = T.do_submit(case, acting_user=tw.sender, version=seen)
    before = _changes(case)
    with pytest.raises(T.Conflict):
        T.do_cancel(case, acting_user=tw.sender, reason="重复", version=seen)
    fresh = Transfer.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version) == (S.SUBMITTED, seen + 1)
    assert _changes(case) == before


def test_returned_with_a_reason_then_resubmitted(tw):
    case = _case(tw)
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    with pytest.raises(ValidationError):
        T.do_return(case, acting_user=tw.district_admin, reason="  ", version=case.version)
    assert Transfer.objects.get(pk=case.pk).state == S.SUBMITTED
    case = T.do_return(case, acting_user=tw.district_admin, reason="介绍信信息不全", version=case.version)
    assert (case.state, case.returned_by, case.return_reason) == (S.RETURNED, Side.SENDING, "介绍信信息不全")
    assert Notification.objects.filter(user=tw.sender, url=case.get_absolute_url()).exists()
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    case = T.do_approve(case, acting_user=tw.district_admin, version=case.version)
    # the receiving side returns the letter: back to the sending org, the member stays there
    case = T.do_return(case, acting_user=tw.district_admin, reason="接收方核对身份不符", version=case.version)
    assert (case.state, case.returned_by) == (S.RETURNED, Side.RECEIVING)
    tw.member.refresh_from_db()
    assert tw.member.org == tw.world.branch1
    case = T.do_cancel(case, acting_user=tw.sender, reason="本人不再转出", version=case.version)
    assert case.state == S.CANCELLED
    # a closed case no longer blocks a new one
    assert _case(tw, to_org=tw.world.branch2).state == S.DRAFT


def test_expired_letter_cannot_be_accepted_and_can_be_reissued(tw):
    case = _through_approval(tw)
    late = case.valid_until + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        T.do_accept(case, acting_user=tw.district_admin, version=case.version, on=late)
    assert case.valid_until.isoformat() in err.value.messages[0]
    fresh = Transfer.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version) == (S.APPROVED, case.version)
    # the last valid day still accepts (checked without writing: the daily job runs first)
    assert T.expire_letters(case.valid_until) == []
    expired = T.expire_letters(late)
    assert [c.pk for c in expired] == [case.pk]
    case = Transfer.objects.get(pk=case.pk)
    assert case.state == S.EXPIRED and T.waiting_on(case) == tw.world.branch1
    assert Notification.objects.filter(user=tw.sender, url=case.get_absolute_url()).exists()
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    assert case.letter_number == "" and case.valid_until is None
    case = T.do_approve(case, acting_user=tw.district_admin, version=case.version)
    assert case.letter_number and case.valid_until >= datetime.date.today()


def test_due_dates_and_overdue(tw):
    case = _case(tw)
    assert T.due_date(case) is None
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    days = RuleParameter.objects.get(rule_id="transfer.step_days").value
    assert T.due_date(case) == case.submitted_on + datetime.timedelta(days=days)
    assert not T.is_overdue(case, T.due_date(case))
    assert T.is_overdue(case, T.due_date(case) + datetime.timedelta(days=1))
    case = T.do_approve(case, acting_user=tw.district_admin, version=case.version)
    assert T.due_date(case) == case.valid_until


def test_notifications_go_to_whoever_must_act(tw):
    case = _case(tw)
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    assert Notification.objects.filter(user=tw.district_admin).count() == 1
    assert not Notification.objects.filter(user=tw.sender).exists()  # the actor is not told what they did
    case = T.do_approve(case, acting_user=tw.district_admin, version=case.version)
    case = T.do_accept(case, acting_user=tw.district_admin, version=case.version)
    assert Notification.objects.filter(user=tw.receiver, url=case.get_absolute_url()).exists()


def test_receiving_side_sees_the_case_only_once_submitted(tw):
    case = _case(tw)
    assert Transfer.objects.restrict(tw.sender, "view").filter(pk=case.pk).exists()
    assert not Transfer.objects.restrict(tw.receiver, "view").filter(pk=case.pk).exists()
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    assert Transfer.objects.restrict(tw.receiver, "view").filter(pk=case.pk).exists()
    assert not Transfer.objects.restrict(tw.world.nobody, "view").exists()
    assert not Transfer.objects.restrict(tw.world.viewer1, "change").exists()


def test_member_with_an_open_case_still_belongs_to_the_sender_for_other_work(tw):
    """A member elsewhere in the tree (a second member of branch1) is unaffected by another's open case."""
    other = do_create_member(acting_user=None, **member_data(tw.world.branch1, seq=8, name="赵二"))
    _case(tw)
    case = T.do_create_transfer(acting_user=tw.sender, member=other, reason="work", to_org=tw.world.branch2)
    assert case.state == S.DRAFT


def test_org_not_holding_members_cannot_receive_but_a_new_branch_can(tw):
    new = do_create_org(acting_user=None, parent=tw.community3, code="ZBT4", name="中共丙社区第二党支部", type="branch")
    case = _case(tw, to_org=new)
    assert case.to_org == new


def test_a_member_who_left_the_deployment_comes_back_as_the_same_record(tw):
    case = T.do_create_transfer(
        acting_user=tw.sender, member=tw.member, reason="residence", external_org_name="外省某支部"
    )
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    case = T.do_approve(case, acting_user=tw.street_admin, version=case.version)
    T.do_complete(case, acting_user=tw.sender, version=case.version)
    tw.member.refresh_from_db()
    assert tw.member.standing == Standing.TRANSFERRED_OUT
    details = member_data(None, seq=7, name="李流转", work_unit="新单位")
    details.pop("org")
    details = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in details.items()}
    back = T.do_create_incoming(
        acting_user=tw.receiver,
        to_org=tw.branch3,
        details=details,
        letter_number="外省〔2026〕99号",
        issued_on=datetime.date.today(),
        valid_until=datetime.date.today() + datetime.timedelta(days=30),
        external_org_name="外省某支部",
    )
    back = T.do_accept(back, acting_user=_admin_of(tw.street2), version=back.version)
    back = T.do_complete(back, acting_user=tw.receiver, version=back.version)
    member = Member.objects.get(pk=tw.member.pk)
    assert back.member == member and Member.objects.filter(name="李流转").count() == 1
    assert (member.standing, member.org, member.work_unit) == (Standing.ACTIVE, tw.branch3, "新单位")
    kinds = list(member.events.order_by("pk").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.TRANSFERRED_OUT, EventKind.TRANSFERRED_IN]
