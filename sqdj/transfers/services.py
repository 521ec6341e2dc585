"""Transfer cases (组织关系接转): the state machine, who may act at each step, and the member's move.

Every state change is a `do_*` function: it locks the case, checks that the case is still in the state (and at
the version) the actor saw — else `Conflict`, so two people acting at once get one success and one conflict —
checks who may act, writes the change (core.services, with its change-log row), and notifies whoever must act
next.

Who acts (rules.md §6.3; the approval path is the parameter `transfer.approval_level`: by default, national, the
基层党委 with the authority to approve probationary members nearest the sending org and nearest the receiving org, each
directly, wherever they are; a local variant may escalate, e.g. across subdistricts to the 区委):
  draft/returned/expired → submitted     the sending org (staff who may change it)
  submitted → approved (letter issued)   the sending side's approving org
  approved → received                    the receiving side's accepting org, while the letter is valid
  received → completed (member moves)    the receiving org (the member reported; the receipt is issued)
A case to an org outside this deployment completes when its receipt comes back (sending side); a case from
outside starts approved (the letter was issued there) and is accepted and completed here.
"""

from __future__ import annotations

import datetime
import json
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.accounts.services import notify_org
from sqdj.areas.choices import AreaType
from sqdj.core import dates
from sqdj.core import services as core_services
from sqdj.core.dates import add_months
from sqdj.core.rules import param
from sqdj.core.scope import anchors, is_unrestricted, visible
from sqdj.core.services import do_update, save_checked
from sqdj.members.choices import Standing
from sqdj.members.models import Member
from sqdj.members.services import FIELDS, do_receive_member, do_transfer_member
from sqdj.orgs.choices import OrgType, default_approves_members
from sqdj.orgs.models import Org

from .choices import OPEN_STATES, Direction, Side, TransferReason, TransferState
from .models import Transfer

S = TransferState

# The levels of the approval path, from the top. An org's level comes from its type, or from the area it is
# located in for a community's own org; other orgs (units' committees, branches) have none.
LEVELS = ("city", "district", "subdistrict", "community")
_TYPE_LEVELS: dict[str, str] = {
    OrgType.CITY_COMMITTEE: "city",
    OrgType.DISTRICT_COMMITTEE: "district",
    OrgType.SUBDISTRICT_COMMITTEE: "subdistrict",
    OrgType.SUBDISTRICT_PARTY_COMMITTEE: "subdistrict",
}
# Orgs that are levels of the administration, not places a membership is held; nor a 党小组 (its members' membership
# is held by its branch, which places them in a group itself).
NOT_RECEIVING = {*_TYPE_LEVELS, OrgType.GROUP}
# The value of `transfer.approval_level` for "the 基层党委 with the authority on each side" (rules.md 6.3)
AUTHORITY = "authority"


class Conflict(core_services.Conflict):
    """Someone else changed the case first; nothing was written (409 in the API)."""

    default_message = gettext_lazy("This case has already been handled by someone else. Reload it to see its state.")


class OutOfScope(Http404):
    """The user may not see or act on this (answers 404, like every out-of-scope object)."""


# ---------------------------------------------------------------------------------------------------------------
# The approval path


def _levels(chain: list[Org]) -> list[str | None]:
    """The level of each org of `chain` (root first): by type for the administration's committees; "community"
    for the first org located in a community (its branches, located there too, have no level)."""

    levels, community_seen = [], False
    for org in chain:
        level = _TYPE_LEVELS.get(org.type)
        area = org.area if org.area_id else None
        if level is None and not community_seen and area is not None and area.type == AreaType.COMMUNITY:
            level, community_seen = "community", True
        levels.append(level)
    return levels


def _chain(org: Org) -> list[Org]:
    """`org` and its ancestors, the root first (one query)."""
    paths = [org.path[:i] for i in range(Org.steplen, len(org.path) + 1, Org.steplen)]
    return list(Org.objects.filter(path__in=paths).select_related("area").order_by("path"))


def _path_level(chain: list[Org]) -> str:
    """The level of the deepest org of `chain` that has one ("city" if none has)."""
    return next((level for level in reversed(_levels(chain)) if level), "city")


def _approver_at(chain: list[Org], level: str) -> Org:
    """The deepest org of `chain` at `level` or above it (the root if none is)."""
    rank = LEVELS.index(level)
    for org, own in reversed(list(zip(chain, _levels(chain), strict=True))):
        if own is not None and LEVELS.index(own) <= rank:
            return org
    return chain[0]


def _authority(chain: list[Org]) -> Org:
    """The deepest org of `chain` (root first) with the authority to approve probationary members — the org itself
    when it has it (`Org.approves_members`). A line where no org has it was written around `Org.save()` (a bulk
    load): the defaults by type and place decide then, and the root if still none."""
    marked = next((org for org in reversed(chain) if org.approves_members), None)
    if marked is not None:
        return marked
    types = [org.type for org in chain]
    by_default = (org for i, org in reversed(list(enumerate(chain))) if default_approves_members(org.type, types[:i]))
    return next(by_default, chain[0])


def approvers(from_org: Org | None, to_org: Org | None, on: datetime.date) -> tuple[Org | None, Org | None]:
    """(sending side's approving org, receiving side's accepting org) for a move between the two orgs (None: the
    org is outside this deployment). `transfer.approval_level` maps where the two orgs' common ancestor sits
    (community, subdistrict, district, city; "outside" for an org outside this deployment) to AUTHORITY — the
    nearest 基层党委 with the authority on each side (rules.md 6.3, the national row) — or to a level of the
    administration that handles both sides (a local variant's escalation)."""
    path = param("transfer.approval_level", on, default=None) or {}  # no version in force: the national rule
    from_chain = _chain(from_org) if from_org else []
    to_chain = _chain(to_org) if to_org else []
    if from_chain and to_chain:
        common = [a for a, b in zip(from_chain, to_chain, strict=False) if a.pk == b.pk]
        key = _path_level(common) if common else "city"
    else:
        key = "outside"
    level = path.get(key, AUTHORITY)
    if level not in LEVELS:
        level = AUTHORITY

    def pick(chain: list[Org]) -> Org | None:
        if not chain:
            return None
        return _authority(chain) if level == AUTHORITY else _approver_at(chain, level)

    return pick(from_chain), pick(to_chain)


# ---------------------------------------------------------------------------------------------------------------
# Who may act


def may_act(user, org: Org | None, action: str = "change") -> bool:
    """Whether `user` may `action` on `org` (a list asks it for every row)."""
    if org is None:
        return False
    if user is None or not hasattr(user, "__dict__"):
        return Org.objects.restrict(user, action).filter(pk=org.pk).exists()
    if is_unrestricted(user):
        return True
    # the org scope of `action`, decided from the user's anchors (read once per user) without a query per org:
    # the same rule as Org.objects.restrict() (an org is scoped by itself: the anchor, or its subtree)
    return any(
        org.path.startswith(anchor.path) if descendants else org.pk == anchor.pk
        for anchor, descendants in anchors(user, action)
    )


def _require(user, *orgs: Org | None) -> None:
    """The actor must be able to change one of `orgs`; otherwise the case is not theirs to act on."""
    if user is None:
        return  # system jobs (the daily expiry) act without a user
    if not any(may_act(user, o) for o in orgs if o is not None):
        raise OutOfScope(_("You cannot act on this case at this step."))


def acting_side(case: Transfer, user) -> dict[str, bool]:
    """Which steps `user` may take on `case` now (for the page's buttons and the API's `actions`)."""
    s = case.state
    sender = may_act(user, case.from_org)
    sending_approver = may_act(user, case.sending_approver)
    receiving_approver = may_act(user, case.receiving_approver)
    receiver = may_act(user, case.to_org)
    outgoing, incoming = case.direction == Direction.OUTGOING, case.direction == Direction.INCOMING
    starter = receiver if incoming else sender
    return {
        "submit": s in (S.DRAFT, S.RETURNED, S.EXPIRED) and sender and not incoming,
        "approve": s == S.SUBMITTED and sending_approver,
        "return": (s == S.SUBMITTED and sending_approver)
        or (s == S.APPROVED and (receiving_approver if not outgoing else sending_approver))
        or (s == S.RECEIVED and receiver),
        "accept": s == S.APPROVED and not outgoing and receiving_approver,
        "complete": (s == S.RECEIVED and receiver) or (s == S.APPROVED and outgoing and (sender or sending_approver)),
        "cancel": s in (S.DRAFT, S.SUBMITTED, S.RETURNED, S.EXPIRED) and starter,
    }


# ---------------------------------------------------------------------------------------------------------------
# Due dates


def due_date(case: Transfer) -> datetime.date | None:
    """When the current step should be done: the letter's validity while it waits for the receiving side;
    otherwise `transfer.step_days` after the step began."""
    if case.state == S.APPROVED and case.valid_until:
        return case.valid_until
    if case.state in (S.SUBMITTED, S.RECEIVED, S.RETURNED, S.EXPIRED) and case.state_changed_on:
        return case.state_changed_on + datetime.timedelta(days=param("transfer.step_days", case.state_changed_on))
    return None


def is_overdue(case: Transfer, on: datetime.date | None = None) -> bool:
    due = due_date(case)
    return due is not None and (on or dates.today()) > due


def waiting_on(case: Transfer) -> Org | None:
    """The org whose staff must act next (None when nobody must, or when it is outside this deployment)."""
    next_org: dict[str, Org | None] = {
        S.DRAFT: case.from_org,
        S.SUBMITTED: case.sending_approver,
        S.APPROVED: case.sending_approver if case.direction == Direction.OUTGOING else case.receiving_approver,
        S.RECEIVED: case.to_org,
        S.RETURNED: case.to_org if case.direction == Direction.INCOMING else case.from_org,
        S.EXPIRED: case.from_org,
    }
    return next_org.get(case.state)


# ---------------------------------------------------------------------------------------------------------------
# Creating a case


def _receiving_org_errors(member: Member, to_org: Org | None, external_org_name: str) -> dict:
    errors: dict[str, list[str]] = {}
    if to_org is None and not external_org_name.strip():
        errors["to_org"] = [_("Choose the receiving organization, or name the organization outside this system.")]
    elif to_org is not None and external_org_name.strip():
        errors["external_org_name"] = [_("Choose a receiving organization here or name one outside, not both.")]
    elif to_org is not None and to_org.pk == member.org_id:
        errors["to_org"] = [_("The member already belongs to this organization: choose another one.")]
    elif to_org is not None and to_org.type in NOT_RECEIVING:
        errors["to_org"] = [_("A membership is held by a party committee or branch, not by %(org)s.") % {"org": to_org}]
    return errors


@transaction.atomic
def do_create_transfer(
    *,
    acting_user,
    member: Member,
    reason: str,
    to_org: Org | None = None,
    external_org_name: str = "",
    external_org_contact: str = "",
    note: str = "",
) -> Transfer:
    """A draft case for a member of the actor's scope (404 otherwise)."""
    if acting_user is not None and not Member.objects.restrict(acting_user, "change").filter(pk=member.pk).exists():
        raise OutOfScope(_("No such member in your scope."))
    member = Member.objects.select_for_update().get(pk=member.pk)  # one open case per member, even at once
    errors = _receiving_org_errors(member, to_org, external_org_name)
    if reason not in TransferReason.values:
        errors["reason"] = [_("Choose a reason for the transfer.")]
    if member.standing != Standing.ACTIVE:
        errors["member"] = [_("Only a member in good standing can be transferred.")]
    if Transfer.objects.filter(member=member, state__in=OPEN_STATES).exists():
        errors["member"] = [_("This member already has an open transfer case: finish or cancel it first.")]
    if errors:
        raise ValidationError(errors)
    case = Transfer(
        direction=Direction.INTERNAL if to_org is not None else Direction.OUTGOING,
        member=member,
        person_name=member.name,
        from_org=member.org,
        to_org=to_org,
        external_org_name="" if to_org else external_org_name.strip(),
        external_org_contact="" if to_org else external_org_contact.strip(),
        reason=reason,
        note=note.strip(),
        state_changed_on=dates.today(),
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    save_checked(case, acting_user=acting_user, action=None)  # who may act: checked above
    return case


@transaction.atomic
def do_update_draft(case: Transfer, *, acting_user, version: int, **data) -> Transfer:
    """Change the receiving side, reason or note of a case the sending org still holds."""
    case = _locked(case, version, (S.DRAFT, S.RETURNED, S.EXPIRED))
    _require(acting_user, case.from_org)
    if case.direction == Direction.INCOMING:
        raise ValidationError(_("A case from outside this system cannot be edited here."))
    to_org = data.get("to_org", case.to_org)
    external = data.get("external_org_name", case.external_org_name) or ""
    assert case.member is not None  # only an incoming case has no member, refused above
    errors = _receiving_org_errors(case.member, to_org, external)
    if errors:
        raise ValidationError(errors)
    case.to_org = to_org
    case.direction = Direction.INTERNAL if to_org is not None else Direction.OUTGOING
    case.external_org_name = "" if to_org else external.strip()
    case.external_org_contact = "" if to_org else (data.get("external_org_contact", case.external_org_contact) or "")
    for field in ("reason", "note"):
        if field in data:
            setattr(case, field, data[field])
    return _step(case, acting_user)


@transaction.atomic
def do_create_incoming(
    *,
    acting_user,
    to_org: Org,
    details: dict,
    letter_number: str,
    issued_on: datetime.date,
    valid_until: datetime.date,
    external_org_name: str,
    external_org_contact: str = "",
    external_deployment: str = "",
    reason: str = TransferReason.OTHER,
    note: str = "",
) -> Transfer:
    """A case coming from an org outside this deployment (a paper letter entered by hand, or an imported
    package): it starts approved — the letter was issued there — and waits for this side to accept it."""
    _require(acting_user, to_org)
    errors: dict[str, list[str]] = {}
    if to_org.type in NOT_RECEIVING:
        errors["to_org"] = [_("A membership is held by a party committee or branch, not by %(org)s.") % {"org": to_org}]
    if not letter_number.strip():
        errors["letter_number"] = [_("Enter the number of the letter of introduction.")]
    if valid_until < issued_on:
        errors["valid_until"] = [_("The letter cannot expire before it was issued.")]
    if not external_org_name.strip():
        errors["external_org_name"] = [_("Name the sending organization.")]
    index = Member.index_of_id_number(details.get("id_number", ""))
    if Member.objects.filter(id_number_index=index, standing=Standing.ACTIVE).exists():
        errors["id_number"] = [_("A member with this ID number is already on the roll here.")]
    if errors:
        raise ValidationError(errors)
    receiving = approvers(None, to_org, issued_on)[1]
    case = Transfer(
        direction=Direction.INCOMING,
        state=S.APPROVED,
        person_name=details.get("name", ""),
        incoming_details=json.dumps(details, ensure_ascii=False, sort_keys=True),
        to_org=to_org,
        receiving_approver=receiving,
        external_org_name=external_org_name.strip(),
        external_org_contact=external_org_contact.strip(),
        external_deployment=external_deployment,
        reason=reason,
        note=note,
        letter_number=letter_number.strip(),
        approved_on=issued_on,
        valid_until=valid_until,
        submitted_on=dates.today(),
        state_changed_on=dates.today(),
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    save_checked(case, acting_user=acting_user, action=None)  # who may act: checked above
    _notify_next(case, acting_user)
    return case


# ---------------------------------------------------------------------------------------------------------------
# State changes


def _locked(case: Transfer, version: int | None, states) -> Transfer:
    """The case re-read under a row lock; a conflict when it is no longer in `states` or no longer at `version`
    (the version the actor's page or API call showed)."""
    try:
        fresh = (
            Transfer.objects.select_for_update(of=("self",))
            .select_related("from_org", "to_org", "member")
            .get(pk=case.pk)
        )
    except Transfer.DoesNotExist:
        raise Conflict() from None
    if fresh.state not in states or (version is not None and fresh.version != int(version)):
        raise Conflict()
    return fresh


def _step(case: Transfer, acting_user) -> Transfer:
    """Write a step of the workflow: the version moves on (an actor holding the old one gets `Conflict`). Who may
    act was checked by the step itself (`_require`), and both sides keep seeing the case: no scope re-read."""
    return do_update(case, acting_user=acting_user, data={"version": case.version + 1}, clean=False, action=None)


def _notify_next(case: Transfer, acting_user) -> None:
    org = waiting_on(case)
    text = _("Transfer of %(name)s (%(from)s → %(to)s): %(state)s. It is waiting for you.") % {
        "name": case.person_name,
        "from": case.from_name,
        "to": case.to_name,
        "state": case.get_state_display(),
    }
    notify_org(org, text, case.get_absolute_url(), exclude=acting_user)


def _notify_done(case: Transfer, acting_user, org: Org | None) -> None:
    text = _("Transfer of %(name)s (%(from)s → %(to)s): %(state)s.") % {
        "name": case.person_name,
        "from": case.from_name,
        "to": case.to_name,
        "state": case.get_state_display(),
    }
    notify_org(org, text, case.get_absolute_url(), exclude=acting_user)


@transaction.atomic
def do_submit(case: Transfer, *, acting_user, version: int | None = None) -> Transfer:
    case = _locked(case, version, (S.DRAFT, S.RETURNED, S.EXPIRED))
    if case.direction == Direction.INCOMING:
        raise ValidationError(_("A case from outside this system is not submitted here."))
    _require(acting_user, case.from_org)
    assert case.member is not None  # only an incoming case has no member, refused above
    if case.member.org_id != case.from_org_id or case.member.standing != Standing.ACTIVE:
        raise ValidationError(_("The member no longer belongs to the sending organization."))
    on = dates.today()
    case.sending_approver, case.receiving_approver = approvers(case.from_org, case.to_org, on)
    case.state, case.state_changed_on, case.submitted_on = S.SUBMITTED, on, on
    # a resubmitted case needs a new letter
    case.letter_number, case.approved_on, case.valid_until = "", None, None
    case.returned_by, case.return_reason = "", ""
    _step(case, acting_user)
    _notify_next(case, acting_user)
    return case


def _letter_number(case: Transfer, on: datetime.date) -> str:
    """Unique by construction (the case's id), so two approvals at once never draw the same number."""
    prefix = getattr(settings, "SQDJ_DEPLOYMENT_ID", "sqdj").upper()
    return f"{prefix}-{on.year}-{case.pk:06d}"


@transaction.atomic
def do_approve(case: Transfer, *, acting_user, version: int | None = None) -> Transfer:
    """The sending side approves: the letter of introduction is issued, valid for the rulebook's months."""
    case = _locked(case, version, (S.SUBMITTED,))
    _require(acting_user, case.sending_approver)
    on = dates.today()
    case.state, case.state_changed_on, case.approved_on = S.APPROVED, on, on
    case.valid_until = add_months(on, param("transfer.letter_validity_months", on))
    case.letter_number = _letter_number(case, on)
    _step(case, acting_user)
    _notify_next(case, acting_user)
    _notify_done(case, acting_user, case.from_org)
    return case


@transaction.atomic
def do_return(case: Transfer, *, acting_user, reason: str, version: int | None = None) -> Transfer:
    """退回: the sending approver returns a submitted case, the receiving side a letter it will not accept (or a
    member who did not report). A reason is required; the sending org then corrects and resubmits, or cancels."""
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for returning the case.")]})
    case = _locked(case, version, (S.SUBMITTED, S.APPROVED, S.RECEIVED))
    if case.state == S.SUBMITTED:
        _require(acting_user, case.sending_approver)
        side = Side.SENDING
    elif case.state == S.APPROVED and case.direction == Direction.OUTGOING:
        _require(acting_user, case.sending_approver, case.from_org)
        side = Side.RECEIVING  # the outside org sent the letter back
    elif case.state == S.APPROVED:
        _require(acting_user, case.receiving_approver)
        side = Side.RECEIVING
    else:
        _require(acting_user, case.to_org, case.receiving_approver)
        side = Side.RECEIVING
    on = dates.today()
    case.state, case.state_changed_on = S.RETURNED, on
    case.returned_by, case.return_reason = side, reason.strip()
    _step(case, acting_user)
    _notify_next(case, acting_user)
    return case


@transaction.atomic
def do_accept(case: Transfer, *, acting_user, version: int | None = None, on: datetime.date | None = None) -> Transfer:
    """The receiving side accepts the letter — only while it is valid. Until then the sending org keeps
    responsibility for the member (rules.md §6.3); the member moves only at completion."""
    case = _locked(case, version, (S.APPROVED,))
    if case.direction == Direction.OUTGOING:
        raise ValidationError(_("The receiving organization is outside this system: record its receipt instead."))
    _require(acting_user, case.receiving_approver)
    on = on or dates.today()
    if case.valid_until and on > case.valid_until:
        raise ValidationError(
            _(
                "The letter of introduction expired on %(date)s and can no longer be accepted. The sending "
                "organization must issue a new one."
            )
            % {"date": case.valid_until.isoformat()}
        )
    case.state, case.state_changed_on, case.accepted_on = S.RECEIVED, on, on
    _step(case, acting_user)
    _notify_next(case, acting_user)
    _notify_done(case, acting_user, case.from_org)
    return case


@transaction.atomic
def do_complete(case: Transfer, *, acting_user, version: int | None = None) -> Transfer:
    """The member reported to the receiving org (or the outside org's receipt came back): the membership moves,
    through the members' one service, and the receipt (回执) can be printed."""
    if case.direction == Direction.OUTGOING:
        case = _locked(case, version, (S.APPROVED,))
        _require(acting_user, case.from_org, case.sending_approver)
    else:
        case = _locked(case, version, (S.RECEIVED,))
        _require(acting_user, case.to_org)
    on = dates.today()
    note = _("Transfer letter %(number)s") % {"number": case.letter_number}
    if case.direction == Direction.INCOMING:
        details = json.loads(case.incoming_details or "{}")
        data = _member_data(details)
        data["org"] = case.to_org
        try:
            case.member = do_receive_member(acting_user=acting_user, date=on, note=note, **data)
        except ValidationError as exc:
            raise ValidationError(
                _("The member's details in the letter are not valid here: %(errors)s")
                % {"errors": "；".join(exc.messages)}
            ) from exc
    else:
        member = Member.objects.select_for_update().get(pk=cast(int, case.member_id))  # an outgoing case has one
        if member.org_id != case.from_org_id or member.standing != Standing.ACTIVE:
            raise ValidationError(_("The member no longer belongs to the sending organization."))
        do_transfer_member(member, to_org=case.to_org, date=on, acting_user=acting_user, note=note)
    case.state, case.state_changed_on, case.completed_on = S.COMPLETED, on, on
    _step(case, acting_user)
    _notify_done(case, acting_user, case.from_org)
    _notify_done(case, acting_user, case.to_org)
    return case


def _member_data(details: dict) -> dict:
    """The member fields of an incoming case's details (the exchange package's member object)."""
    data = {k: details.get(k) for k in FIELDS if k not in ("org", "home_area")}
    data["category"] = details.get("category")  # a letter without a work status: do_receive_member reads this
    for k in ("birth_date", "joined_on", "confirmed_on"):
        if data.get(k):
            data[k] = datetime.date.fromisoformat(str(data[k]))
    data["home_area"] = None
    return data


@transaction.atomic
def do_cancel(case: Transfer, *, acting_user, reason: str, version: int | None = None) -> Transfer:
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for cancelling the case.")]})
    case = _locked(case, version, (S.DRAFT, S.SUBMITTED, S.RETURNED, S.EXPIRED))
    _require(acting_user, case.to_org if case.direction == Direction.INCOMING else case.from_org)
    case.state, case.state_changed_on, case.cancel_reason = S.CANCELLED, dates.today(), reason.strip()
    _step(case, acting_user)
    if case.sending_approver_id:
        _notify_done(case, acting_user, case.sending_approver)
    return case


def expire_letters(on: datetime.date | None = None) -> list[Transfer]:
    """Cases whose letter ran out before the receiving side accepted it become expired (the daily job). Each in
    its own transaction and under the same lock, so that an acceptance at the same moment wins or loses cleanly."""
    on = on or dates.today()
    done = []
    for pk in Transfer.objects.filter(state=S.APPROVED, valid_until__lt=on).values_list("pk", flat=True):
        with transaction.atomic():
            try:
                case = _locked(Transfer(pk=pk), None, (S.APPROVED,))
            except Conflict:
                continue
            if case.valid_until is None or case.valid_until >= on:
                continue
            case.state, case.state_changed_on = S.EXPIRED, on
            _step(case, None)
            _notify_next(case, None)
            done.append(case)
    return done


def open_cases(user, org: Org | None = None):
    """Open cases the user may see (`EVERYTHING`: the operator at the shell) — of `org`'s subtree, on either side,
    when given — oldest step first."""
    qs = visible(Transfer.objects.all(), user).filter(state__in=OPEN_STATES)
    if org is not None:
        qs = qs.filter(Q(from_org__path__startswith=org.path) | Q(to_org__path__startswith=org.path))
    return qs.select_related("from_org", "to_org", "sending_approver", "receiving_approver").order_by(
        "state_changed_on", "pk"
    )


def cases_waiting_for(user, on: datetime.date | None = None) -> list[tuple[Transfer, bool]]:
    """(case, overdue) for the open cases whose next step is the user's."""
    found = []
    for case in open_cases(user):
        org = waiting_on(case)
        if org is not None and may_act(user, org):
            found.append((case, is_overdue(case, on)))
    return found


def waiting_for(user, on: datetime.date | None = None) -> tuple[int, int]:
    """(open cases whose next step is the user's, how many of them are overdue) — the workbench's to-do count.
    Cases are read once; who may act on an org is remembered per org (`may_act`)."""
    mine = overdue = 0
    for case in open_cases(user):
        org = waiting_on(case)
        if org is not None and may_act(user, org):
            mine += 1
            overdue += is_overdue(case, on)
    return mine, overdue
