"""Mobile members (流动党员, rules.md §§6.5–6.8): outflows (members of ours away) and inflows (members of other orgs
living here). Neither moves a membership — a transfer case does that — and nothing here changes a member's
standing: losing contact is recorded as a date, and what follows from it (停止党籍 after `member.lost_contact_months`,
removal `member.suspended_removal_years` later) is shown by the rulebook checks (checks.py) for the org to decide.

On `mobile.min_months_away`: the regulation defines a mobile member as one away six months or more without
transferring (第三十二条). An absence may be recorded from its first day — a member who has just left with a
流动党员活动证 (§6.7) or who is expected to stay away is better recorded early than lost — and the pages show how
long the member has been away and whether that is below the parameter (`months_away`, `is_mobile`).

Every `do_*` takes keyword `acting_user` (None: a system job), runs in one transaction, validates everything
before writing (ValidationError with Chinese messages, nothing saved), and re-reads the record through the scope
gate after writing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sqdj.core import dates, idnumber
from sqdj.core.dates import add_months, months_between
from sqdj.core.pii import blind_index
from sqdj.core.rules import param
from sqdj.core.services import ScopeViolation, do_create, do_update, ensure_in_scope
from sqdj.members.choices import Standing
from sqdj.members.models import Member
from sqdj.members.services import refresh_categories, refresh_categories_of_indexes
from sqdj.members.validation import LANDLINE, MOBILE, check_id_number
from sqdj.orgs.choices import BRANCH_TYPES
from sqdj.orgs.models import Org

from .choices import MobileEnd
from .models import Inflow, Outflow

OUTFLOW_FIELDS = ("left_on", "destination", "destination_org", "contact", "mobile_card_number")
INFLOW_FIELDS = ("name", "id_number", "phone", "home_org_name", "home_org_contact", "arrived_on",
                 "mobile_card_number", "host_org")  # fmt: skip


# ---- reading ----------------------------------------------------------------------------------------------------


def months_away(left_on: datetime.date, on: datetime.date | None = None) -> int:
    """Whole months from `left_on` to `on` (default today)."""
    return max(months_between(left_on, on or dates.today()), 0)


def is_mobile(outflow: Outflow, on: datetime.date | None = None) -> bool:
    """Away at least `mobile.min_months_away` (the regulation's definition of a mobile member) on `on`."""
    on = on or dates.today()
    minimum = param("mobile.min_months_away", on, default=None)
    return minimum is None or add_months(outflow.left_on, minimum) <= on


def days_since(d: datetime.date | None, on: datetime.date | None = None) -> int | None:
    return None if d is None else ((on or dates.today()) - d).days


def contact_due(last_contact_on: datetime.date, on: datetime.date | None = None) -> datetime.date | None:
    """The last day on which the contact is not yet overdue (`mobile.contact_interval_months` after it)."""
    months = param("mobile.contact_interval_months", on or dates.today(), default=None)
    return None if months is None else add_months(last_contact_on, months)


def contact_overdue(last_contact_on: datetime.date, on: datetime.date | None = None) -> bool:
    on = on or dates.today()
    due = contact_due(last_contact_on, on)
    return due is not None and on > due


# ---- shared checks ----------------------------------------------------------------------------------------------


def _err(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _not_future(errors: dict, field: str, value, on: datetime.date) -> None:
    if value is not None and value > on:
        _err(errors, field, _("Cannot be in the future."))


def _text(errors: dict, data: dict, field: str, *, required: bool, max_length: int) -> None:
    value = data.get(field)
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        _err(errors, field, _("Contains an invisible control character (NUL); please retype it."))
    elif required and not value:
        _err(errors, field, _("This field is required."))
    elif len(value) > max_length:
        _err(errors, field, _("At most %(n)d characters.") % {"n": max_length})
    data[field] = value


def _phone(errors: dict, data: dict, field: str) -> None:
    value = (data.get(field) or "").strip()
    data[field] = value
    if value and not (MOBILE.match(value) or LANDLINE.match(value)):
        _err(
            errors,
            field,
            _(
                "Not a mainland phone number: 11 digits for a mobile (e.g. 13812345678) or an area code "
                "and number (e.g. 022-12345678)."
            ),
        )


def _date(errors: dict, data: dict, field: str, *, required: bool = True) -> None:
    value = data.get(field)
    if value is None:
        if required:
            _err(errors, field, _("This field is required."))
    elif not isinstance(value, datetime.date):
        _err(errors, field, _("Not a date."))


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _open(record, errors: dict) -> None:
    if record.ended_on is not None:
        _err(errors, "ended_on", _("This record has ended; it can no longer be changed."))


# ---- outflows (流出) ---------------------------------------------------------------------------------------------


def _check_outflow(data: dict, on: datetime.date) -> dict:
    errors: dict = {}
    _date(errors, data, "left_on")
    _not_future(errors, "left_on", data.get("left_on") if "left_on" not in errors else None, on)
    _text(errors, data, "destination", required=True, max_length=200)
    _text(errors, data, "destination_org", required=False, max_length=200)
    _text(errors, data, "mobile_card_number", required=False, max_length=50)
    _phone(errors, data, "contact")
    return errors


@transaction.atomic
def do_record_outflow(
    member: Member,
    *,
    acting_user,
    left_on: datetime.date,
    destination: str,
    destination_org: str = "",
    contact: str = "",
    last_contact_on: datetime.date | None = None,
    mobile_card_number: str = "",
) -> Outflow:
    """A member of ours is away (外出流动). `last_contact_on` defaults to today: staff record the absence while in
    touch with the member."""
    ensure_in_scope(member, acting_user, "change")
    on = dates.today()
    data = {"left_on": left_on, "destination": destination, "destination_org": destination_org,
            "contact": contact, "mobile_card_number": mobile_card_number}  # fmt: skip
    errors = _check_outflow(data, on)
    last_contact_on = last_contact_on or on
    _date(errors, {"last_contact_on": last_contact_on}, "last_contact_on")
    if "last_contact_on" not in errors:
        _not_future(errors, "last_contact_on", last_contact_on, on)
    if member.standing != Standing.ACTIVE:
        _err(errors, "member", _("Only a member in good standing can be recorded as away."))
    # locks the member's open record, if any, so that two people recording at once get one record
    if Outflow.objects.select_for_update().filter(member=member, ended_on__isnull=True).exists():
        _err(errors, "member", _("This member is already recorded as away."))
    _raise(errors)
    data |= {"member": member, "last_contact_on": last_contact_on}
    outflow = do_create(Outflow, acting_user=acting_user, data=data, clean=False)  # validated above
    refresh_categories([member.pk])  # 流动 from now on (the derived category)
    return outflow


@transaction.atomic
def do_update_outflow(outflow: Outflow, *, acting_user, **data) -> Outflow:
    """Change where the member is and how to reach them (the contact date changes only by a recorded contact)."""
    ensure_in_scope(outflow, acting_user, "change")
    outflow = Outflow.objects.select_for_update().get(pk=outflow.pk)
    merged = {f: getattr(outflow, f) for f in OUTFLOW_FIELDS}
    merged.update({k: v for k, v in data.items() if k in OUTFLOW_FIELDS})
    errors = _check_outflow(merged, dates.today())
    _open(outflow, errors)
    _raise(errors)
    merged["incomplete"] = False  # the destination is now given (required above): the finding is settled
    return do_update(outflow, acting_user=acting_user, data=merged, clean=False)


def _contact_errors(record, on: datetime.date) -> dict:
    """Why a contact on `on` cannot be recorded for an open outflow or inflow (none: an empty dict)."""
    errors: dict = {}
    _open(record, errors)
    _not_future(errors, "on", on, dates.today())
    if on < record.last_contact_on:
        _err(
            errors,
            "on",
            _("Earlier than the last contact on record (%(date)s).") % {"date": record.last_contact_on.isoformat()},
        )
    return errors


@transaction.atomic
def do_record_outflow_contact(outflow: Outflow, *, acting_user, on: datetime.date | None = None) -> Outflow:
    """We were in touch with the member on `on` (default today): a lost contact is found again."""
    ensure_in_scope(outflow, acting_user, "change")
    outflow = Outflow.objects.select_for_update().get(pk=outflow.pk)
    on = on or dates.today()
    _raise(_contact_errors(outflow, on))
    return do_update(outflow, acting_user=acting_user, data={"last_contact_on": on, "lost_contact_since": None},
                     clean=False)  # fmt: skip


@transaction.atomic
def do_mark_lost_contact(outflow: Outflow, *, acting_user, since: datetime.date | None = None) -> Outflow:
    """Every way of reaching the member failed (失去联系) since `since` (default today). Only recorded: the
    consequences are findings for the org to decide on, never applied here."""
    ensure_in_scope(outflow, acting_user, "change")
    outflow = Outflow.objects.select_for_update().get(pk=outflow.pk)
    since = since or dates.today()
    errors: dict = {}
    _open(outflow, errors)
    if outflow.lost_contact_since is not None:
        _err(
            errors,
            "since",
            _("Already recorded as lost contact since %(date)s.") % {"date": outflow.lost_contact_since.isoformat()},
        )
    _not_future(errors, "since", since, dates.today())
    if since < outflow.last_contact_on:
        _err(
            errors,
            "since",
            _("Cannot be before the last contact on record (%(date)s).")
            % {"date": outflow.last_contact_on.isoformat()},
        )
    _raise(errors)
    return do_update(outflow, acting_user=acting_user, data={"lost_contact_since": since}, clean=False)


def _check_end(record, errors: dict, ended_on, reason, start: datetime.date) -> None:
    _open(record, errors)
    if reason not in MobileEnd.values:
        _err(errors, "reason", _("Choose how it ended."))
    if ended_on is None:
        _err(errors, "ended_on", _("This field is required."))
        return
    _not_future(errors, "ended_on", ended_on, dates.today())
    if ended_on < start:
        _err(errors, "ended_on", _("Cannot be before %(date)s.") % {"date": start.isoformat()})


@transaction.atomic
def do_end_outflow(outflow: Outflow, *, acting_user, ended_on: datetime.date | None = None, reason: str) -> Outflow:
    """The absence is over: the member came back, transferred the membership, … (the record stays as history)."""
    ensure_in_scope(outflow, acting_user, "change")
    outflow = Outflow.objects.select_for_update().get(pk=outflow.pk)
    ended_on = ended_on or dates.today()
    errors: dict = {}
    _check_end(outflow, errors, ended_on, reason, outflow.left_on)
    _raise(errors)
    outflow = do_update(outflow, acting_user=acting_user, data={"ended_on": ended_on, "end_reason": reason},
                        clean=False)  # fmt: skip
    refresh_categories([outflow.member_id])  # no longer 流动, unless an inflow says so
    return outflow


# ---- inflows (流入) ----------------------------------------------------------------------------------------------


def _check_inflow(data: dict, on: datetime.date, acting_user, errors: dict) -> None:
    _text(errors, data, "name", required=True, max_length=50)
    data["id_number"] = idnumber.normalize(data.get("id_number"))
    if not data["id_number"]:
        _err(errors, "id_number", _("This field is required."))
    else:
        check_id_number(data["id_number"], None, errors, {})
    _phone(errors, data, "phone")
    _text(errors, data, "home_org_name", required=True, max_length=200)
    _text(errors, data, "home_org_contact", required=False, max_length=200)
    _text(errors, data, "mobile_card_number", required=False, max_length=50)
    _date(errors, data, "arrived_on")
    if "arrived_on" not in errors:
        _not_future(errors, "arrived_on", data["arrived_on"], on)
    host = data.get("host_org")
    if host is None:
        _err(errors, "host_org", _("This field is required."))
    elif acting_user is not None and not Org.objects.restrict(acting_user, "add").filter(pk=host.pk).exists():
        _err(errors, "host_org", _("Unknown organization, or outside your scope."))


def _already_here(id_number: str, exclude_pk=None) -> bool:
    qs = Inflow.objects.select_for_update().filter(id_number_index=blind_index(id_number), ended_on__isnull=True)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


@transaction.atomic
def do_register_inflow(
    *,
    acting_user,
    name: str,
    id_number: str,
    home_org_name: str,
    arrived_on: datetime.date,
    host_org: Org,
    phone: str = "",
    home_org_contact: str = "",
    mobile_card_number: str = "",
    last_contact_on: datetime.date | None = None,
) -> Inflow:
    """A member of another organization reports to us (向居住地党组织报到). Identity is verified in a second step."""
    on = dates.today()
    data = {"name": name, "id_number": id_number, "phone": phone, "home_org_name": home_org_name,
            "home_org_contact": home_org_contact, "arrived_on": arrived_on, "mobile_card_number": mobile_card_number,
            "host_org": host_org}  # fmt: skip
    errors: dict = {}
    _check_inflow(data, on, acting_user, errors)
    last_contact_on = last_contact_on or on
    _not_future(errors, "last_contact_on", last_contact_on, on)
    if "id_number" not in errors and _already_here(id_number):
        _err(errors, "id_number", _("This person is already recorded as living here."))
    _raise(errors)
    data["last_contact_on"] = last_contact_on
    inflow = do_create(Inflow, acting_user=acting_user, data=data, clean=False)  # validated above
    refresh_categories_of_indexes([inflow.id_number_index])  # a member of ours with this number is 流动 now
    return inflow


@transaction.atomic
def do_update_inflow(inflow: Inflow, *, acting_user, **data) -> Inflow:
    ensure_in_scope(inflow, acting_user, "change")
    inflow = Inflow.objects.select_for_update().get(pk=inflow.pk)
    merged = {f: getattr(inflow, f) for f in INFLOW_FIELDS}
    merged.update({k: v for k, v in data.items() if k in INFLOW_FIELDS and v is not None})
    errors: dict = {}
    _open(inflow, errors)
    host_changed = merged["host_org"] is not None and merged["host_org"].pk != inflow.host_org_id
    if not host_changed:
        # keeping the host the user already sees needs no "add" right on it
        _check_inflow({**merged, "host_org": None}, dates.today(), acting_user, errors)
        errors.pop("host_org", None)
    else:
        _check_inflow(merged, dates.today(), acting_user, errors)
    merged["id_number"] = idnumber.normalize(merged.get("id_number"))
    if "id_number" not in errors and merged["id_number"] != inflow.id_number:
        if inflow.verified:
            _err(errors, "id_number", _("The identity has been verified: the ID number can no longer change."))
        elif _already_here(merged["id_number"], exclude_pk=inflow.pk):
            _err(errors, "id_number", _("This person is already recorded as living here."))
    if host_changed and inflow.branch_id is not None and "host_org" not in errors:
        if not Org.objects.filter(pk=inflow.branch_id, path__startswith=merged["host_org"].path).exists():
            _err(errors, "host_org", _("The branch for activities is not under this organization; change it first."))
    _raise(errors)
    before = inflow.id_number_index
    inflow = do_update(inflow, acting_user=acting_user, data=merged, clean=False)
    if inflow.id_number_index != before:
        refresh_categories_of_indexes([before, inflow.id_number_index])
    return inflow


@transaction.atomic
def do_verify_inflow(inflow: Inflow, *, acting_user, note: str, verified_on: datetime.date | None = None) -> Inflow:
    """The identity and the membership were checked (card, the home org's confirmation, …): say how in `note`."""
    ensure_in_scope(inflow, acting_user, "change")
    inflow = Inflow.objects.select_for_update().get(pk=inflow.pk)
    verified_on = verified_on or dates.today()
    note = (note or "").strip()
    errors: dict = {}
    _open(inflow, errors)
    if inflow.verified:
        _err(errors, "verified_on", _("The identity was already verified on %(date)s.") % {"date": inflow.verified_on})
    if len(note) < 2:
        _err(errors, "note", _("Say how the identity was verified (at least 2 characters)."))
    elif len(note) > 200 or "\x00" in note:
        _err(errors, "note", _("At most %(n)d characters.") % {"n": 200})
    _not_future(errors, "verified_on", verified_on, dates.today())
    if verified_on < inflow.arrived_on:
        _err(errors, "verified_on", _("Cannot be before %(date)s.") % {"date": inflow.arrived_on.isoformat()})
    _raise(errors)
    verified_by = acting_user if getattr(acting_user, "pk", None) else None
    data = {"verified_on": verified_on, "verified_by": verified_by, "verification_note": note}
    return do_update(inflow, acting_user=acting_user, data=data, clean=False)


def branch_choices(inflow: Inflow, user):
    """The branches under the host org that `user` may see: where the member may take part in activities."""
    qs = Org.objects.filter(path__startswith=inflow.host_org.path, type__in=sorted(BRANCH_TYPES))
    if user is not None:
        qs = qs.restrict(user, "view")
    return qs.order_by("path")


@transaction.atomic
def do_assign_branch(inflow: Inflow, *, acting_user, branch: Org) -> Inflow:
    """The member joins a local branch's activities (组织生活, 党费 there — no vote: §6.7), only once verified."""
    ensure_in_scope(inflow, acting_user, "change")
    inflow = Inflow.objects.select_for_update().get(pk=inflow.pk)
    errors: dict = {}
    _open(inflow, errors)
    if not inflow.verified:
        _err(errors, "branch", _("Verify the identity first; only then may the member join a branch's activities."))
    elif branch is None:
        _err(errors, "branch", _("This field is required."))
    elif branch.type not in BRANCH_TYPES:
        _err(errors, "branch", _("Choose a party branch."))
    elif not branch_choices(inflow, acting_user).filter(pk=branch.pk).exists():
        _err(errors, "branch", _("Choose a branch under %(org)s.") % {"org": inflow.host_org.name})
    _raise(errors)
    return do_update(inflow, acting_user=acting_user, data={"branch": branch}, clean=False)


@transaction.atomic
def do_record_inflow_contact(inflow: Inflow, *, acting_user, on: datetime.date | None = None) -> Inflow:
    ensure_in_scope(inflow, acting_user, "change")
    inflow = Inflow.objects.select_for_update().get(pk=inflow.pk)
    on = on or dates.today()
    _raise(_contact_errors(inflow, on))
    return do_update(inflow, acting_user=acting_user, data={"last_contact_on": on}, clean=False)


@transaction.atomic
def do_end_inflow(inflow: Inflow, *, acting_user, ended_on: datetime.date | None = None, reason: str) -> Inflow:
    ensure_in_scope(inflow, acting_user, "change")
    inflow = Inflow.objects.select_for_update().get(pk=inflow.pk)
    ended_on = ended_on or dates.today()
    errors: dict = {}
    _check_end(inflow, errors, ended_on, reason, inflow.arrived_on)
    _raise(errors)
    inflow = do_update(inflow, acting_user=acting_user, data={"ended_on": ended_on, "end_reason": reason},
                       clean=False)  # fmt: skip
    refresh_categories_of_indexes([inflow.id_number_index])
    return inflow


__all__ = [
    "ScopeViolation",
    "branch_choices",
    "contact_due",
    "contact_overdue",
    "days_since",
    "do_assign_branch",
    "do_end_inflow",
    "do_end_outflow",
    "do_mark_lost_contact",
    "do_record_inflow_contact",
    "do_record_outflow",
    "do_record_outflow_contact",
    "do_register_inflow",
    "do_update_inflow",
    "do_update_outflow",
    "do_verify_inflow",
    "is_mobile",
    "months_away",
]
