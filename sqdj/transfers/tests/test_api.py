"""/api/v1/transfers/: scope, the whole internal flow, version conflicts (409), bad input (400) and members out of
scope (404), through the API as the users at each end."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import TestCase

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.models import ObjectChange
from sqdj.members.models import Member
from sqdj.members.services import do_create_member
from sqdj.testing import PASSWORD
from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.testing.members import member_data
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import services as T
from sqdj.transfers.choices import TransferState
from sqdj.transfers.models import Transfer

pytestmark = pytest.mark.django_db
S = TransferState
URL = "/api/v1/transfers/"


@pytest.fixture
def tw():
    return build_transfer_world()


class TransferAPITests(ScopedAPITests, TestCase):
    """The scope contract: admin1 administers community 1, where the sender's branch is; a draft of community 2 is
    out of scope. Cases are never deleted (cancelled instead) and the steps are actions; a case's receiving side
    may be anywhere, so no write puts a case out of scope (a member out of scope: test_member_out_of_scope_is_404)."""

    object_actions = {"submit": {"version": 1}, "cancel": {"version": 1, "reason": "不再迁移"}}
    basename = "transfer"

    @classmethod
    def setUpTestData(cls):
        cls.tw = build_transfer_world()
        cls.world = w = cls.tw.world
        other = do_create_member(acting_user=None, **member_data(w.branch2, seq=8, name="王乙"))
        cls.inside = T.do_create_transfer(acting_user=None, member=cls.tw.member, to_org=cls.tw.branch3, reason="work")
        cls.outside = T.do_create_transfer(acting_user=None, member=other, to_org=cls.tw.branch3, reason="work")
        cls.newcomer = do_create_member(acting_user=None, **member_data(w.branch1, seq=9, name="赵新"))

    def in_scope(self):
        return self.inside

    def out_of_scope(self):
        return self.outside

    def create_data(self):
        return {"member": self.newcomer.pk, "to_org": "ZBT3", "reason": "residence"}

    def update_data(self, obj):
        return {"version": obj.version, "note": "随子女居住"}


def create(tw, **over):
    data = {"member": tw.member.pk, "to_org": "ZBT3", "reason": "residence", **over}
    r = api_client(tw.sender).post(URL, data)
    assert r.status_code == 201, r.json()
    return r.json()


def step(user, case, name, **body):
    return api_client(user).post(f"{URL}{case['id']}/{name}/", {"version": case["version"], **body})


def changes(pk) -> int:
    ct = ContentType.objects.get_for_model(Transfer)
    return ObjectChange.objects.filter(content_type=ct, object_id=pk).count()


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_scope_sender_sees_the_draft_the_receiver_only_once_submitted(tw):
    case = create(tw)
    assert case["state"] == S.DRAFT and case["version"] == 1
    assert case["from_org"] == {"code": "ZBT1", "name": tw.world.branch1.name}
    assert case["to_org"] == {"code": "ZBT3", "name": tw.branch3.name}
    assert case["member"] == tw.member.pk and case["waiting_on"] == "ZBT1"
    assert case["actions"] == {
        "submit": True, "approve": False, "return": False, "accept": False, "complete": False, "cancel": True,
    }  # fmt: skip
    detail = f"{URL}{case['id']}/"
    assert ids(api_client(tw.sender).get(URL)) == [case["id"]]
    assert api_client(tw.receiver).get(detail).status_code == 404
    assert ids(api_client(tw.receiver).get(URL)) == []

    r = step(tw.sender, case, "submit")
    assert r.status_code == 200, r.json()
    # the sending side's 街道党工委 (the nearest org with the authority, rules.md 6.3), not the 区委 (issue 13)
    assert r.json()["state"] == S.SUBMITTED and r.json()["sending_approver"] == "GWT01001"
    seen = api_client(tw.receiver).get(detail)
    assert seen.status_code == 200 and seen.json()["state"] == S.SUBMITTED
    assert not any(seen.json()["actions"].values())  # the sending subdistrict approves first
    assert ids(api_client(tw.receiver).get(URL)) == [case["id"]]
    # an administrator elsewhere (the sibling community C2) does not learn that the case exists
    other = _admin_of_community2(tw)
    assert api_client(other).get(detail).status_code == 404
    assert ids(api_client(other).get(URL)) == []


def _admin_of_community2(tw):
    user = do_create_user("c2_admin", password=PASSWORD, validate=False)
    do_grant_role(user, role="community_admin", org=tw.world.community2, descendants=True)
    return user


def test_full_internal_flow_member_moves_only_at_completion(tw):
    case = create(tw, submit=True, note="随子女居住")
    assert case["state"] == S.SUBMITTED and case["version"] == 2 and case["note"] == "随子女居住"
    r = step(tw.district_admin, case, "approve")
    assert r.status_code == 200, r.json()
    case = r.json()
    assert case["state"] == S.APPROVED and case["letter_number"] and case["valid_until"]
    # the receiving side's own 街道党工委 accepts (the district admin's scope covers it too)
    assert case["waiting_on"] == "GWT01002" and case["actions"]["accept"]

    r = step(tw.district_admin, case, "accept")
    assert r.status_code == 200, r.json()
    case = r.json()
    assert case["state"] == S.RECEIVED and case["accepted_on"] == datetime.date.today().isoformat()
    assert Member.objects.get(pk=tw.member.pk).org == tw.world.branch1  # not yet moved
    assert api_client(tw.receiver).get(f"/api/v1/members/{tw.member.pk}/").status_code == 404
    assert api_client(tw.receiver).get(f"{URL}{case['id']}/").json()["actions"]["complete"] is True

    r = step(tw.receiver, case, "complete")
    assert r.status_code == 200, r.json()
    case = r.json()
    assert case["state"] == S.COMPLETED and case["completed_on"] == datetime.date.today().isoformat()
    assert Member.objects.get(pk=tw.member.pk).org == tw.branch3
    assert api_client(tw.receiver).get(f"/api/v1/members/{tw.member.pk}/").status_code == 200
    # every step is in the change log: create, submit, approve, accept, complete
    assert changes(case["id"]) == 5


def test_a_step_the_user_may_not_take_is_404_and_changes_nothing(tw):
    case = create(tw, submit=True)
    r = step(tw.sender, case, "approve")  # the sender's branch is not the approving organization
    assert r.status_code == 404 and "detail" in r.json()
    r = step(tw.receiver, case, "accept")
    assert r.status_code == 409  # not approved yet: the case is not at this step
    assert Transfer.objects.get(pk=case["id"]).state == S.SUBMITTED
    assert step(tw.world.viewer1, case, "cancel", reason="看看").status_code == 403  # may read, not act


def test_stale_version_is_a_conflict_and_nothing_changes(tw):
    case = create(tw, submit=True)
    stale = dict(case, version=case["version"] - 1)
    before = changes(case["id"])
    r = step(tw.district_admin, stale, "approve")
    assert r.status_code == 409
    assert set(r.json()) == {"detail"} and r.json()["detail"]
    row = Transfer.objects.get(pk=case["id"])
    assert (row.state, row.version, row.letter_number) == (S.SUBMITTED, case["version"], "")
    assert changes(case["id"]) == before

    # the first of two people acting on what they both saw wins; the second gets the conflict
    assert step(tw.district_admin, case, "approve").status_code == 200
    r = step(tw.district_admin, case, "return", reason="材料不全")
    assert r.status_code == 409
    assert Transfer.objects.get(pk=case["id"]).state == S.APPROVED
    assert changes(case["id"]) == before + 1


def test_version_is_required(tw):
    case = create(tw)
    r = api_client(tw.sender).post(f"{URL}{case['id']}/submit/", {})
    assert r.status_code == 400 and "version" in r.json()
    r = api_client(tw.sender).post(f"{URL}{case['id']}/submit/", {"version": "1"})  # a number, not text
    assert r.status_code == 400 and "version" in r.json()
    r = api_client(tw.sender).patch(f"{URL}{case['id']}/", {"note": "x"})
    assert r.status_code == 400 and "version" in r.json()
    assert Transfer.objects.get(pk=case["id"]).state == S.DRAFT


def test_bad_input_answers_400_per_field_and_creates_nothing(tw):
    c = api_client(tw.sender)
    r = c.post(URL, {"member": tw.member.pk, "to_org": "ZBT1", "reason": "work"})  # the member's own branch
    assert r.status_code == 400 and list(r.json()) == ["to_org"]
    r = c.post(URL, {"member": tw.member.pk, "to_org": "DWT01", "reason": "work"})  # a committee holds nobody
    assert r.status_code == 400 and "to_org" in r.json()
    r = c.post(URL, {"member": tw.member.pk, "to_org": "NO-SUCH", "reason": "work"})
    assert r.status_code == 400 and "to_org" in r.json()
    r = c.post(URL, {"member": tw.member.pk, "reason": "work"})  # neither here nor outside
    assert r.status_code == 400 and "to_org" in r.json()
    r = c.post(URL, {"member": tw.member.pk, "to_org": "ZBT3", "reason": "because"})
    assert r.status_code == 400 and list(r.json()) == ["reason"]
    assert not Transfer.objects.exists()

    create(tw)
    r = c.post(URL, {"member": tw.member.pk, "external_org_name": "外省某支部", "reason": "work"})
    assert r.status_code == 400 and list(r.json()) == ["member"]  # it already has an open case
    assert Transfer.objects.count() == 1


def test_member_out_of_scope_is_404(tw):
    other = do_create_member(acting_user=None, **member_data(tw.world.branch2, seq=8, name="王乙"))
    for pk in (other.pk, 999999):
        r = api_client(tw.sender).post(URL, {"member": pk, "to_org": "ZBT3", "reason": "work"})
        assert r.status_code == 404 and "detail" in r.json()
    # a viewer of the member's community may read but not start a case
    viewer = tw.world.viewer1
    r = api_client(viewer).post(URL, {"member": tw.member.pk, "to_org": "ZBT3", "reason": "work"})
    assert r.status_code == 403
    assert not Transfer.objects.exists()


def test_return_needs_a_reason_then_the_sender_corrects_and_resubmits(tw):
    case = create(tw, submit=True)
    before = changes(case["id"])
    for body in ({}, {"reason": "  "}):
        r = step(tw.district_admin, case, "return", **body)
        assert r.status_code == 400 and "reason" in r.json()
    assert changes(case["id"]) == before
    r = step(tw.district_admin, case, "return", reason="材料不全")
    assert r.status_code == 200, r.json()
    case = r.json()
    assert (case["state"], case["return_reason"], case["returned_by"]) == (S.RETURNED, "材料不全", "sending")
    assert case["waiting_on"] == "ZBT1"

    r = api_client(tw.sender).patch(f"{URL}{case['id']}/", {"version": case["version"], "reason": "retirement"})
    assert r.status_code == 200, r.json()
    case = r.json()
    assert case["reason"] == "retirement" and case["state"] == S.RETURNED
    r = step(tw.sender, case, "submit")
    assert r.status_code == 200 and r.json()["state"] == S.SUBMITTED and r.json()["return_reason"] == ""


def test_acceptance_after_expiry_is_400_and_changes_nothing(tw):
    case = create(tw, submit=True)
    case = step(tw.district_admin, case, "approve").json()
    Transfer.objects.filter(pk=case["id"]).update(valid_until=datetime.date.today() - datetime.timedelta(days=1))
    before = changes(case["id"])
    r = step(tw.district_admin, case, "accept")
    assert r.status_code == 400 and "detail" in r.json()
    row = Transfer.objects.get(pk=case["id"])
    assert (row.state, row.version, row.accepted_on) == (S.APPROVED, case["version"], None)
    assert changes(case["id"]) == before
    seen = api_client(tw.district_admin).get(f"{URL}{case['id']}/").json()
    assert seen["overdue"] is True and seen["due_date"] == row.valid_until.isoformat()


def test_patch_a_draft_and_not_a_submitted_case(tw):
    case = create(tw)
    url = f"{URL}{case['id']}/"
    body = {"version": case["version"], "to_org": None, "external_org_name": "中共某省某县某支部",
            "external_org_contact": "某县委组织部 0000-1234567"}  # fmt: skip
    r = api_client(tw.sender).patch(url, body)
    assert r.status_code == 200, r.json()
    case = r.json()
    assert (case["direction"], case["to_org"], case["external_org_name"]) == ("outgoing", None, "中共某省某县某支部")
    assert case["version"] == 2
    r = api_client(tw.sender).patch(url, {"version": 1, "note": "旧页面"})
    assert r.status_code == 409
    assert Transfer.objects.get(pk=case["id"]).note == ""
    case = step(tw.sender, case, "submit").json()
    r = api_client(tw.sender).patch(url, {"version": case["version"], "note": "x"})
    assert r.status_code == 409  # no longer the sender's to edit
    assert api_client(tw.sender).put(url, "{}", content_type="application/json").status_code == 405
    assert api_client(tw.sender).delete(url).status_code == 405


def test_cancel_with_a_reason(tw):
    case = create(tw)
    assert step(tw.sender, case, "cancel").status_code == 400
    r = step(tw.sender, case, "cancel", reason="本人不再迁移")
    assert r.status_code == 200 and r.json()["state"] == S.CANCELLED and r.json()["cancel_reason"] == "本人不再迁移"
    create(tw)  # the member may have a new case once the old one is closed


def test_filters(tw):
    w = tw.world
    draft = create(tw)
    other = do_create_member(acting_user=None, **member_data(w.branch1, seq=9, name="赵外迁"))
    out = create(tw, member=other.pk, to_org=None, external_org_name="中共外省某支部", submit=True)
    c = api_client(tw.sender)
    assert ids(c.get(URL, {"state": "draft"})) == [draft["id"]]
    assert ids(c.get(URL, {"direction": "outgoing"})) == [out["id"]]
    assert ids(c.get(URL, {"org": "ZBT1"})) == [out["id"], draft["id"]]
    assert ids(api_client(w.superuser).get(URL, {"org": "ZBT3"})) == [draft["id"]]  # either side
    assert ids(api_client(w.superuser).get(URL, {"org": "SQT2"})) == []
    assert ids(c.get(URL, {"q": "赵"})) == [out["id"]]
    assert ids(c.get(URL, {"overdue": "true"})) == []
    Transfer.objects.filter(pk=out["id"]).update(state_changed_on=datetime.date.today() - datetime.timedelta(days=90))
    assert ids(c.get(URL, {"overdue": "true"})) == [out["id"]]
    assert ids(c.get(URL, {"overdue": "false"})) == [draft["id"]]
    for bad in ({"state": "nope"}, {"state": ""}, {"direction": ""}, {"overdue": ""}, {"limit": "x"}):
        assert c.get(URL, bad).status_code == 400


def test_incoming_member_details_never_shown(tw):
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
    for user in (tw.receiver, tw.world.superuser):
        r = api_client(user).get(f"{URL}{case.pk}/")
        assert r.status_code == 200 and r.json()["person_name"] == "王外来" and r.json()["member"] is None
        text = r.content.decode()
        assert details["id_number"] not in text and details["phone"] not in text
        assert details["id_number"] not in api_client(user).get(URL).content.decode()
