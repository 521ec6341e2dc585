"""Joint councils (联席会 / 协调委员会 / 大工委) with their seats, meetings and decisions (议定事项), and co-building
agreements (共建协议 / 结对共建) with their yearly reviews: the services (issue 15 items 5 and 6).

Every write is a `do_*` function: keyword-only `acting_user`, one transaction, a change-log row, the result re-read
through the scope gate. A decision follows `choices.DECISION_TRANSITIONS`; its `version` makes two people changing
it at once get one success and one `Conflict`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core import dates
from sqdj.core import services as core_services
from sqdj.core.context import acting_as
from sqdj.core.rules import param
from sqdj.core.services import Errors, do_create, do_update, ensure_in_scope, merged
from sqdj.orgs.choices import OrgType
from sqdj.orgs.models import Org
from sqdj.orgs.services import community_of

from .choices import CLOSED_DECISION_STATUSES, DECISION_TRANSITIONS, AgreementKind, DecisionStatus
from .models import Agreement, AgreementReview, Council, CouncilMeeting, CouncilMember, Decision, Unit

SUBDISTRICT_TYPES = (OrgType.SUBDISTRICT_COMMITTEE, OrgType.SUBDISTRICT_PARTY_COMMITTEE)
OPEN_DECISION_STATUSES = (DecisionStatus.OPEN, DecisionStatus.IN_PROGRESS)

COUNCIL_FIELDS = ("org", "kind", "name", "term_started_on", "term_ends_on", "ended_on")
SEAT_FIELDS = ("unit", "org", "representative", "title", "started_on", "ended_on")
MEETING_FIELDS = ("council", "held_on", "place", "agenda", "minutes")
DECISION_FIELDS = ("council", "meeting", "title", "detail", "owner", "due_on")
AGREEMENT_FIELDS = ("org", "kind", "title", "number", "signed_on", "starts_on", "ends_on", "org_commitments",
                    "unit_commitments")  # fmt: skip


class Conflict(core_services.Conflict):
    """Someone else changed the decision first; nothing was written (409 in the API)."""

    default_message = gettext_lazy(
        "This decision has been changed by someone else in the meantime. Reload it and try again."
    )


def _required(errors: Errors, data: dict, fields_messages: dict) -> None:
    for f, message in fields_messages.items():
        if data.get(f) in (None, ""):
            errors.add(f, message, "required")


def _visible(model, obj, user, action: str = "view") -> bool:
    return user is None or model.objects.restrict(user, action).filter(pk=obj.pk).exists()


def _may_add_to(org, user) -> bool:
    return _visible(Org, org, user, "add")


# ---- councils -------------------------------------------------------------------------------------------------------


def may_convene(org) -> bool:
    """A council is convened by a community's party organization or a subdistrict committee (大工委)."""
    return org.type in SUBDISTRICT_TYPES or community_of(org) is not None


def _check_council(data: dict, acting_user) -> None:
    errors = Errors()
    _required(errors, data, {"org": _("Choose the convening organization."), "kind": _("Choose the kind."),
                             "name": _("Give the council's name."),
                             "term_started_on": _("Give the date the current term started.")})  # fmt: skip
    errors.raise_if_any()
    org = data["org"]
    if not _may_add_to(org, acting_user):
        errors.add("org", _("Unknown organization, or outside your scope."), "org_out_of_scope")
    elif not may_convene(org):
        errors.add("org", _("A council is convened by a community's party organization or a subdistrict committee."),
                   "not_convening_org")  # fmt: skip
    if data["term_ends_on"] and data["term_ends_on"] < data["term_started_on"]:
        errors.add("term_ends_on", _("The term cannot end before it starts."), "ends_before_start")
    if data["ended_on"] and data["ended_on"] < data["term_started_on"]:
        errors.add("ended_on", _("A council cannot be dissolved before its term started."), "ends_before_start")
    errors.raise_if_any()


@transaction.atomic
def do_create_council(*, acting_user, **data) -> Council:
    data = merged(None, COUNCIL_FIELDS, data)
    _check_council(data, acting_user)
    return do_create(Council, acting_user=acting_user, data=data)


@transaction.atomic
def do_update_council(council: Council, *, acting_user, **data) -> Council:
    ensure_in_scope(council, acting_user, "change")
    data = merged(council, COUNCIL_FIELDS, data)
    _check_council(data, acting_user)
    return do_update(council, acting_user=acting_user, data=data)


@transaction.atomic
def do_delete_council(council: Council, *, acting_user) -> None:
    ensure_in_scope(council, acting_user, "delete")
    if council.meetings.exists() or council.decisions.exists():
        raise ValidationError(_("A council with meetings or decisions keeps its record: dissolve it instead."))
    with acting_as(acting_user):
        council.members.all().delete()
        council.delete()


# ---- seats ----------------------------------------------------------------------------------------------------------


def open_seats(council: Council, on: datetime.date):
    """The council's seats held on `on`."""
    return council.members.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))


@transaction.atomic
def do_add_council_member(council: Council, *, acting_user, **data) -> CouncilMember:
    """A seat on the council: a unit in the user's scope (or a party organization) and its representative."""
    ensure_in_scope(council, acting_user, "change")
    data = merged(None, SEAT_FIELDS, data)
    errors = Errors()
    _required(errors, data, {"representative": _("Give the representative's name."),
                             "started_on": _("Give the date the seat starts.")})  # fmt: skip
    unit, org = data["unit"], data["org"]
    if (unit is None) == (org is None):
        errors.add("unit", _("Choose either a unit or a party organization."), "unit_or_org")
    elif unit is not None and not _visible(Unit, unit, acting_user):
        errors.add("unit", _("Unknown unit, or outside your scope."), "unit_out_of_scope")
    elif org is not None and not _visible(Org, org, acting_user):
        errors.add("org", _("Unknown organization, or outside your scope."), "org_out_of_scope")
    errors.raise_if_any()
    if data["ended_on"] and data["ended_on"] < data["started_on"]:
        errors.add("ended_on", _("A seat cannot end before it starts."), "ends_before_start")
    sitting = open_seats(council, data["started_on"]).filter(unit=unit) if unit else None
    if org is not None:
        sitting = open_seats(council, data["started_on"]).filter(org=org)
    if sitting is not None and sitting.exists():
        errors.add("unit" if unit else "org", _("It already has a seat on this council."), "seated_twice")
    errors.raise_if_any()
    data["title"] = data["title"] or ""
    return do_create(CouncilMember, acting_user=acting_user, data={**data, "council": council})


@transaction.atomic
def do_end_council_seat(seat: CouncilMember, *, acting_user, ended_on: datetime.date) -> CouncilMember:
    ensure_in_scope(seat, acting_user, "change")
    if ended_on is None:
        raise ValidationError({"ended_on": _("Give the date the seat ends.")})
    if ended_on < seat.started_on:
        raise ValidationError({"ended_on": _("A seat cannot end before it starts.")})
    return do_update(seat, acting_user=acting_user, data={"ended_on": ended_on})


# ---- meetings -------------------------------------------------------------------------------------------------------


def _check_meeting(data: dict, attendees, acting_user) -> None:
    errors = Errors()
    _required(errors, data, {"council": _("Choose the council."), "held_on": _("Give the date of the meeting."),
                             "agenda": _("Give the agenda.")})  # fmt: skip
    errors.raise_if_any()
    if not _visible(Council, data["council"], acting_user, "change"):
        errors.add("council", _("Unknown council, or outside your scope."), "council_out_of_scope")
    errors.raise_if_any()
    seats = set(open_seats(data["council"], data["held_on"]).values_list("pk", flat=True))
    if any(a.pk not in seats for a in attendees):
        errors.add("attendees", _("Only the seats held on the day of the meeting can attend."), "seat_not_open")
    errors.raise_if_any()


@transaction.atomic
def do_create_meeting(*, acting_user, attendees=(), **data) -> CouncilMeeting:
    data = merged(None, MEETING_FIELDS, data)
    data["place"], data["minutes"] = data["place"] or "", data["minutes"] or ""
    attendees = list(attendees or ())
    _check_meeting(data, attendees, acting_user)
    meeting = do_create(CouncilMeeting, acting_user=acting_user, data=data)
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def do_update_meeting(meeting: CouncilMeeting, *, acting_user, attendees=None, **data) -> CouncilMeeting:
    ensure_in_scope(meeting, acting_user, "change")
    data = merged(meeting, MEETING_FIELDS, data)
    data["council"] = meeting.council  # a meeting stays with its council
    data["place"], data["minutes"] = data["place"] or "", data["minutes"] or ""
    attendees = list(meeting.attendees.all()) if attendees is None else list(attendees)
    _check_meeting(data, attendees, acting_user)
    meeting = do_update(meeting, acting_user=acting_user, data=data)
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def do_delete_meeting(meeting: CouncilMeeting, *, acting_user) -> None:
    ensure_in_scope(meeting, acting_user, "delete")
    if meeting.decisions.exists():
        raise ValidationError(_("Decisions were taken at this meeting: it keeps its record."))
    with acting_as(acting_user):
        meeting.delete()


# ---- decisions ------------------------------------------------------------------------------------------------------


def sits_on(council: Council, unit: Unit, on: datetime.date | None = None) -> bool:
    """Whether the unit holds a seat on the council (today, or on `on`)."""
    return open_seats(council, on or dates.today()).filter(unit=unit).exists()


def _check_decision(data: dict, acting_user, owner_kept: bool = False) -> None:
    """`owner_kept`: the owner is the decision's own from before, which keeps it even if its seat has ended."""
    errors = Errors()
    _required(errors, data, {"council": _("Choose the council."), "title": _("Say what was decided."),
                             "owner": _("A decision needs an owner unit."),
                             "due_on": _("A decision needs a due date.")})  # fmt: skip
    if data.get("council") is not None and not _visible(Council, data["council"], acting_user, "change"):
        errors.add("council", _("Unknown council, or outside your scope."), "council_out_of_scope")
    errors.raise_if_any()
    council, owner = data["council"], data["owner"]
    if not owner_kept and not sits_on(council, owner):
        errors.add("owner", _("The owner unit must hold a seat on this council."), "owner_not_seated")
    meeting = data.get("meeting")
    if meeting is not None and meeting.council_id != council.pk:
        errors.add("meeting", _("The meeting must be one of this council's."), "meeting_of_other_council")
    errors.raise_if_any()


@transaction.atomic
def do_create_decision(*, acting_user, **data) -> Decision:
    data = merged(None, DECISION_FIELDS, data)
    data["detail"] = data["detail"] or ""
    _check_decision(data, acting_user)
    return do_create(Decision, acting_user=acting_user, data=data)


def _locked(decision: Decision, version) -> Decision:
    """The decision re-read under a row lock; a conflict when it is no longer at `version` (what the page or the
    API call showed)."""
    fresh = Decision.objects.select_for_update(of=("self",)).filter(pk=decision.pk).first()
    if fresh is None or (version is not None and fresh.version != int(version)):
        raise Conflict()
    return fresh


@transaction.atomic
def do_update_decision(decision: Decision, *, acting_user, version=None, **data) -> Decision:
    ensure_in_scope(decision, acting_user, "change")
    decision = _locked(decision, version)
    data = merged(decision, DECISION_FIELDS, data)
    data["council"] = decision.council  # a decision stays with its council
    data["detail"] = data["detail"] or ""
    if decision.status in CLOSED_DECISION_STATUSES and data["owner"] != decision.owner:
        raise ValidationError({"owner": _("A closed decision keeps its owner unit.")})
    _check_decision(data, acting_user, owner_kept=data["owner"] == decision.owner)
    return do_update(decision, acting_user=acting_user, data={**data, "version": decision.version + 1})


@transaction.atomic
def do_set_decision_status(
    decision: Decision, *, acting_user, status: str, note: str = "", version=None, on: datetime.date | None = None
) -> Decision:
    """Move the decision along `DECISION_TRANSITIONS`: dropping it needs a reason; done or dropped, it is closed on
    `on` (today)."""
    ensure_in_scope(decision, acting_user, "change")
    decision = _locked(decision, version)
    note = (note or "").strip()
    if status not in DECISION_TRANSITIONS.get(decision.status, ()):
        raise ValidationError(
            {"status": _("A decision that is %(from)s cannot become %(to)s.")
             % {"from": decision.get_status_display(), "to": DecisionStatus(status).label
                if status in DecisionStatus.values else status}}
        )  # fmt: skip
    if status == DecisionStatus.DROPPED and not note:
        raise ValidationError({"note": _("Give the reason the decision is dropped.")})
    data = {"status": status, "status_note": note or decision.status_note, "version": decision.version + 1}
    if status in CLOSED_DECISION_STATUSES:
        data["closed_on"] = on or dates.today()
    return do_update(decision, acting_user=acting_user, data=data)


@dataclass
class DecisionRecord:
    """A council's record: decisions done on time (closed_on ≤ due_on), done late, open past due, open, dropped."""

    on_time: list = field(default_factory=list)
    late: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    open: list = field(default_factory=list)
    dropped: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.on_time) + len(self.late) + len(self.overdue) + len(self.open) + len(self.dropped)


def decision_record(decisions, on: datetime.date | None = None) -> DecisionRecord:
    """Sort `decisions` (already read through the scope gate) into the council's record as of `on`."""
    on = on or dates.today()
    record = DecisionRecord()
    for d in decisions:
        if d.status == DecisionStatus.DONE:
            (record.on_time if d.closed_on and d.closed_on <= d.due_on else record.late).append(d)
        elif d.status == DecisionStatus.DROPPED:
            record.dropped.append(d)
        elif d.due_on < on:
            record.overdue.append(d)
        else:
            record.open.append(d)
    return record


def overdue_decisions(user, on: datetime.date | None = None):
    """Open or in-progress decisions past their due date, of the councils the user may change."""
    on = on or dates.today()
    return Decision.objects.restrict(user, "change").filter(status__in=OPEN_DECISION_STATUSES, due_on__lt=on)


# ---- agreements -----------------------------------------------------------------------------------------------------


def _check_agreement(data: dict, units, acting_user) -> None:
    errors = Errors()
    _required(errors, data, {
        "org": _("Choose the community's party organization."), "title": _("Give the agreement's title."),
        "signed_on": _("Give the date it was signed."), "starts_on": _("Give the date it starts."),
        "ends_on": _("Give the date it ends."), "org_commitments": _("Give the party organization's commitments."),
        "unit_commitments": _("Give the units' commitments."),
    })  # fmt: skip
    if not units:
        errors.add("units", _("Choose at least one unit."), "required")
    if data.get("org") is not None:
        if not _may_add_to(data["org"], acting_user):
            errors.add("org", _("Unknown organization, or outside your scope."), "org_out_of_scope")
        elif community_of(data["org"]) is None:
            errors.add("org", _("An agreement is signed by a community's party organization."), "not_community_org")
    if acting_user is not None:
        visible = set(Unit.objects.restrict(acting_user, "view").filter(pk__in=[u.pk for u in units]).values_list(
            "pk", flat=True))  # fmt: skip
        if any(u.pk not in visible for u in units):
            errors.add("units", _("Unknown unit, or outside your scope."), "unit_out_of_scope")
    if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
        errors.add("ends_on", _("The agreement cannot end before it starts."), "ends_before_start")
    errors.raise_if_any()


@transaction.atomic
def do_create_agreement(*, acting_user, units=(), **data) -> Agreement:
    data = merged(None, AGREEMENT_FIELDS, data)
    data["number"] = data["number"] or ""
    data["kind"] = data["kind"] or AgreementKind.AGREEMENT
    units = list(units or ())
    _check_agreement(data, units, acting_user)
    agreement = do_create(Agreement, acting_user=acting_user, data=data)
    agreement.units.set(units)
    return agreement


@transaction.atomic
def do_update_agreement(agreement: Agreement, *, acting_user, units=None, **data) -> Agreement:
    ensure_in_scope(agreement, acting_user, "change")
    data = merged(agreement, AGREEMENT_FIELDS, data)
    data["number"] = data["number"] or ""
    units = list(agreement.units.all()) if units is None else list(units)
    _check_agreement(data, units, acting_user)
    agreement = do_update(agreement, acting_user=acting_user, data=data)
    agreement.units.set(units)
    return agreement


@transaction.atomic
def do_end_agreement(agreement: Agreement, *, acting_user, ended_on: datetime.date) -> Agreement:
    """End the agreement early (终止): on a day within its term."""
    ensure_in_scope(agreement, acting_user, "change")
    if ended_on is None:
        raise ValidationError({"ended_on": _("Give the date the agreement ends.")})
    if agreement.ended_on is not None:
        raise ValidationError({"ended_on": _("The agreement has already been ended.")})
    if not agreement.starts_on <= ended_on <= agreement.ends_on:
        raise ValidationError({"ended_on": _("An agreement is ended early on a day within its term.")})
    return do_update(agreement, acting_user=acting_user, data={"ended_on": ended_on})


@transaction.atomic
def do_review_agreement(agreement: Agreement, *, acting_user, year: int, reviewed_on, note: str) -> AgreementReview:
    """The yearly review note: one per year of the agreement's term."""
    ensure_in_scope(agreement, acting_user, "change")
    errors = Errors()
    _required(errors, {"year": year, "reviewed_on": reviewed_on, "note": (note or "").strip()},
              {"year": _("Give the year."), "reviewed_on": _("Give the date of the review."),
               "note": _("Write the review.")})  # fmt: skip
    errors.raise_if_any()
    if not agreement.starts_on.year <= year <= agreement.ends_on.year:
        errors.add("year", _("The year must be within the agreement's term."), "year_outside_term")
    elif agreement.reviews.filter(year=year).exists():
        errors.add("year", _("This year's review has already been written."), "one_review_a_year")
    errors.raise_if_any()
    data = {"agreement": agreement, "year": year, "reviewed_on": reviewed_on, "note": note.strip()}
    return do_create(AgreementReview, acting_user=acting_user, data=data)


def renewal_due(user, on: datetime.date | None = None):
    """Agreements of the user's scope (to change) whose end falls within `unit.agreement_renewal_days` or has
    passed, not ended early, and not followed by a later agreement of the same org with one of its units."""
    on = on or dates.today()
    days = param("unit.agreement_renewal_days", on)
    link = Agreement.units.through
    later = link.objects.filter(
        agreement__org=OuterRef("org"),
        agreement__starts_on__gt=OuterRef("starts_on"),
        unit__in=link.objects.filter(agreement=OuterRef(OuterRef("pk"))).values("unit"),
    )
    return (
        Agreement.objects.restrict(user, "change")
        .filter(ended_on__isnull=True, ends_on__lte=on + datetime.timedelta(days=days))
        .exclude(Exists(later))
    )
