"""志愿服务证明 (issue 16 item 6): the services that issue and revoke a certificate, and the public verification.

A certificate freezes a member's VERIFIED service records in the issuing org's community over a period (hours and
count) under a number with check digits (core.numbering), so that the verification page tells a mistyped number
from a forged one before any database read. The verification answers only genuine or not, with the totals."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from sqdj.core import dates
from sqdj.core.numbering import check_ok, next_number, normalize, with_check
from sqdj.core.services import Conflict, ScopeViolation, do_create, do_update, ensure_in_scope
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .choices import HoursState
from .common import community_of
from .models import Certificate, CertificateCheck, ServiceHours

PREFIX = "ZM"  # 证明


def verified_records(member, community, period_start: datetime.date, period_end: datetime.date):
    """The records a certificate counts: the member's verified ones in `community`, both ends of the period in."""
    return ServiceHours.objects.filter(member=member, community=community, state=HoursState.VERIFIED,
                                       served_on__gte=period_start, served_on__lte=period_end)  # fmt: skip


def records_of(certificate: Certificate):
    """The records behind a certificate (its PDF's table): as counted at issue, unless corrected since."""
    return verified_records(certificate.member, certificate.community, certificate.period_start,
                            certificate.period_end).order_by("served_on", "pk")  # fmt: skip


@transaction.atomic
def do_issue_certificate(*, acting_user, member: Member, org: Org, period_start: datetime.date,
                         period_end: datetime.date) -> Certificate:  # fmt: skip
    """The issuing org (one the user may change, standing in a community) certifies a member the user may view:
    the totals of the member's verified records there over the period, frozen, under the year's next number."""
    if acting_user is not None:
        if not Org.objects.restrict(acting_user, "change").filter(pk=org.pk).exists():
            raise ScopeViolation(_("Only the issuing organization's own administrators issue its certificates."))
        if not Member.objects.restrict(acting_user, "view").filter(pk=member.pk).exists():
            raise ScopeViolation(_("You may not see this member."))
    community = community_of(org)
    today = dates.today()
    errors: dict[str, list[str]] = {}
    if community is None:
        errors["org"] = [_("The issuing organization stands in no community.")]
    if period_end > today:
        errors["period_end"] = [_("Cannot be in the future.")]
    elif period_end < period_start:
        errors["period_end"] = [_("The period cannot end before it starts.")]
    totals = {"hours": None, "records": 0}
    if not errors:
        totals = verified_records(member, community, period_start, period_end).aggregate(
            hours=Sum("hours"), records=Count("pk")
        )
        if not totals["records"]:
            errors["member"] = [_("The member has no verified service hours in this community in this period.")]
    if errors:
        raise ValidationError(errors)
    seq = next_number(f"volunteers.certificate.{today.year}")  # gapless: rolls back with this transaction
    data = {"member": member, "org": org, "community": community, "period_start": period_start,
            "period_end": period_end, "hours": totals["hours"], "records": totals["records"],
            "number": with_check(PREFIX, f"{today.year}{seq:06d}"), "issued_by": acting_user,
            "issued_on": today}  # fmt: skip
    return do_create(Certificate, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


@transaction.atomic
def do_revoke_certificate(certificate: Certificate, *, acting_user, reason: str) -> Certificate:
    """The issuing side revokes a certificate with a reason; it stays, and says it is revoked everywhere."""
    ensure_in_scope(certificate, acting_user, "change")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the certificate is revoked.")]})
    current = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if current.revoked_on is not None:
        raise Conflict(_("This certificate has been revoked already."))
    data = {"revoked_on": dates.today(), "revoke_reason": reason}
    return do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


# ---- the public verification ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What the public page answers: `mistyped` (check digits wrong: nothing was looked up), else `certificate`
    (None: no certificate of that number and name — one answer for both)."""

    mistyped: bool
    certificate: Certificate | None = None


def verify(number: str, name: str, *, address: str | None) -> Verification:
    """Look a typed number and name up. Every try is logged (the number, whether it matched, the address — never
    the name); a mistyped number is refused before any certificate is read."""
    number = normalize(number)
    if not check_ok(number):
        CertificateCheck.objects.create(number=number[:40], matched=False, address=address)
        return Verification(mistyped=True)
    found = Certificate.objects.select_related("org", "member").filter(number=number).first()
    matched = found is not None and found.member.name == (name or "").strip()
    CertificateCheck.objects.create(number=number[:40], certificate=found if matched else None, matched=matched,
                                    address=address)  # fmt: skip
    return Verification(mistyped=False, certificate=found if matched else None)
