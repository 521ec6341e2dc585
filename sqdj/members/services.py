"""Member operations: every change of the roster goes through here, with its ledger event and change-log row."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sqdj.core.context import acting_as
from sqdj.core.services import ScopeViolation, ensure_in_scope

from .choices import Category, EventKind, MemberType
from .models import Member, MembershipEvent, PiiReveal, Registration
from .validation import validate_member

FIELDS = ("name", "sex", "ethnicity", "id_number", "birth_date", "education", "member_type", "joined_on",
          "confirmed_on", "category", "org", "home_area", "phone", "work_unit")  # fmt: skip


def _check(data: dict, acting_user) -> dict:
    """Validate; raise ValidationError with every problem at once. Returns the warnings."""
    errors, warnings = validate_member(data)
    if acting_user is not None:
        from sqdj.areas.models import Area
        from sqdj.orgs.models import Org

        org, area = data.get("org"), data.get("home_area")
        if org is not None and not Org.objects.restrict(acting_user, "add").filter(pk=org.pk).exists():
            errors.setdefault("org", []).append(_("Unknown organization, or outside your scope."))
        if area is not None and not Area.objects.restrict(acting_user, "view").filter(pk=area.pk).exists():
            errors.setdefault("home_area", []).append(_("Unknown area, or outside your scope."))
    if errors:
        raise ValidationError(errors)
    return warnings


def _event(member, kind, date, *, acting_user, org=None, note=""):
    MembershipEvent.objects.create(
        member=member,
        kind=kind,
        date=date,
        org=org,
        note=note,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )


@transaction.atomic
def do_create_member(*, acting_user, **data) -> Member:
    data = {k: data.get(k) for k in FIELDS}
    data["phone"] = data.get("phone") or ""
    data["work_unit"] = data.get("work_unit") or ""
    _check(data, acting_user)
    if Member.objects.filter(id_number_index=Member(id_number=data["id_number"]).id_number_index_value()).exists():
        raise ValidationError({"id_number": [_("A member with this ID number is already on the roll.")]})
    member = Member(**data)
    with acting_as(acting_user):
        member.save()
    _event(member, EventKind.JOINED, member.joined_on, acting_user=acting_user, org=member.org)
    if member.member_type == MemberType.FULL and member.confirmed_on:
        _event(member, EventKind.CONFIRMED, member.confirmed_on, acting_user=acting_user, org=member.org)
    ensure_in_scope(member, acting_user, "add")
    return member


@transaction.atomic
def do_update_member(member: Member, *, acting_user, **data) -> Member:
    ensure_in_scope(member, acting_user, "change")
    before = {f: getattr(member, f) for f in FIELDS}
    merged = {**before, **{k: v for k, v in data.items() if k in FIELDS}}
    merged["phone"] = merged.get("phone") or ""
    merged["work_unit"] = merged.get("work_unit") or ""
    check = dict(merged)
    if merged["org"] == before["org"]:
        check.pop("org")  # keeping an org is always allowed; moving needs the right to add under the new one
    _check(check, acting_user)
    if merged["id_number"] != before["id_number"]:
        index = Member(id_number=merged["id_number"]).id_number_index_value()
        if Member.objects.filter(id_number_index=index).exclude(pk=member.pk).exists():
            raise ValidationError({"id_number": [_("A member with this ID number is already on the roll.")]})
    for k, v in merged.items():
        setattr(member, k, v)
    with acting_as(acting_user):
        member.save()
    today = datetime.date.today()
    if merged["org"] != before["org"]:
        _event(member, EventKind.TRANSFERRED_OUT, today, acting_user=acting_user, org=before["org"])
        _event(member, EventKind.TRANSFERRED_IN, today, acting_user=acting_user, org=merged["org"])
    if merged["category"] != before["category"]:
        _event(
            member,
            EventKind.CATEGORY_CHANGED,
            today,
            acting_user=acting_user,
            org=member.org,
            note=f"{Category(before['category']).label} → {Category(merged['category']).label}",
        )
    if before["member_type"] == MemberType.PROBATIONARY and merged["member_type"] == MemberType.FULL:
        _event(member, EventKind.CONFIRMED, merged["confirmed_on"], acting_user=acting_user, org=member.org)
    ensure_in_scope(member, acting_user, "change")
    return member


@transaction.atomic
def do_register(member: Member, *, acting_user, community, registered_on, posts_of_interest="", skills=""):
    """An in-service member registers with the residence community; their own org keeps the membership."""
    from sqdj.areas.choices import AreaType

    ensure_in_scope(member, acting_user, "view")
    errors = {}
    if member.category != Category.EMPLOYED:
        errors["member"] = [_("Only in-service members register with their residence community.")]
    if community.type != AreaType.COMMUNITY:
        errors["community"] = [_("Choose a community (社区).")]
    if registered_on > datetime.date.today():
        errors["registered_on"] = [_("Cannot be in the future.")]
    if Registration.objects.filter(member=member, active=True).exists():
        errors["member"] = [_("This member is already registered with a community.")]
    if errors:
        raise ValidationError(errors)
    reg = Registration(
        member=member,
        community=community,
        registered_on=registered_on,
        posts_of_interest=posts_of_interest,
        skills=skills,
    )
    with acting_as(acting_user):
        reg.save()
    _event(member, EventKind.REGISTERED, registered_on, acting_user=acting_user, note=community.name)
    ensure_in_scope(reg, acting_user, "add")
    return reg


@transaction.atomic
def do_end_registration(reg: Registration, *, acting_user) -> Registration:
    ensure_in_scope(reg, acting_user, "change")
    reg.active = False
    with acting_as(acting_user):
        reg.save()
    return reg


def may_reveal(member: Member, user) -> bool:
    return Member.objects.restrict(user, "reveal").filter(pk=member.pk).exists()


@transaction.atomic
def do_reveal(member: Member, *, acting_user, reason: str, remote_addr=None) -> dict:
    """The unmasked ID and phone numbers, for a user allowed to see them, with a logged reason."""
    reason = (reason or "").strip()
    if not may_reveal(member, acting_user):
        raise ScopeViolation(_("You may not see this member's full personal data."))
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Say why you need the full numbers (at least 2 characters).")]})
    PiiReveal.objects.create(
        user=acting_user, member=member, fields="id_number,phone", reason=reason[:200], remote_addr=remote_addr
    )
    return {"id_number": member.id_number, "phone": member.phone}


__all__ = [
    "do_create_member",
    "do_update_member",
    "do_register",
    "do_end_registration",
    "do_reveal",
    "may_reveal",
]
