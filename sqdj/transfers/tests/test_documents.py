"""The letter of introduction and its receipt as PDF: what they say, the fonts they embed, the ID number only
masked, and who may print them when."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.dates import age_on
from sqdj.testing import PASSWORD
from sqdj.testing.members import member_data
from sqdj.testing.pdf import assert_cjk_fonts_embedded, read_pdf
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import services as T
from sqdj.transfers.choices import TransferState
from sqdj.transfers.documents import letter_available, letter_pdf, receipt_available, receipt_pdf
from sqdj.transfers.models import Transfer

pytestmark = pytest.mark.django_db
S = TransferState


@pytest.fixture
def tw():
    return build_transfer_world()


def _draft(tw, **kw):
    kw.setdefault("to_org", tw.branch3)
    return T.do_create_transfer(acting_user=tw.sender, member=tw.member, reason="work", **kw)


def _approved(tw, **kw):
    case = _draft(tw, **kw)
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    approver = tw.district_admin if case.sending_approver == tw.world.district else tw.street_admin
    return T.do_approve(case, acting_user=approver, version=case.version)


def _completed(tw):
    case = _approved(tw)
    case = T.do_accept(case, acting_user=tw.district_admin, version=case.version)
    return T.do_complete(case, acting_user=tw.receiver, version=case.version)


def _zh(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def test_letter_says_who_where_until_when_with_cjk_fonts_embedded(tw):
    case = _approved(tw)
    member = tw.member
    reader, text = read_pdf(letter_pdf(case))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert len(reader.pages) == 1
    # number, name, validity and issue date, both orgs, the issuing (approving) org
    assert text.count(case.letter_number) == 2  # the stub and the letter
    assert member.name in text
    assert _zh(case.valid_until) in text and _zh(case.approved_on) in text
    assert tw.world.branch1.name in text and tw.branch3.name in text
    assert case.sending_approver.name in text
    assert member.ethnicity in text and str(age_on(member.birth_date, case.approved_on)) in text
    assert member.get_member_type_display() in text and member.get_sex_display() in text
    # the footer from @page
    assert _("Page {page} of {pages}").format(page=1, pages=1) in text
    assert_cjk_fonts_embedded(reader)


def test_letter_shows_the_id_number_only_masked(tw):
    case = _approved(tw)
    full = tw.member.id_number
    _reader, text = read_pdf(letter_pdf(case))
    assert tw.member.id_number_masked in text
    assert full not in text and full[6:14] not in text  # not even the birth-date digits
    assert full[6:14] not in text.replace(" ", "")


def test_receipt_of_a_completed_case(tw):
    case = _completed(tw)
    assert case.state == S.COMPLETED
    reader, text = read_pdf(receipt_pdf(case))
    assert case.letter_number in text and tw.member.name in text
    assert tw.branch3.name in text  # the org that received the member signs
    assert case.sending_approver.name in text  # and sends the receipt back to the issuer
    assert _zh(case.completed_on) in text
    assert tw.member.id_number not in text
    assert_cjk_fonts_embedded(reader)


def test_case_to_an_outside_org_prints_its_receipt_with_the_letter(tw):
    case = _approved(tw, to_org=None, external_org_name="中共外省某社区委员会", external_org_contact="某办公室")
    assert case.state == S.APPROVED and receipt_available(case) and letter_available(case)
    _reader, letter = read_pdf(letter_pdf(case))
    assert "中共外省某社区委员会" in letter and _zh(case.valid_until) in letter
    reader, receipt = read_pdf(receipt_pdf(case))
    assert case.letter_number in receipt and "中共外省某社区委员会" in receipt
    # blanks for the outside org to fill in: no completion date yet
    assert _zh(datetime.date.today()) not in receipt
    assert_cjk_fonts_embedded(reader)


def test_no_letter_before_approval_and_no_receipt_before_completion(tw, client):
    client.force_login(tw.sender)
    case = _draft(tw)
    assert Transfer.objects.restrict(tw.sender, "view").filter(pk=case.pk).exists()  # in scope, still no letter
    letter = reverse("transfers:transfer_letter", args=[case.pk])
    receipt = reverse("transfers:transfer_receipt", args=[case.pk])
    assert client.get(letter).status_code == 404
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    assert client.get(letter).status_code == 404
    case = T.do_approve(case, acting_user=tw.district_admin, version=case.version)
    assert client.get(letter).status_code == 200
    assert client.get(receipt).status_code == 404  # a case inside the deployment: only once completed
    case = T.do_return(case, acting_user=tw.district_admin, reason="信息有误", version=case.version)
    assert client.get(letter).status_code == 404  # a returned letter is not valid any more


def test_letter_and_receipt_views(tw, client):
    case = _completed(tw)
    for user in (tw.sender, tw.receiver):  # both sides print them
        client.force_login(user)
        for name in ("transfers:transfer_letter", "transfers:transfer_receipt"):
            response = client.get(reverse(name, args=[case.pk]))
            assert response.status_code == 200
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"].startswith("inline;")
            assert case.letter_number in response["Content-Disposition"]
            _reader, text = read_pdf(response.content)
            assert case.letter_number in text


def test_out_of_scope_is_404(tw, client):
    case = _approved(tw)
    other = do_create_user("other_admin", password=PASSWORD, validate=False)
    do_grant_role(other, role="community_admin", org=tw.world.community2, descendants=True)
    for user in (other, tw.world.nobody):
        client.force_login(user)
        assert client.get(reverse("transfers:transfer_letter", args=[case.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("transfers:transfer_letter", args=[case.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_case_from_outside_prints_only_the_receipt_once_completed(tw, client):
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
    client.force_login(tw.receiver)
    letter = reverse("transfers:transfer_letter", args=[case.pk])
    receipt = reverse("transfers:transfer_receipt", args=[case.pk])
    assert client.get(receipt).status_code == 404  # not before the member was received
    case = T.do_accept(case, acting_user=tw.district_admin, version=case.version)
    case = T.do_complete(case, acting_user=tw.receiver, version=case.version)
    assert client.get(letter).status_code == 404  # the letter was issued outside this deployment
    response = client.get(receipt)
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]  # the Chinese number survives in the name
    reader, text = read_pdf(response.content)
    assert "外省〔2026〕88号" in text and "王外来" in text
    assert "中共某省某县某支部" in text  # sent back to the outside org that issued the letter
    assert tw.branch3.name in text and _zh(case.completed_on) in text
    assert details["id_number"] not in text
    assert_cjk_fonts_embedded(reader)


def test_without_weasyprint_the_view_says_so(tw, client, monkeypatch):
    import sys

    case = _approved(tw)
    # WeasyPrint absent (a None entry makes `import weasyprint` fail): only printing is unavailable
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    client.force_login(tw.sender)
    response = client.get(reverse("transfers:transfer_letter", args=[case.pk]))
    assert response.status_code == 503
    assert response.content.decode() == _("Printing is not available on this server (WeasyPrint is not installed).")
