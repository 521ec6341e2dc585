"""Standing changes with their count-ledger rows (党员增加/减少) and the dated member states (留党察看, 停止党籍).

Every change is decided by a party organization; these services record it, they never decide. Each writes, in one
transaction: the member's standing, the ledger row on the member's org (kind, date, decision number and date) and,
for 停止党籍 and 留党察看, the dated state — or nothing, with the problems in Chinese by field.

The count of an org on a day is the sum of its ledger effects up to that day (stats.ledger), so every row must
follow the member's history: a date before joining or before the member's last count event is refused. A
suspended member is already off the count: their later death or 出党 (e.g. 按自行脱党除名 after two years) closes
the suspension (`MemberState.end_reason`) and writes no second decrease.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from sqdj.core import dates
from sqdj.core.dates import add_years
from sqdj.core.rules import param
from sqdj.core.services import do_create, do_update, ensure_in_scope

from .choices import EXIT_KINDS, EventKind, MemberType, RegistrationEnd, Standing, StateKind
from .models import Member, MembershipEvent, MemberState
from .services import _event, close_registration

# the standing each recorded end leaves
END_STANDING = {EventKind.DIED: Standing.DECEASED, **dict.fromkeys(EXIT_KINDS, Standing.REMOVED)}


def in_force_q(on: datetime.date, prefix: str = "") -> Q:
    """MemberState rows in force on `on` (`prefix` e.g. "states__" from Member)."""
    return Q(**{f"{prefix}starts_on__lte": on}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gt": on})
    )


def voters(queryset, on: datetime.date):
    """The members of `queryset` who may vote on `on` (选举工作条例 第五条, 党章 第七条, 处分条例): full members on the
    roll, not under 留党察看 and not suspended on that day."""
    barred = MemberState.objects.filter(in_force_q(on)).values("member_id")
    return queryset.filter(
        standing=Standing.ACTIVE, member_type=MemberType.FULL, confirmed_on__lte=on, joined_on__lte=on
    ).exclude(pk__in=barred)


def open_suspension(member: Member) -> MemberState | None:
    return (
        MemberState.objects.filter(member=member, kind=StateKind.SUSPENDED, ends_on__isnull=True)
        .order_by("-starts_on", "-pk")
        .first()
    )


def _validate_dates(member: Member, date, decision_date, *, field: str = "date") -> dict:
    """The problems of a recorded change's dates (by field), in the user's language."""
    errors: dict[str, list] = {}
    today = dates.today()
    if date is None:
        errors[field] = [_("This field is required.")]
        return errors
    if date > today:
        errors.setdefault(field, []).append(_("Cannot be in the future."))
    if date < member.joined_on:
        errors.setdefault(field, []).append(
            _("Cannot be before the member joined the party (%(date)s).") % {"date": member.joined_on.isoformat()}
        )
    last = (
        MembershipEvent.objects.filter(member=member)
        .exclude(kind=EventKind.CONFIRMED)
        .aggregate(last=Max("date"))["last"]
    )
    if last is not None and date < last and date >= member.joined_on:
        errors.setdefault(field, []).append(
            _("Cannot be before the member's last recorded increase or decrease (%(date)s).")
            % {"date": last.isoformat()}
        )
    if decision_date is not None and decision_date > today:
        errors.setdefault("decision_date", []).append(_("Cannot be in the future."))
    return errors


def _raise(errors: dict):
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_suspend(member: Member, *, acting_user, date, decision_number="", decision_date=None, note="") -> MemberState:
    """停止党籍 from `date`: standing suspended, a ledger decrease, and the open suspension (its two-year clock)."""
    ensure_in_scope(member, acting_user, "change")
    member = Member.objects.select_for_update().get(pk=member.pk)
    errors = _validate_dates(member, date, decision_date)
    if member.standing != Standing.ACTIVE:
        errors.setdefault("member", []).append(_("Only a member in good standing can be suspended."))
    _raise(errors)
    do_update(member, acting_user=acting_user, data={"standing": Standing.SUSPENDED}, clean=False)
    decision = {"decision_number": decision_number, "decision_date": decision_date}
    _event(member, EventKind.SUSPENDED, date, acting_user=acting_user, org=member.org, note=note, **decision)
    data = {"member": member, "kind": StateKind.SUSPENDED, "starts_on": date, "note": note or "",
            "decision_number": decision_number or "", "decision_date": decision_date}  # fmt: skip
    return do_create(MemberState, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


@transaction.atomic
def do_restore(member: Member, *, acting_user, date, decision_number="", decision_date=None, note="") -> Member:
    """恢复党籍 on `date`: the suspension ends, standing active again, a ledger increase."""
    ensure_in_scope(member, acting_user, "change")
    member = Member.objects.select_for_update().get(pk=member.pk)
    errors = _validate_dates(member, date, decision_date)
    suspension = open_suspension(member)
    if member.standing != Standing.SUSPENDED or suspension is None:
        errors.setdefault("member", []).append(_("Only a suspended member can have the membership restored."))
    elif date is not None and date < suspension.starts_on:
        errors.setdefault("date", []).append(
            _("Cannot be before the suspension (%(date)s).") % {"date": suspension.starts_on.isoformat()}
        )
    _raise(errors)
    do_update(suspension, acting_user=acting_user, data={"ends_on": date, "end_reason": EventKind.RESTORED},
              clean=False, action=None)  # fmt: skip
    do_update(member, acting_user=acting_user, data={"standing": Standing.ACTIVE}, clean=False)
    _event(member, EventKind.RESTORED, date, acting_user=acting_user, org=member.org, note=note,
           decision_number=decision_number, decision_date=decision_date)  # fmt: skip
    return member


@transaction.atomic
def do_end_membership(
    member: Member, *, acting_user, kind, date, decision_number="", decision_date=None, note=""
) -> Member:
    """死亡 or 出党 (退党, 劝退, 除名, 开除党籍, 自行脱党) on `date`: a ledger decrease for a member on the roll; for a
    suspended member (already off the count) the suspension is closed instead."""
    ensure_in_scope(member, acting_user, "change")
    member = Member.objects.select_for_update().get(pk=member.pk)
    errors = _validate_dates(member, date, decision_date)
    if kind not in END_STANDING:
        errors.setdefault("kind", []).append(_("Choose death or one of the ways out of the party."))
    if kind == EventKind.PERSUADED_OUT and member.member_type == MemberType.PROBATIONARY:
        # 党章 第九条 applies to full members; a probationary member's probation is extended or cancelled
        errors.setdefault("kind", []).append(_("A probationary member cannot be persuaded to leave the party."))
    suspension = open_suspension(member) if member.standing == Standing.SUSPENDED else None
    if member.standing not in (Standing.ACTIVE, Standing.SUSPENDED):
        errors.setdefault("member", []).append(_("This member is no longer on the roll."))
    elif suspension is not None and date is not None and date < suspension.starts_on:
        errors.setdefault("date", []).append(
            _("Cannot be before the suspension (%(date)s).") % {"date": suspension.starts_on.isoformat()}
        )
    _raise(errors)
    decision = {"decision_number": decision_number, "decision_date": decision_date}
    if member.standing == Standing.SUSPENDED and suspension is not None:
        do_update(suspension, acting_user=acting_user, data={"ends_on": date, "end_reason": kind}, clean=False,
                  action=None)  # fmt: skip
    else:
        _event(member, kind, date, acting_user=acting_user, org=member.org, note=note, **decision)
    do_update(member, acting_user=acting_user, data={"standing": END_STANDING[kind]}, clean=False)
    # off the roll: a community registration ends with it (why: the ledger's word for the event)
    close_registration(member, day=date, reason=RegistrationEnd.OTHER, acting_user=acting_user,
                       note=str(EventKind(kind).label))  # fmt: skip
    return member


@transaction.atomic
def do_probation_discipline(
    member: Member, *, acting_user, starts_on, years: int, decision_number="", decision_date=None, note=""
) -> MemberState:
    """留党察看 for one or two years from `starts_on`: no right to vote, elect or be elected meanwhile. A dated
    state; the count does not change."""
    ensure_in_scope(member, acting_user, "change")
    member = Member.objects.select_for_update().get(pk=member.pk)
    errors: dict[str, list] = {}
    if starts_on is None:
        errors["starts_on"] = [_("This field is required.")]
    else:
        if starts_on > dates.today():
            errors.setdefault("starts_on", []).append(_("Cannot be in the future."))
        if starts_on < member.joined_on:
            errors.setdefault("starts_on", []).append(
                _("Cannot be before the member joined the party (%(date)s).") % {"date": member.joined_on.isoformat()}
            )
    if decision_date is not None and decision_date > dates.today():
        errors.setdefault("decision_date", []).append(_("Cannot be in the future."))
    longest = param("member.probation_discipline_max_years", starts_on or dates.today(), default=None)
    if not isinstance(years, int) or years < 1 or (longest is not None and years > longest):
        errors.setdefault("years", []).append(
            _("Probation within the party lasts one year or two (at most %(years)s).") % {"years": longest or "—"}
        )
    if member.standing != Standing.ACTIVE:
        errors.setdefault("member", []).append(_("Only a member in good standing can be put on probation."))
    elif (
        starts_on is not None
        and MemberState.objects.filter(
            in_force_q(starts_on), member=member, kind=StateKind.PROBATION_DISCIPLINE
        ).exists()
    ):
        errors.setdefault("starts_on", []).append(_("The member is already on probation within the party then."))
    _raise(errors)
    data = {"member": member, "kind": StateKind.PROBATION_DISCIPLINE, "starts_on": starts_on,
            "ends_on": add_years(starts_on, years), "decision_number": decision_number or "",
            "decision_date": decision_date, "note": note or ""}  # fmt: skip
    return do_create(MemberState, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


__all__ = [
    "do_suspend",
    "do_restore",
    "do_end_membership",
    "do_probation_discipline",
    "voters",
    "in_force_q",
    "open_suspension",
]
