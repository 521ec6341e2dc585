"""A member's own request to change their phone number or residence (我的 → 修改手机号 / 居住地址, issue 16 item 7).

The member asks (one pending request at a time); whoever may change the member — their branch admin and above —
approves, which applies the change through `services.do_update_member` (the record, its blind and suffix indexes
and the change log stay right), or declines with a note. The requested phone is stored encrypted and shown masked
(the same masker as Member.phone); only a user who may reveal the member sees it in full, with a logged reason.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.core import audit
from sqdj.core.services import Conflict, ScopeViolation, do_create, do_update

from . import services
from .models import ContactChange, Member, PiiReveal
from .validation import validate_member

State = ContactChange.State


@transaction.atomic
def do_request_contact_change(
    member: Member, *, acting_user, phone: str | None = None, home_area=None, address_note: str = ""
) -> ContactChange:
    """The member themself asks for a new phone number and/or area of residence. Refused (nothing written): anyone
    but the member, a phone number members would refuse, nothing new asked, a second pending request."""
    if acting_user is None or member.user_id is None or member.user_id != acting_user.pk:
        raise ScopeViolation(_("Only the member themself may ask to change their contact details."))
    phone = (phone or "").strip()
    address_note = (address_note or "").strip()
    errors: dict[str, list] = {}
    if phone:
        errors.update(validate_member({"phone": phone})[0])
    if "\x00" in address_note:
        errors.setdefault("address_note", []).append(
            _("Contains an invisible control character (NUL); please retype it.")
        )
    if errors:
        raise ValidationError(errors)
    # the member's row locked: two requests sent at once make one pending request, not two
    member = Member.objects.select_for_update().get(pk=member.pk)
    new_phone = phone and phone != member.phone
    new_area = home_area is not None and home_area.pk != member.home_area_id
    if not (new_phone or new_area or address_note):
        raise ValidationError(_("Give a new phone number or a new area of residence."))
    if ContactChange.objects.filter(member=member, state=State.PENDING).exists():
        raise ValidationError(_("You already have a request awaiting approval."))
    data = {
        "member": member,
        "phone": phone if new_phone else "",
        "home_area": home_area if new_area else None,
        "address_note": address_note,
        "state": State.PENDING,
        "requested_at": timezone.now(),
    }
    return do_create(ContactChange, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


def awaiting_decision(user) -> Q:
    """The pending requests `user` may approve or decline (as may_decide): the list's filter and the to-do's count."""
    if user is None:
        return Q(pk__in=[])
    return Q(state=State.PENDING, member__in=Member.objects.restrict(user, "change").values("pk"))


def may_decide(change: ContactChange, user) -> bool:
    """Whoever may change the member decides (the member themself never: self-only roles are view-only)."""
    return Member.objects.restrict(user, "change").filter(pk=change.member_id).exists()


def _locked_pending(change: ContactChange, acting_user) -> ContactChange:
    if not may_decide(change, acting_user):
        raise ScopeViolation(_("You may view this but not change it."))
    current = ContactChange.objects.select_for_update().get(pk=change.pk)
    if current.state != State.PENDING:  # another admin decided first
        raise Conflict(_("This request has been decided already."))
    return current


@transaction.atomic
def do_approve_contact_change(change: ContactChange, *, acting_user, note: str = "") -> ContactChange:
    """Apply the request to the member's record (members' own update service) and close it as approved."""
    current = _locked_pending(change, acting_user)
    data: dict[str, object] = {}
    if current.phone:
        data["phone"] = current.phone
    if current.home_area_id is not None:
        data["home_area"] = current.home_area
    if data:
        services.do_update_member(current.member, acting_user=acting_user, **data)
    decision = {"state": State.APPROVED, "decided_by": acting_user, "decided_at": timezone.now(),
                "decision_note": (note or "").strip()[:200]}  # fmt: skip
    return do_update(current, acting_user=acting_user, data=decision, clean=False, action=None)  # checked above


@transaction.atomic
def do_decline_contact_change(change: ContactChange, *, acting_user, note: str) -> ContactChange:
    """Close the request unapplied, saying why (the member reads the note)."""
    note = (note or "").strip()
    if len(note) < 2:
        raise ValidationError({"note": [_("Say why the request is declined (at least 2 characters).")]})
    current = _locked_pending(change, acting_user)
    decision = {"state": State.DECLINED, "decided_by": acting_user, "decided_at": timezone.now(),
                "decision_note": note[:200]}  # fmt: skip
    return do_update(current, acting_user=acting_user, data=decision, clean=False, action=None)  # checked above


def may_reveal(change: ContactChange, user) -> bool:
    """Members' reveal rule: the requested number in full only to a user who may reveal the member."""
    return services.may_reveal(change.member, user)


@transaction.atomic
def do_reveal_requested_phone(change: ContactChange, *, acting_user, reason: str, remote_addr=None) -> str:
    """The requested phone number in full, with a logged reason (as members.services.do_reveal)."""
    reason = (reason or "").strip()
    if not may_reveal(change, acting_user):
        raise ScopeViolation(_("You may not see this member's full personal data."))
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Say why you need the full numbers (at least 2 characters).")]})
    reveal = PiiReveal.objects.create(user=acting_user, member=change.member, fields="contactchange.phone",
                                      reason=reason[:200], remote_addr=remote_addr)  # fmt: skip
    audit.record(audit.Event.REVEAL, user=acting_user, object_type="members.contactchange", object_id=change.pk,
                 org_path=audit.org_path_of(change.member), remote_addr=remote_addr,
                 detail={"fields": ["phone"], "reveal": reveal.pk})  # fmt: skip
    return change.phone
