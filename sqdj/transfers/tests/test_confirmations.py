"""Confirmations before what cannot be taken back (issue 14, item 8): cancelling, returning and completing a transfer
case ask first, naming the case and what will change; the submitter is told "可撤销", not "您需要办理", when
cancelling is all they can do; the letter goes from the sending side to the receiving side, never from one body to
itself; Delete is offered only where the delete service would delete (its own check, run and rolled back)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sqdj.members.services import do_create_member
from sqdj.orgs.models import Org
from sqdj.testing.members import member_data
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import services as T
from sqdj.transfers.choices import TransferState
from sqdj.transfers.documents import letter_parties, letter_pdf
from sqdj.transfers.models import Transfer

pytestmark = pytest.mark.django_db
S = TransferState


@pytest.fixture
def tw():
    return build_transfer_world()


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def draft(tw, to_org=None):
    return T.do_create_transfer(acting_user=tw.sender, member=tw.member, reason="work", to_org=to_org or tw.branch3)


def submitted(tw, to_org=None):
    case = draft(tw, to_org)
    return T.do_submit(case, acting_user=tw.sender, version=case.version)


def approved(tw, to_org=None):
    case = submitted(tw, to_org)
    approver = tw.district_admin if case.sending_approver == tw.world.district else tw.street_admin
    return T.do_approve(case, acting_user=approver, version=case.version)


def act(user, case, action, **data):
    url = reverse("transfers:transfer_action", args=[case.pk, action])
    return client_of(user).post(url, {"version": case.version, **data})


# ---- cancel, return, complete ask first ----------------------------------------------------------------------------


def test_cancel_shows_what_will_change_and_changes_nothing_until_confirmed(tw):
    case = submitted(tw)
    r = act(tw.sender, case, "cancel", reason="不再调动")
    assert r.status_code == 200
    text = r.content.decode()
    assert 'id="confirm"' in text and str(case) in text and tw.member.name in text
    assert "确定撤销此案件吗" in text and "永久关闭" in text and tw.world.branch1.name in text
    assert 'value="不再调动"' in text  # the reason typed is carried to the confirmation
    fresh = Transfer.objects.get(pk=case.pk)
    assert (fresh.state, fresh.version) == (S.SUBMITTED, case.version)
    r = act(tw.sender, case, "cancel", reason="不再调动", confirmed="1")
    assert r.status_code == 302
    assert Transfer.objects.get(pk=case.pk).state == S.CANCELLED


def test_the_detail_page_cancel_form_leads_to_the_confirmation(tw):
    case = submitted(tw)
    page = client_of(tw.sender).get(case.get_absolute_url()).content.decode()
    form = page.split('id="form-cancel"')[0].rsplit("<form", 1)[1]
    assert reverse("transfers:transfer_action", args=[case.pk, "cancel"]) in form
    assert 'name="confirmed"' not in form  # the confirmation page adds it


def test_complete_names_both_orgs_and_waits_for_confirmation(tw):
    case = approved(tw)
    case = T.do_accept(case, acting_user=tw.district_admin, version=case.version)
    r = act(tw.receiver, case, "complete")
    assert r.status_code == 200
    text = r.content.decode()
    assert tw.world.branch1.name in text and tw.branch3.name in text and "名册中移出" in text
    assert Transfer.objects.get(pk=case.pk).state == S.RECEIVED
    assert act(tw.receiver, case, "complete", confirmed="1").status_code == 302
    assert Transfer.objects.get(pk=case.pk).state == S.COMPLETED


def test_return_asks_first(tw):
    case = submitted(tw)
    r = act(tw.district_admin, case, "return", reason="材料不全")
    assert r.status_code == 200 and "确定退回此案件吗" in r.content.decode()
    assert Transfer.objects.get(pk=case.pk).state == S.SUBMITTED


def test_no_confirmation_page_for_who_may_not_take_the_step(tw):
    case = submitted(tw)
    r = act(tw.receiver, case, "cancel", reason="x")
    assert r.status_code in (403, 404) and 'id="confirm"' not in r.content.decode()
    assert Transfer.objects.get(pk=case.pk).state == S.SUBMITTED


# ---- the submitter's wording ---------------------------------------------------------------------------------------


def test_the_submitter_who_can_only_cancel_is_told_so(tw):
    case = draft(tw)
    text = client_of(tw.sender).get(case.get_absolute_url()).content.decode()
    assert 'id="transfer-next-step"' in text and "您需要办理" in text  # a draft: submitting is their step
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    text = client_of(tw.sender).get(case.get_absolute_url()).content.decode()
    assert "您需要办理" not in text and "可撤销" in text
    assert 'id="transfer-cancel-only"' in text and case.sending_approver.name in text  # who has it now
    approver = client_of(tw.district_admin).get(case.get_absolute_url()).content.decode()
    assert "您需要办理" in approver and 'id="transfer-cancel-only"' not in approver


# ---- the letter: from the sending side to the receiving side ------------------------------------------------------


def test_letter_across_subdistricts_goes_from_one_approver_to_the_other(tw):
    case = approved(tw)
    issuer, addressee = letter_parties(case)
    assert issuer == case.sending_approver.name and addressee == case.receiving_approver.name
    assert issuer != addressee


def test_letter_within_one_approvers_subtree_is_addressed_to_the_receiving_org(tw):
    # branch1 → branch2: one subdistrict approves for both sides
    case = approved(tw, to_org=tw.world.branch2)
    assert case.sending_approver == case.receiving_approver
    issuer, addressee = letter_parties(case)
    assert issuer == case.sending_approver.name
    assert addressee == tw.world.branch2.name
    assert issuer != addressee
    text = letter_pdf(case).decode("latin-1")  # the PDF renders; the names are checked above (fonts subset)
    assert text.startswith("%PDF-")


def test_letter_into_the_approving_org_itself_is_issued_by_the_sending_org(tw):
    # a member of 丙社区第一党支部 moves into 中共丙社区委员会, a committee that approves transfers, for both sides
    Org.objects.filter(pk=tw.community3.pk).update(approves_members=True)
    member = do_create_member(acting_user=None, **member_data(tw.branch3, seq=8, name="王本委"))
    case = T.do_create_transfer(acting_user=tw.receiver, member=member, reason="work", to_org=tw.community3)
    case = T.do_submit(case, acting_user=tw.receiver, version=case.version)
    case = T.do_approve(case, acting_user=tw.district_admin, version=case.version)
    assert case.sending_approver == case.receiving_approver == tw.community3 == case.to_org
    issuer, addressee = letter_parties(case)
    assert (issuer, addressee) == (tw.branch3.name, tw.community3.name)


# ---- delete offered only where the delete service would delete ----------------------------------------------------


def test_delete_is_not_offered_on_an_org_with_children(tw):
    w = tw.world
    c = client_of(w.admin1)
    page = c.get(reverse("orgs:org", args=[w.branch1.pk])).content.decode()
    assert 'id="object-delete"' not in page and 'id="delete-refused"' in page
    confirm = c.get(reverse("orgs:org_delete", args=[w.branch1.pk])).content.decode()
    assert 'id="delete-refused"' in confirm and 'type="submit"' not in confirm.split('id="delete-refused"')[1]
    assert Org.objects.filter(pk=w.branch1.pk).exists()  # the dry run rolled back


def test_delete_is_offered_on_a_leaf_and_the_page_names_it_and_the_consequence(tw):
    w = tw.world
    c = client_of(w.admin1)
    page = c.get(reverse("orgs:org", args=[w.group1.pk])).content.decode()
    assert 'id="object-delete"' in page and 'id="delete-refused"' not in page
    assert Org.objects.filter(pk=w.group1.pk).exists()  # showing the page deleted nothing
    confirm = c.get(reverse("orgs:org_delete", args=[w.group1.pk])).content.decode()
    assert w.group1.name in confirm and 'id="delete-consequence"' in confirm
    assert c.post(reverse("orgs:org_delete", args=[w.group1.pk])).status_code == 302
    assert not Org.objects.filter(pk=w.group1.pk).exists()


# ---- ending a mobile member's record shows what will change before the button ------------------------------------


def test_ending_an_outflow_shows_the_consequence_before_the_button(tw):
    import datetime

    from sqdj.core.dates import today
    from sqdj.transfers import mobile_services as M

    outflow = M.do_record_outflow(
        tw.member, acting_user=None, left_on=today() - datetime.timedelta(days=30), destination="深圳市南山区"
    )
    page = client_of(tw.sender).get(reverse("transfers:outflow", args=[outflow.pk])).content.decode()
    disclosure = page.split('id="end-confirm"')[1].split("</details>")[0]
    assert "<summary" in disclosure and tw.member.name in disclosure and "不能恢复" in disclosure
    assert disclosure.index("<summary") < disclosure.index('id="end-submit"')  # the button is inside, after it
