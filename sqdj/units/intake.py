"""Registration-authority lists and instructors (issue 15 items 3 and 4): the services behind the `unit-changes`
import, the authority entries' pages, the end of a unit, and the 党建工作指导员 / 联络员 with their visits.

Every write is a `do_*` function: one transaction, change-log rows (ChangeLoggedModel under `acting_as`), the
object re-read through the scope gate. Deadlines come from the rulebook (`unit.intake_days`,
`unit.visit_interval_days`), never from literals."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from sqdj.core import dates
from sqdj.core.rules import param
from sqdj.core.services import do_create, do_update, ensure_in_scope
from sqdj.members.models import Member
from sqdj.members.validation import LANDLINE, MOBILE

from .choices import ENDED_STATUSES, ChangeKind, IntakeStatus, UnitStatus
from .models import AuthorityEntry, CouncilMember, Instructor, Unit, UnitContact, Visit
from .services import do_create_unit, do_end_contact

INSTRUCTOR_FIELDS = ("kind", "name", "member", "sent_by", "phone", "started_on")
VISIT_FIELDS = ("visited_on", "content", "next_step")


def _end_day(on: datetime.date, started_on: datetime.date) -> datetime.date:
    """An assignment that started after the unit's end closes on its first day (its dates must stay in order)."""
    return max(on, started_on)


# ---- the end of a unit ------------------------------------------------------------------------------------------


@transaction.atomic
def do_end_unit(unit: Unit, *, status: str, on: datetime.date, reason: str, acting_user) -> Unit:
    """The unit is deregistered, revoked or has moved out: its status and end date are set; its open instructors,
    liaison accounts and council seats end that day. Nothing is deleted (the history stays); its party org stays
    linked, for the coverage part's check to flag it for handling."""
    ensure_in_scope(unit, acting_user, "change")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)  # two ends of one unit: one wins, one is told
    errors: dict[str, list[str]] = {}
    if status not in ENDED_STATUSES:
        errors["status"] = [_("Choose deregistered, business licence revoked or moved out of the area.")]
    if unit.status in ENDED_STATUSES:
        errors.setdefault("status", []).append(_("This unit has already ended."))
    if on is None:
        errors["ended_on"] = [_("This field is required.")]
    elif on > dates.today():
        errors["ended_on"] = [_("The date cannot be in the future.")]
    elif unit.registered_on and on < unit.registered_on:
        errors["ended_on"] = [_("The unit cannot end before it was registered.")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the unit ends.")]
    if errors:
        raise ValidationError(errors)
    for instructor in Instructor.objects.filter(unit=unit, ended_on__isnull=True):
        do_update(instructor, acting_user=acting_user, action=None,
                  data={"ended_on": _end_day(on, instructor.started_on), "end_reason": reason[:200]})  # fmt: skip
    for contact in UnitContact.objects.filter(unit=unit, ended_on__isnull=True).select_related("user"):
        do_end_contact(contact, acting_user=acting_user, ended_on=_end_day(on, contact.started_on))
    for seat in CouncilMember.objects.filter(unit=unit, ended_on__isnull=True):
        # the council may be convened above the user's scope: the unit's change right decided it
        do_update(seat, acting_user=acting_user, action=None, data={"ended_on": _end_day(on, seat.started_on)})
    return do_update(unit, acting_user=acting_user, data={"status": status, "ended_on": on})


# ---- authority lists (双向联系) ------------------------------------------------------------------------------------


def intake_due(changed_on: datetime.date) -> datetime.date:
    """The day by which a newly registered unit must have been contacted (`unit.intake_days` after the change)."""
    return changed_on + datetime.timedelta(days=int(param("unit.intake_days", changed_on)))


@transaction.atomic
def do_record_entry(*, acting_user, authority, kind, credit_code, name, changed_on, area, category="", address="",
                    today: datetime.date | None = None) -> tuple[AuthorityEntry, str]:  # fmt: skip
    """One line of an authority list: (the entry, "created" | "updated" | "unchanged"). The same code, change and
    date again is the same entry (its list fields updated if the authority corrected them; its status stays). A new
    设立 line creates the unit when the code is unknown and waits as 待对接 until `intake_due`; a new 注销 line ends
    the unit (do_end_unit) and is closed. The caller (the importer) has checked the codes and the scope."""
    entry = (
        AuthorityEntry.objects.select_for_update()
        .filter(credit_code=credit_code, kind=kind, changed_on=changed_on)
        .first()
    )
    listed = {"authority": authority, "name": name, "area": area, "category": category, "address": address}
    if entry is not None:
        ensure_in_scope(entry, acting_user, "view")
        if all(getattr(entry, f) == v for f, v in listed.items()):
            return entry, "unchanged"
        return do_update(entry, acting_user=acting_user, data=listed), "updated"
    unit = Unit.objects.filter(credit_code=credit_code).first()
    data = {**listed, "kind": kind, "credit_code": credit_code, "changed_on": changed_on, "unit": unit}
    if kind == ChangeKind.REGISTERED:
        if unit is None:
            unit = do_create_unit(
                acting_user=acting_user,
                name=name,
                credit_code=credit_code,
                category=category,
                area=area,
                employees=0,  # until someone fills them in
                party_members=0,
                status=UnitStatus.OPERATING,
                registered_on=changed_on,
                address=address,
            )
        data.update(unit=unit, status=IntakeStatus.PENDING, due_on=intake_due(changed_on))
    else:
        if unit is not None and unit.status not in ENDED_STATUSES:
            do_end_unit(unit, status=UnitStatus.DEREGISTERED, on=min(changed_on, today or dates.today()),
                        reason=_("Deregistered (registration authority list)"), acting_user=acting_user)  # fmt: skip
        data.update(status=IntakeStatus.CLOSED, due_on=None)
    return do_create(AuthorityEntry, acting_user=acting_user, data=data), "created"


@transaction.atomic
def do_mark_contacted(entry: AuthorityEntry, *, on: datetime.date, note: str, acting_user) -> AuthorityEntry:
    """待对接 → 已对接: the subdistrict has made contact with the newly registered unit."""
    ensure_in_scope(entry, acting_user, "change")
    entry = AuthorityEntry.objects.select_for_update().get(pk=entry.pk)
    errors: dict[str, list[str]] = {}
    if entry.status != IntakeStatus.PENDING:
        raise ValidationError(_("Only an entry awaiting contact can be marked as contacted."))
    if on is None:
        errors["contacted_on"] = [_("This field is required.")]
    elif on > dates.today():
        errors["contacted_on"] = [_("The date cannot be in the future.")]
    elif on < entry.changed_on:
        errors["contacted_on"] = [_("Contact cannot be made before the unit was registered.")]
    if errors:
        raise ValidationError(errors)
    data = {"status": IntakeStatus.CONNECTED, "contacted_on": on, "note": (note or "").strip()}
    return do_update(entry, acting_user=acting_user, data=data)


def pending_q(on: datetime.date, *, overdue: bool) -> Q:
    """Entries awaiting contact past their due day (overdue) or not yet (`due_on` on `on` is not overdue)."""
    q = Q(status=IntakeStatus.PENDING)
    return q & (Q(due_on__lt=on) if overdue else (Q(due_on__gte=on) | Q(due_on__isnull=True)))


# ---- instructors and their visits -------------------------------------------------------------------------------


def _check_instructor(data: dict, unit: Unit, acting_user, instance: Instructor | None = None) -> None:
    errors: dict[str, list[str]] = {}
    member = data.get("member")
    if (
        member is not None
        and acting_user is not None
        and not Member.objects.restrict(acting_user, "view").filter(pk=member.pk).exists()
    ):
        errors["member"] = [_("Unknown party member, or outside your scope.")]
    if not (data.get("name") or "").strip():
        errors["name"] = [_("This field is required.")]
    phone = (data.get("phone") or "").strip()
    if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
        errors["phone"] = [_("Not a mainland phone number: 11 digits for a mobile (e.g. 13812345678) or an area code "
                             "and number (e.g. 022-12345678).")]  # fmt: skip
    started = data.get("started_on")
    if started is None:
        errors["started_on"] = [_("This field is required.")]
    elif started > dates.today():
        errors["started_on"] = [_("The date cannot be in the future.")]
    elif instance is None and unit.ended_on is not None and started > unit.ended_on:
        errors["started_on"] = [_("The unit has ended: no one can be assigned to it any more.")]
    elif instance is not None:
        first_visit = instance.visits.order_by("visited_on").values_list("visited_on", flat=True).first()
        if first_visit is not None and started > first_visit:
            errors["started_on"] = [_("A visit was recorded before this date.")]
        if instance.ended_on is not None and started > instance.ended_on:
            errors["started_on"] = [_("The assignment cannot end before it starts.")]
    if instance is None and unit.status in ENDED_STATUSES:
        errors.setdefault("unit", []).append(_("The unit has ended: no one can be assigned to it any more."))
    if errors:
        raise ValidationError(errors)


def _instructor_data(data: dict) -> dict:
    data = {k: v for k, v in data.items() if k in INSTRUCTOR_FIELDS}
    for f in ("name", "sent_by", "phone"):
        if f in data:
            data[f] = (data[f] or "").strip()
    member = data.get("member")
    if member is not None and not data.get("name"):
        data["name"] = member.name  # a member's name, when none is given
    return data


@transaction.atomic
def do_add_instructor(unit: Unit, *, acting_user, **data) -> Instructor:
    """Assign a 党建工作指导员 or 联络员 to the unit (工作覆盖 from that day)."""
    ensure_in_scope(unit, acting_user, "change")
    data = _instructor_data(data)
    data.setdefault("kind", Instructor._meta.get_field("kind").default)
    _check_instructor(data, unit, acting_user)
    return do_create(Instructor, acting_user=acting_user, data={**data, "unit": unit})


@transaction.atomic
def do_update_instructor(instructor: Instructor, *, acting_user, unit=None, **data) -> Instructor:
    ensure_in_scope(instructor, acting_user, "change")
    if unit is not None and unit.pk != instructor.unit_id:
        raise ValidationError({"unit": [_("An assignment cannot move to another unit: end it and assign anew.")]})
    data = _instructor_data(data)
    merged = {f: getattr(instructor, f) for f in INSTRUCTOR_FIELDS}
    merged.update(data)
    _check_instructor(merged, instructor.unit, acting_user, instance=instructor)
    return do_update(instructor, acting_user=acting_user, data=data)


@transaction.atomic
def do_end_instructor(instructor: Instructor, *, on: datetime.date, reason: str, acting_user) -> Instructor:
    ensure_in_scope(instructor, acting_user, "change")
    instructor = Instructor.objects.select_for_update().get(pk=instructor.pk)
    errors: dict[str, list[str]] = {}
    if instructor.ended_on is not None:
        raise ValidationError(_("This assignment has already ended."))
    if on is None:
        errors["ended_on"] = [_("This field is required.")]
    elif on > dates.today():
        errors["ended_on"] = [_("The date cannot be in the future.")]
    elif on < instructor.started_on:
        errors["ended_on"] = [_("The assignment cannot end before it starts.")]
    else:
        last = instructor.visits.aggregate(last=Max("visited_on"))["last"]
        if last is not None and on < last:
            errors["ended_on"] = [_("A visit was recorded after this date.")]
    if not (reason or "").strip():
        errors["end_reason"] = [_("Say why the assignment ends.")]
    if errors:
        raise ValidationError(errors)
    return do_update(instructor, acting_user=acting_user, data={"ended_on": on, "end_reason": reason.strip()})


def _check_visit(data: dict, instructor: Instructor) -> None:
    errors: dict[str, list[str]] = {}
    day = data.get("visited_on")
    if day is None:
        errors["visited_on"] = [_("This field is required.")]
    elif day > dates.today():
        errors["visited_on"] = [_("The date cannot be in the future.")]
    elif day < instructor.started_on or (instructor.ended_on is not None and day > instructor.ended_on):
        errors["visited_on"] = [_("The visit must fall within the assignment.")]
    if not (data.get("content") or "").strip():
        errors["content"] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_record_visit(instructor: Instructor, *, acting_user, **data) -> Visit:
    """A visit to the unit: the date, what was done, the next step."""
    ensure_in_scope(instructor, acting_user, "change")
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k in VISIT_FIELDS}
    data.setdefault("next_step", "")
    _check_visit(data, instructor)
    return do_create(Visit, acting_user=acting_user, data={**data, "instructor": instructor})


@transaction.atomic
def do_update_visit(visit: Visit, *, acting_user, instructor=None, **data) -> Visit:
    ensure_in_scope(visit, acting_user, "change")
    if instructor is not None and instructor.pk != visit.instructor_id:
        raise ValidationError({"instructor": [_("A visit cannot move to another assignment.")]})
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k in VISIT_FIELDS}
    merged = {f: getattr(visit, f) for f in VISIT_FIELDS}
    merged.update(data)
    _check_visit(merged, visit.instructor)
    return do_update(visit, acting_user=acting_user, data=data)


def visit_overdue_units(units, on: datetime.date | None = None):
    """Of `units` (a Unit queryset), those with an open instructor whose last visit — by any of its instructors —
    or, with none since, the latest start of an open assignment, is more than `unit.visit_interval_days` days
    before `on`. Annotated with `last_seen`; exactly that many days is not overdue yet."""
    on = on or dates.today()
    days = param("unit.visit_interval_days", on, default=None)
    if days is None:
        return units.none()
    limit = on - datetime.timedelta(days=int(days))
    open_q = Q(instructors__ended_on__isnull=True) & Q(instructors__started_on__lte=on)
    with_open = units.filter(pk__in=Instructor.objects.filter(ended_on__isnull=True, started_on__lte=on).values("unit"))
    annotated = with_open.annotate(
        last_visit=Max("instructors__visits__visited_on"),
        last_start=Max("instructors__started_on", filter=open_q),
    )
    late_start = Q(last_start__lt=limit)
    return annotated.filter(late_start & (Q(last_visit__isnull=True) | Q(last_visit__lt=limit)))
