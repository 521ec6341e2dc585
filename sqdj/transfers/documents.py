"""Printable documents of a transfer case: the letter of introduction (党员组织关系介绍信) and its receipt (回执) as
PDF, rendered by WeasyPrint from Django templates with the Noto CJK fonts of the system (embedded in the PDF).

No audit row (PiiReveal) is written when a document is printed: the documents carry the ID number masked only
(the province only, as every page shows it: core.pii), and the age at the letter's date only to users who may
reveal the member, so printing reveals nothing new.
"""

from __future__ import annotations

import datetime
import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from sqdj.core import dates
from sqdj.core.dates import age_on
from sqdj.core.pdf import page_counter_css, pdf_response, render_pdf
from sqdj.core.pii import mask_id_number, revealable_pks
from sqdj.members.models import Member

from .choices import Direction, TransferState
from .models import Transfer

log = logging.getLogger(__name__)
S = TransferState

# The letter exists from approval on; once the case is returned, expired or cancelled it is no longer valid and
# is not printed again (a resubmitted case gets a new letter with a new number).
LETTER_STATES = (S.APPROVED, S.RECEIVED, S.COMPLETED)


def letter_available(case: Transfer) -> bool:
    """The letter can be printed: issued here (a case from outside came with its own letter) and still valid."""
    return bool(case.letter_number) and case.state in LETTER_STATES and case.direction != Direction.INCOMING


def receipt_available(case: Transfer) -> bool:
    """The receipt can be printed once the member was received (completed); for a case going outside this
    deployment already with the letter, since the outside org fills it in and sends it back."""
    if not case.letter_number:
        return False
    if case.state == S.COMPLETED:
        return True
    return case.direction == Direction.OUTGOING and case.state == S.APPROVED


# ---------------------------------------------------------------------------------------------------------------
# Rendering


def _date(value: datetime.date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _person(case: Transfer, revealable: bool = True) -> dict:
    """The member as the letter describes them; the ID number masked, never in clear. The age is at the letter's
    date for a user who may reveal the member, else today's, as every page shows it (core.pii: an age at another
    date beside today's would narrow the birth date)."""
    member, on = case.member, case.approved_on or case.submitted_on or dates.today()
    if not revealable:
        on = dates.today()
    if member is None:  # a case from outside before completion: only the name is printed
        return {"name": case.person_name}
    return {
        "name": member.name,
        "sex": member.get_sex_display(),
        "ethnicity": member.ethnicity,
        "age": age_on(member.birth_date, on),
        "member_type": member.get_member_type_display(),
        "id_number": mask_id_number(member.id_number),
    }


def letter_parties(case: Transfer) -> tuple[str, str]:
    """(who issues the letter, to whom it is addressed): from the sending side to the receiving side, never one body
    to itself. The sending side's approving org writes to the receiving side's accepting org; when one org approves
    for both sides (a move within its own subtree) it writes to the receiving org itself, and when the member moves
    into that very org, the sending org writes."""
    issuer = case.sending_approver or case.from_org
    addressee = case.receiving_approver or case.to_org
    if issuer is not None and addressee is not None and addressee.pk == issuer.pk:
        addressee = case.to_org
        if addressee is not None and addressee.pk == issuer.pk:
            issuer = case.from_org
    issuer_name = issuer.name if issuer is not None else case.external_org_name
    return issuer_name, (addressee.name if addressee is not None else case.to_name)


def _context(case: Transfer, revealable: bool = True) -> dict:
    issuer_name, addressee = letter_parties(case)
    return {
        "case": case,
        "person": _person(case, revealable),
        "number": case.letter_number,
        "from_name": case.from_name,
        "to_name": case.to_name,
        "addressee": addressee,
        "issuer_name": issuer_name,
        "issued_on": _date(case.approved_on),
        "valid_until": _date(case.valid_until),
        "completed_on": _date(case.completed_on),
        "outgoing": case.direction == Direction.OUTGOING,
        "page_counter": page_counter_css(),
        "blank": mark_safe('<span class="blank"></span>'),  # a line to fill in by hand
    }


def letter_pdf(case: Transfer, revealable: bool = True) -> bytes:
    """The letter of introduction with its stub (存根), one A4 page."""
    return render_pdf("transfers/pdf/letter.html", _context(case, revealable))


def receipt_pdf(case: Transfer, revealable: bool = True) -> bytes:
    """The receipt (回执): filled in when the member was received here; blanks for an outside org to fill in."""
    return render_pdf("transfers/pdf/receipt.html", _context(case, revealable))


# ---------------------------------------------------------------------------------------------------------------
# Views


def _case(request, pk) -> Transfer:
    qs = Transfer.objects.restrict(request.user, "view").select_related(
        "member", "from_org", "to_org", "sending_approver", "receiving_approver"
    )
    return get_object_or_404(qs, pk=pk)


def _pdf_response(build, case: Transfer, kind: str, user=None) -> HttpResponse:
    revealable = bool(case.member_id) and case.member_id in revealable_pks(user, Member, [case.member])
    return pdf_response(lambda: build(case, revealable), f"{kind}-{case.letter_number}.pdf")


@login_required
def letter_view(request, pk):
    case = _case(request, pk)
    if not letter_available(case):
        raise Http404(_("There is no letter of introduction for this case (yet)."))
    return _pdf_response(letter_pdf, case, "letter", request.user)


@login_required
def receipt_view(request, pk):
    case = _case(request, pk)
    if not receipt_available(case):
        raise Http404(_("There is no receipt for this case (yet)."))
    return _pdf_response(receipt_pdf, case, "receipt", request.user)
