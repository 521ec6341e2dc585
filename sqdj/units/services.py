"""The unit registry (issue 15 item 1) and the units' liaison accounts (item 8): every write of a unit goes through
these `do_*` services — the forms, the API and the importer alike — each one transaction, logged in the change log
and re-read through the scope gate."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from sqdj.accounts.models import RoleAssignment
from sqdj.accounts.roles import Role
from sqdj.accounts.services import do_grant_role
from sqdj.areas.models import Area
from sqdj.core import audit, dates
from sqdj.core.context import acting_as
from sqdj.core.services import ScopeViolation, do_create, do_update, ensure_in_scope
from sqdj.orgs.choices import OrgType
from sqdj.orgs.models import Org

from .models import Unit, UnitContact

UNIT_FIELDS = ("name", "credit_code", "category", "area", "employees", "party_members", "full_members", "org",
               "contact_name", "contact_phone", "industry", "size", "legal_rep_is_member", "principal_is_member",
               "has_trade_union", "has_youth_league", "has_womens_federation", "premises", "building", "address",
               "status", "registered_on", "ended_on")  # fmt: skip
# the org types that can be a unit's party organization (its own, or the 联合党支部 it is in): not a 党小组 (inside
# a branch), nor a level of the administration (区委, 街道党工委 …)
UNIT_ORG_TYPES = frozenset({OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH, OrgType.JOINT_BRANCH})


# GB 32100-2015's check digit, worked out directly for a code already in its clean form (an import of 50,000 rows
# spends a tenth of its time in python-stdnum cleaning each code twice); anything else goes to python-stdnum,
# which also says what is wrong. tests/test_credit_code: the same verdict as python-stdnum's for every code tried.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_CLEAN = re.compile(r"[0-9]{8}[0-9A-HJ-NP-RTUW-Y]{10}")


def _clean_and_valid(code: str) -> bool:
    if not _USCC_CLEAN.fullmatch(code):
        return False
    total = sum(_USCC_VALUE[c] * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return code[17] == _USCC_ALPHABET[(31 - total) % 31]


def credit_code_error(code: str) -> str | None:
    """Why `code` is not a valid 统一社会信用代码 (GB 32100-2015, python-stdnum's check), or None."""
    if _clean_and_valid(code):
        return None
    try:
        uscc.validate(code)
    except InvalidChecksum:
        return _("Wrong check digit of the unified social credit code.")
    except InvalidLength:
        return _("A unified social credit code has 18 characters.")
    except StdnumError:
        return _("Not a unified social credit code: digits and capital letters (no I, O, S, V, Z).")
    return None


def normalize_credit_code(code: str) -> str:
    return (code or "").strip().upper()


def counts_errors(employees, party_members, full_members) -> dict[str, str]:
    """The head counts that contradict each other: 党员人数 ≤ 从业人员数, full members ≤ party members."""
    errors = {}
    if employees is not None and party_members is not None and party_members > employees:
        errors["party_members"] = _("The number of party members cannot exceed the number of employees.")
    if full_members is not None and party_members is not None and full_members > party_members:
        errors["full_members"] = _("The number of full members cannot exceed the number of party members.")
    return errors


def org_type_error(org) -> str | None:
    if org is not None and org.type not in UNIT_ORG_TYPES:
        return _("A %(type)s cannot be the party organization of a unit: choose a party committee, general branch, "
                 "branch or joint branch.") % {"type": org.get_type_display()}  # fmt: skip
    return None


def _validate(data: dict, acting_user, instance: Unit | None = None) -> None:
    errors: dict[str, list[str]] = {}
    code = data.get("credit_code") or ""
    problem = credit_code_error(code) if code else None
    if problem:
        errors["credit_code"] = [problem]
    elif code and Unit.objects.filter(credit_code=code).exclude(pk=instance.pk if instance else 0).exists():
        errors["credit_code"] = [_("A unit with this unified social credit code is already registered.")]
    for field, message in counts_errors(data.get("employees"), data.get("party_members"),
                                        data.get("full_members")).items():  # fmt: skip
        errors.setdefault(field, []).append(message)
    org, area = data.get("org"), data.get("area")
    problem = org_type_error(org)
    if problem:
        errors.setdefault("org", []).append(problem)
    elif (
        org is not None
        and acting_user is not None
        and not Org.objects.restrict(acting_user, "view").filter(pk=org.pk).exists()
    ):
        errors.setdefault("org", []).append(_("This party organization is outside your scope."))
    if (
        area is not None
        and acting_user is not None
        and not Area.objects.restrict(acting_user, "view").filter(pk=area.pk).exists()
    ):
        errors.setdefault("area", []).append(_("This area is outside your scope."))
    if errors:
        raise ValidationError(errors)


def _clean(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in UNIT_FIELDS}
    if "credit_code" in data:
        data["credit_code"] = normalize_credit_code(data["credit_code"])
    for field in ("contact_phone", "contact_name", "building", "address", "industry", "size", "premises"):
        if field in data and data[field] is None:
            data[field] = ""
    return data


@transaction.atomic
def do_create_unit(*, acting_user, **data) -> Unit:
    data = _clean(data)
    _validate(data, acting_user)
    return do_create(Unit, acting_user=acting_user, data=data)


@transaction.atomic
def do_update_unit(unit: Unit, *, acting_user, **data) -> Unit:
    ensure_in_scope(unit, acting_user, "change")
    data = _clean(data)
    merged = {f: getattr(unit, f) for f in UNIT_FIELDS}
    merged.update(data)
    _validate(merged, acting_user, instance=unit)
    return do_update(unit, acting_user=acting_user, data=data)


# ---- the contact phone: masked everywhere, revealed with a reason ------------------------------------------------


def may_reveal(unit: Unit, user) -> bool:
    return Unit.objects.restrict(user, "reveal").filter(pk=unit.pk).exists()


@transaction.atomic
def do_reveal(unit: Unit, *, acting_user, reason: str, remote_addr=None) -> dict:
    """The unmasked contact phone, with a logged reason. members.PiiReveal is the members' own log (its row names a
    member), so a unit's reveal is logged as the audit trail's `reveal` event with the reason (security.md R9: the
    detail names the field and why, never the number)."""
    reason = (reason or "").strip()
    if not may_reveal(unit, acting_user):
        raise ScopeViolation(_("You may not see this unit's full contact phone."))
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Say why you need the full numbers (at least 2 characters).")]})
    audit.record(audit.Event.REVEAL, user=acting_user, object_type="units.unit", object_id=unit.pk,
                 org_path=audit.org_path_of(unit), remote_addr=remote_addr,
                 detail={"fields": ["contact_phone"], "reason": reason[:200]})  # fmt: skip
    return {"contact_phone": unit.contact_phone}


# ---- liaison accounts (role unit_contact) ------------------------------------------------------------------------


def contact_org(unit: Unit):
    """The org a liaison's role hangs on: the unit's party org, else the org located nearest above the unit's area
    (its community's). A self-only role reaches nothing through it (core.scope): it only has to exist somewhere."""
    if unit.org_id:
        return unit.org
    area = unit.area
    prefixes = [area.path[:i] for i in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    return (
        Org.objects.filter(area__path__in=prefixes, type__in=UNIT_ORG_TYPES | {OrgType.SUBDISTRICT_COMMITTEE})
        .order_by("-area__depth", "depth", "pk")
        .first()
        or Org.objects.filter(area__path__in=prefixes).order_by("-area__depth", "depth", "pk").first()
    )


@transaction.atomic
def do_link_contact(unit: Unit, user, *, acting_user, started_on: datetime.date | None = None) -> UnitContact:
    """Make `user` the unit's liaison: a UnitContact row and the self-only role `unit_contact`."""
    ensure_in_scope(unit, acting_user, "change")
    if user.is_superuser or user.duty:
        raise ValidationError({"user": [_("An administrator's account cannot be a unit's liaison account.")]})
    if UnitContact.objects.filter(unit=unit, user=user, ended_on__isnull=True).exists():
        raise ValidationError({"user": [_("This user is already the unit's liaison.")]})
    org = contact_org(unit)
    if org is None:
        raise ValidationError({"user": [_("No party organization is located in the unit's area.")]})
    contact = do_create(
        UnitContact,
        acting_user=acting_user,
        data={"unit": unit, "user": user, "started_on": started_on or dates.today()},
        action=None,  # the unit's change right decided it (above)
    )
    if not RoleAssignment.objects.filter(user=user, role=Role.UNIT_CONTACT).exists():
        do_grant_role(user, acting_user=acting_user, role=Role.UNIT_CONTACT, org=org, descendants=False)
    return contact


@transaction.atomic
def do_end_contact(contact: UnitContact, *, acting_user, ended_on: datetime.date | None = None) -> UnitContact:
    """End a liaison account's link; the role goes with the user's last open link."""
    ensure_in_scope(contact.unit, acting_user, "change")
    if contact.ended_on is not None:
        raise ValidationError(_("This liaison link has already ended."))
    ended_on = ended_on or dates.today()
    if ended_on < contact.started_on:
        raise ValidationError({"ended_on": [_("The end date cannot be before the start date.")]})
    contact = do_update(contact, acting_user=acting_user, data={"ended_on": ended_on}, action=None)
    user = contact.user
    if not UnitContact.objects.filter(user=user, ended_on__isnull=True).exists():
        with acting_as(acting_user):
            for assignment in RoleAssignment.objects.filter(user=user, role=Role.UNIT_CONTACT):
                assignment.delete()
        user.__dict__.pop("_sqdj_anchor_cache", None)
    return contact
