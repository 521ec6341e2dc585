"""Residents' requests (issue 17 item 1): what every way in shares — the staff's intake, the public form, a 12345
work order — numbering, the due time by category and urgency (the rulebook's), the routing to the community's org
from the area, the contact kept only with consent, and public text refused when it holds an ID or phone number."""

from __future__ import annotations

import datetime
import re
import secrets

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.accounts.services import notify_org
from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.areas.services import community_at
from sqdj.core import audit
from sqdj.core.numbering import next_number, next_numbers, with_check
from sqdj.core.pii import personal_numbers_in
from sqdj.core.rules import param
from sqdj.core.scope import is_unrestricted
from sqdj.core.services import Conflict, Errors, ScopeViolation, do_create, do_update
from sqdj.members.models import Member
from sqdj.orgs.models import Org
from sqdj.orgs.services import community_org

from .choices import (
    ENDED_STATES,
    OPEN_STATES,
    SATISFIED,
    TRANSITIONS,
    ClaimState,
    RequestKind,
    RequestState,
    Satisfaction,
    Source,
    Urgency,
)
from .models import Category, Request, RequestStep, Station, WishClaim

PREFIX = "SQ"
# the public tracking code: no 0/O, 1/I/L — read aloud over the phone, typed on a phone
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 10
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
# where a request may be placed: a community or below it (a grid, an estate, a building …)
PLACEABLE = (AreaType.COMMUNITY, AreaType.VILLAGE, AreaType.GRID, AreaType.ESTATE, AreaType.BUILDING,
             AreaType.ENTRANCE, AreaType.OFFICE_BUILDING, AreaType.PARK)  # fmt: skip


def number_of(year: int, serial: int) -> str:
    """SQ2026000123 + two check digits (core.numbering): the staff's number of a request."""
    return with_check(PREFIX, f"{year}{serial:06d}")


def new_number(on: datetime.date) -> str:
    return number_of(on.year, next_number(f"services.request.{on.year}"))  # gapless: rolls back with the caller


def new_numbers(on: datetime.date, count: int) -> list[str]:
    """A block of numbers (an import)."""
    return [number_of(on.year, n) for n in next_numbers(f"services.request.{on.year}", count)]


def new_tracking_code() -> str:
    """Random (about 49 bits): a guessed code finds nothing."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def normalize_tracking_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def due_days(category: Category | None, urgency: str, on: datetime.date) -> int:
    """The days a request has (the rulebook's per category code, `default` for the rest; shorter when urgent)."""
    table = param("services.request_due_days", on)
    days = int(table.get(category.code, table["default"]) if category is not None else table["default"])
    if urgency == Urgency.URGENT:
        days = min(days, int(param("services.urgent_due_days", on)))
    return days


def due_at(category: Category | None, urgency: str, received_at: datetime.datetime) -> datetime.datetime:
    return received_at + datetime.timedelta(days=due_days(category, urgency, timezone.localdate(received_at)))


def escalation_at(request: Request) -> datetime.datetime:
    """When a late request goes to the subdistrict (its due time plus the rulebook's further delay)."""
    days = int(param("services.escalate_after_days", timezone.localdate(request.due_at)))
    return request.due_at + datetime.timedelta(days=days)


def end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def placement(area: Area | None):
    """(community, its org) of an area: where a request placed there is answered; (None, None) above them."""
    community = community_at(area) if area is not None and area.type in PLACEABLE else None
    return community, community_org(community)


def refuse_personal_numbers(errors: Errors, field: str, text: str) -> None:
    """A public text (a summary on the public list, a status note) must hold no ID or phone number."""
    if personal_numbers_in(text):
        errors.add(field, _("Public text must not contain an ID number or a phone number."), "personal_number")


def check_contact(errors: Errors, name: str, phone: str, consent: bool) -> tuple[str, str]:
    """The resident's contact: optional, minimal, kept only with their consent."""
    name, phone = (name or "").strip(), "".join((phone or "").split())
    if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
        errors.add("contact_phone", _("Enter a mobile number (11 digits) or a landline with its area code."), "phone")
    if len(name) > 20:
        errors.add("contact_name", _("At most 20 characters."), "max_length")
    if (name or phone) and not consent:
        errors.add("consent", _("A contact is kept only with the resident's consent: tick it, or leave the contact "
                                "empty."), "consent")  # fmt: skip
    return name, phone


def _step(request: Request, state: str, *, by, at: datetime.datetime, note: str = "", public_note: str = ""):
    return RequestStep.objects.create(request=request, state=state, by=by, at=at, note=note, public_note=public_note)


@transaction.atomic
def do_create_request(*, acting_user, summary: str, description: str, area: Area | None, source: str,
                      category: Category | None = None, kind: str = RequestKind.REQUEST, location: str = "",
                      urgency: str = Urgency.NORMAL, station: Station | None = None, contact_name: str = "",
                      contact_phone: str = "", consent: bool = False, consent_version: str = "", public: bool = False,
                      received_at: datetime.datetime | None = None, beneficiary: str = "",
                      wanted_by: datetime.date | None = None, visit=None, household=None) -> Request:  # fmt: skip
    """A request enters: checked all at once (nothing written when wrong), numbered, given its due time, placed in
    its area and routed to the community's org, its first step recorded. `acting_user` None: the public form (or
    a system job) — the area is then any placeable one; staff enter requests only in their own territory.

    A 微心愿 (kind wish) says for whom (`beneficiary`: an anonymous label, scanned for personal numbers) and by when
    (`wanted_by`: its due time is the end of that day). `visit` / `household`: the visit it was heard on, the
    household it helps (opened from a visit in one step)."""
    errors = Errors()
    summary, description, location = (summary or "").strip(), (description or "").strip(), (location or "").strip()
    if not summary:
        errors.add("summary", _("This field is required."), "required")
    elif len(summary) > 100:
        errors.add("summary", _("At most 100 characters."), "max_length")
    if not description:
        errors.add("description", _("This field is required."), "required")
    elif len(description) > 2000:
        errors.add("description", _("At most 2000 characters."), "max_length")
    if len(location) > 200:
        errors.add("location", _("At most 200 characters."), "max_length")
    if kind not in RequestKind.values:
        errors.add("kind", _("Choose a valid kind."), "invalid")
    if source not in Source.values:
        errors.add("source", _("Choose where the request came from."), "invalid")
    if urgency not in Urgency.values:
        errors.add("urgency", _("Choose a valid urgency."), "invalid")
    if category is not None and not category.active:
        errors.add("category", _("This category is no longer in use."), "inactive")
    beneficiary = (beneficiary or "").strip()
    if len(beneficiary) > 50:
        errors.add("beneficiary", _("At most 50 characters."), "max_length")
    refuse_personal_numbers(errors, "beneficiary", beneficiary)
    if kind == RequestKind.WISH:
        if not beneficiary:
            errors.add("beneficiary", _("Say for whom, without a name (such as 独居老人)."), "required")
        if wanted_by is None:
            errors.add("wanted_by", _("Say by when the wish should be fulfilled."), "required")
        elif wanted_by < timezone.localdate(received_at or timezone.now()):
            errors.add("wanted_by", _("Cannot be in the past."), "past")
    community, org = placement(area)
    if area is None:
        errors.add("area", _("Choose where the matter is (a community or below it)."), "required")
    elif community is None:
        errors.add("area", _("Choose a community or a place in it (a grid, an estate, a building)."), "level")
    elif org is None:
        errors.add("area", _("%(c)s has no party organization to answer it yet.") % {"c": community.name}, "no_org")
    if public:
        refuse_personal_numbers(errors, "summary", summary)
    name, phone = check_contact(errors, contact_name, contact_phone, consent)
    if (
        station is not None
        and community is not None
        and not station.area.path.startswith(community.path[: -Area.steplen])
    ):  # a station of the same subdistrict
        errors.add("station", _("The station serves another subdistrict."), "station")
    errors.raise_if_any()
    assert area is not None  # noqa: S101 - refused above when missing
    if acting_user is not None and not Area.objects.restrict(acting_user, "add").filter(pk=area.pk).exists():
        raise ScopeViolation(_("You may enter requests only in your own territory."))
    now = timezone.now()
    received_at = received_at or now
    data = {
        "number": new_number(timezone.localdate(received_at)), "tracking_code": new_tracking_code(), "kind": kind,
        "category": category, "summary": summary, "description": description, "area": area, "placed": True,
        "location": location, "urgency": urgency, "source": source, "station": station, "contact_name": name,
        "contact_phone": phone, "consent_at": now if (name or phone) else None,
        "consent_version": consent_version if (name or phone) else "", "public": bool(public), "org": org,
        "state": RequestState.RECEIVED, "received_at": received_at,
        "due_at": due_at(category, urgency, received_at), "created_by": acting_user, "beneficiary": beneficiary,
        "visit": visit, "household": household,
    }  # fmt: skip
    if kind == RequestKind.WISH and wanted_by is not None:  # by the end of the day the wish is wanted by
        data["due_at"] = max(received_at, end_of_day(wanted_by))
    request = do_create(Request, acting_user=acting_user, data=data, clean=False, action=None)  # checked above
    _step(request, RequestState.RECEIVED, by=acting_user, at=received_at)
    return request


# ---- following a request to closure (issue 17 item 1) ----------------------------------------------------------
# The responsible side (whoever may change the request: its community's staff and those above) accepts, assigns,
# refers, declines, closes and rates; the assignee (the member it is assigned to, the assigned branch's staff) may
# start and resolve it. Every step is one transaction on the locked row, guarded by the version the user read.

ASSIGNEE_STATES = (RequestState.IN_PROGRESS, RequestState.RESOLVED)
# the page/API action → the state it leads to
ACTION_STATES = {
    "accept": RequestState.ACCEPTED,
    "start": RequestState.IN_PROGRESS,
    "resolve": RequestState.RESOLVED,
    "close": RequestState.CLOSED,
    "refer": RequestState.REFERRED,
    "decline": RequestState.DECLINED,
}
NOTE_LENGTH, PUBLIC_NOTE_LENGTH, REASON_LENGTH, OUTCOME_LENGTH = 500, 300, 200, 2000
# what the request pages may do to a 微心愿: close it once fulfilled, decline it while unclaimed, (un)publish it
WISH_ACTIONS = ("close", "decline", "publish", "unpublish")


def is_staff(request: Request, user) -> bool:
    """The responsible side: whoever may change the request (None: a system job)."""
    return user is None or Request.objects.restrict(user, "change").filter(pk=request.pk).exists()


def is_assignee(request: Request, user) -> bool:
    """The member it is assigned to (their own account), or the staff of the branch it is assigned to."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if request.assigned_member_id and Member.objects.filter(pk=request.assigned_member_id, user=user).exists():
        return True
    return bool(
        request.assigned_org_id and Org.objects.restrict(user, "change").filter(pk=request.assigned_org_id).exists()
    )


def may_step(request: Request, user, to_state: str, *, staff: bool | None = None) -> bool:
    """Whether `user` may take `request` to `to_state` (its role; whether the state allows it is checked apart)."""
    staff = is_staff(request, user) if staff is None else staff
    return staff or (to_state in ASSIGNEE_STATES and is_assignee(request, user))


def allowed_actions(request: Request, user) -> list[str]:
    """The actions `user` may take on `request` now (the detail page's buttons)."""
    staff = is_staff(request, user)
    following: tuple = TRANSITIONS.get(RequestState(request.state)) or ()
    actions = [
        name
        for name, state in ACTION_STATES.items()
        if state in following
        and not (state == RequestState.IN_PROGRESS and request.state == RequestState.RESOLVED)  # a reopen: rate
        and may_step(request, user, state, staff=staff)
    ]
    if staff and request.state == RequestState.RESOLVED and request.satisfaction == Satisfaction.UNSATISFIED:
        actions = [a for a in actions if a != "close"]  # called back unsatisfied: rated again first
    if staff and request.state in OPEN_STATES:
        actions.insert(1 if "accept" in actions else 0, "assign")
    if staff and request.state == RequestState.RESOLVED:
        actions.append("rate")
    if staff:
        actions.append("unpublish" if request.public else "publish")
    if request.kind == RequestKind.WISH:  # claimed and fulfilled on its own page (wishes.py)
        actions = [a for a in actions if a in WISH_ACTIONS]
    return actions


def _refuse_wish(request: Request) -> None:
    if request.kind == RequestKind.WISH:
        raise ValidationError({"__all__": [_("A small wish is claimed and fulfilled on its own page.")]})


def _text(errors: Errors, field: str, value: str, limit: int, *, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(field, required, "required")
    elif len(value) > limit:
        errors.add(field, _("At most %(n)d characters.") % {"n": limit}, "max_length")
    return value


def _locked(request: Request, version) -> Request:
    """The request as stored, locked until the transaction ends: of two people acting at once, the second sees the
    first's step (its version moved on) and gets a conflict."""
    current = Request.objects.select_for_update().get(pk=request.pk)
    if version is None or str(version).strip() == "" or int(version) != current.version:
        raise Conflict(_("Someone else has handled this request in the meantime. Reload it and try again."))
    return current


def _version(errors: Errors, version):
    try:
        return int(version)
    except (TypeError, ValueError):
        errors.add("version", _("The version you read is missing: reload the page."), "version")
        return None


def _ensure_visible(request: Request, user) -> None:
    if user is not None and not Request.objects.restrict(user, "view").filter(pk=request.pk).exists():
        raise ScopeViolation(_("You may not handle this request."))


@transaction.atomic
def do_transition(request: Request, to_state: str, *, acting_user, version, note: str = "", public_note: str = "",
                  outcome: str = "", reason: str = "", **_ignored) -> Request:  # fmt: skip
    """One step of `request` along choices.TRANSITIONS (a reopen goes through `do_rate` only): checked all at once
    (nothing written when wrong), on the locked row at the version the user read, with a dated step."""
    _ensure_visible(request, acting_user)
    if to_state not in (RequestState.CLOSED, RequestState.DECLINED):
        _refuse_wish(request)
    if not may_step(request, acting_user, to_state):
        raise ScopeViolation(_("Only the community responsible for the request may take this step; the one it is "
                               "assigned to may start and resolve it."))  # fmt: skip
    errors = Errors()
    number = _version(errors, version)
    note = _text(errors, "note", note, NOTE_LENGTH)
    public_note = _text(errors, "public_note", public_note, PUBLIC_NOTE_LENGTH)
    refuse_personal_numbers(errors, "public_note", public_note)
    if to_state == RequestState.RESOLVED:
        outcome = _text(errors, "outcome", outcome, OUTCOME_LENGTH, required=_("Say what was done (the outcome)."))
    if to_state in (RequestState.REFERRED, RequestState.DECLINED):
        reason = _text(errors, "reason", reason, REASON_LENGTH, required=_("Say why (and where it was referred)."))
    errors.raise_if_any()
    current = _locked(request, number)
    reopen = current.state == RequestState.RESOLVED and to_state == RequestState.IN_PROGRESS
    if reopen or to_state not in (TRANSITIONS.get(RequestState(current.state)) or ()):
        raise ValidationError(
            {"__all__": [_("A request that is %(state)s cannot be %(to)s.") % {
                "state": current.get_state_display(), "to": RequestState(to_state).label}]}
        )  # fmt: skip
    if to_state == RequestState.CLOSED and current.satisfaction == Satisfaction.UNSATISFIED:
        raise ValidationError({"__all__": [_("The resident was not satisfied: call back and rate it again first.")]})
    now = timezone.now()
    data: dict = {"state": to_state, "version": current.version + 1}
    if to_state == RequestState.ACCEPTED:
        data["accepted_at"] = now
    elif to_state == RequestState.RESOLVED:
        data.update(resolved_at=now, resolution=outcome, accepted_at=current.accepted_at or now)
    elif to_state in ENDED_STATES:
        data["closed_at"] = now
        if to_state != RequestState.CLOSED:
            data["end_reason"] = reason
    step_note = " · ".join(filter(None, [reason if to_state in (RequestState.REFERRED, RequestState.DECLINED)
                                         else outcome, note]))[:NOTE_LENGTH]  # fmt: skip
    current = do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above
    _step(current, to_state, by=acting_user, at=now, note=step_note, public_note=public_note)
    return current


def _action(to_state: str):
    def act(request: Request, *, acting_user, version, **kwargs) -> Request:
        return do_transition(request, to_state, acting_user=acting_user, version=version, **kwargs)

    return act


do_accept = _action(RequestState.ACCEPTED)
do_start = _action(RequestState.IN_PROGRESS)
do_resolve = _action(RequestState.RESOLVED)  # outcome required
do_close = _action(RequestState.CLOSED)
do_refer = _action(RequestState.REFERRED)  # reason required
do_decline = _action(RequestState.DECLINED)  # reason required


def assignable_orgs(request: Request, user):
    """The branches (any org) under the responsible org that the user may see."""
    org = request.org
    if org is None:
        return Org.objects.none()
    return Org.objects.restrict(user, "view").filter(path__startswith=org.path).exclude(pk=org.pk)


def assignable_members(request: Request, user):
    """The members of the responsible org (and its branches) that the user may see."""
    org = request.org
    if org is None:
        return Member.objects.none()
    return Member.objects.restrict(user, "view").filter(org__path__startswith=org.path)


def _visible(model, user, obj) -> bool:
    return user is None or model.objects.restrict(user, "view").filter(pk=obj.pk).exists()


@transaction.atomic
def do_assign(request: Request, *, acting_user, version, branch=None, member=None, unit=None, project=None,
              note: str = "", **_ignored) -> Request:  # fmt: skip
    """The responsible side assigns an open request to one of: a branch under the responsible org, a member of it, a
    unit or a council project the user may see. One at a time: a new assignment replaces the former one."""
    Unit, Project = apps.get_model("units", "Unit"), apps.get_model("units", "Project")
    _ensure_visible(request, acting_user)
    _refuse_wish(request)
    if not is_staff(request, acting_user):
        raise ScopeViolation(_("Only the community responsible for the request assigns it."))
    errors = Errors()
    number = _version(errors, version)
    note = _text(errors, "note", note, NOTE_LENGTH)
    given = [(f, v) for f, v in (("branch", branch), ("member", member), ("unit", unit), ("project", project)) if v]
    if len(given) != 1:
        errors.add("__all__", _("Choose one to assign it to: a branch, a party member, a unit or a project."), "one")
    if branch is not None and not assignable_orgs(request, acting_user).filter(pk=branch.pk).exists():
        errors.add("branch", _("Choose a branch under the responsible organization."), "branch")
    if member is not None and not assignable_members(request, acting_user).filter(pk=member.pk).exists():
        errors.add("member", _("Choose a party member of the responsible organization."), "member")
    if unit is not None and not _visible(Unit, acting_user, unit):
        errors.add("unit", _("Choose a unit you may see."), "unit")
    if project is not None and not _visible(Project, acting_user, project):
        errors.add("project", _("Choose a project you may see."), "project")
    errors.raise_if_any()
    current = _locked(request, number)
    if current.state not in OPEN_STATES:
        raise ValidationError({"__all__": [_("Only an open request can be assigned.")]})
    data = {"assigned_org": branch, "assigned_member": member, "assigned_unit": unit, "assigned_project": project,
            "version": current.version + 1}  # fmt: skip
    current = do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above
    target = str(given[0][1])
    text = _("Assigned to %(who)s.") % {"who": target}
    _step(current, current.state, by=acting_user, at=timezone.now(), note=f"{text} {note}".strip()[:NOTE_LENGTH])
    return current


@transaction.atomic
def do_rate(request: Request, *, acting_user, version, satisfaction: str, note: str = "",
            **_ignored) -> Request:  # fmt: skip
    """The staff record the resident's answer (by phone or a visit) on a resolved request: satisfied (or basically)
    — it may be closed, the unsatisfied streak ends; unsatisfied — reopened (in progress again), counted."""
    _ensure_visible(request, acting_user)
    _refuse_wish(request)
    if not is_staff(request, acting_user):
        raise ScopeViolation(_("Only the community responsible for the request records the resident's answer."))
    errors = Errors()
    number = _version(errors, version)
    note = _text(errors, "note", note, NOTE_LENGTH)
    if satisfaction not in Satisfaction.values:
        errors.add("satisfaction", _("Choose the resident's answer."), "invalid")
    errors.raise_if_any()
    current = _locked(request, number)
    if current.state != RequestState.RESOLVED:
        raise ValidationError({"__all__": [_("Only a resolved request is rated.")]})
    now = timezone.now()
    label = Satisfaction(satisfaction).label
    data: dict = {"satisfaction": satisfaction, "version": current.version + 1}
    if satisfaction in SATISFIED:
        data["unsatisfied_streak"] = 0
        state, text = RequestState.RESOLVED, _("The resident's answer: %(answer)s.") % {"answer": label}
    else:
        state = RequestState.IN_PROGRESS
        data.update(state=state, resolved_at=None, reopened=current.reopened + 1,
                    unsatisfied_streak=current.unsatisfied_streak + 1)  # fmt: skip
        text = _("The resident's answer: %(answer)s. Reopened.") % {"answer": label}
    current = do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above
    _step(current, state, by=acting_user, at=now, note=f"{text} {note}".strip()[:NOTE_LENGTH])
    return current


# ---- late requests: overdue on the community's to-dos, escalated to the subdistrict -----------------------------


def overdue_q(now: datetime.datetime | None = None) -> Q:
    """Open and past its due time."""
    return Q(state__in=OPEN_STATES, due_at__lt=now or timezone.now())


def escalation_due_q(now: datetime.datetime | None = None) -> Q:
    """Open and past its escalation time (due time plus the rulebook's further delay, as of today's rulebook)."""
    now = now or timezone.now()
    days = int(param("services.escalate_after_days", timezone.localdate(now)))
    return Q(state__in=OPEN_STATES, due_at__lt=now - datetime.timedelta(days=days))


def escalated_q() -> Q:
    """Escalated and still open (the subdistrict's to-do)."""
    return Q(state__in=OPEN_STATES, escalated_at__isnull=False)


def next_midnight(as_of: datetime.date) -> datetime.datetime | None:
    """The start of the day after `as_of` (local time); None for the last day of the calendar (no bound)."""
    if as_of >= datetime.date.max:
        return None
    return timezone.make_aware(datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time()))


def received_until(as_of: datetime.date) -> Q:
    """Received up to the end of `as_of`."""
    end = next_midnight(as_of)
    return Q(received_at__lt=end) if end else Q()


def figure_qs(as_of: datetime.date) -> dict[str, Q]:
    """The condition of each figure of the statistics' `requests` section (on Request), as of the end of `as_of`:
    the section counts with them and the request list filters with them (`?figure=`), so a figure and its list agree.
    """
    is_request = Q(kind=RequestKind.REQUEST)
    end = next_midnight(as_of)
    closed = is_request & Q(state=RequestState.CLOSED) & (Q(closed_at__lt=end) if end else Q())
    fulfilled = WishClaim.objects.filter(request=OuterRef("pk"), state=ClaimState.FULFILLED, fulfilled_on__lte=as_of)
    return {
        "total": is_request,
        "closed": closed,
        "closed_on_time": closed & Q(closed_at__lte=F("due_at")),
        "satisfied": is_request & Q(satisfaction__in=SATISFIED),
        "rated": is_request & ~Q(satisfaction=""),
        "wishes_fulfilled": Q(kind=RequestKind.WISH) & Q(Exists(fulfilled)),
    }


def subdistrict_org(request: Request) -> Org | None:
    """The org of the subdistrict above the request's community (the shallowest org placed on that area)."""
    community = community_at(request.area)
    parent = Area.objects.get_parent(community) if community is not None else None
    return community_org(parent) if parent is not None else None


@transaction.atomic
def escalate_due(now: datetime.datetime | None = None) -> int:
    """Mark the requests past their escalation time (once each) and tell the subdistrict's admins; returns how many.
    Idempotent: a request escalated already is left alone."""
    now = now or timezone.now()
    rows = list(
        Request.objects.select_for_update(skip_locked=True)
        .filter(escalation_due_q(now), escalated_at__isnull=True)
        .select_related("area")
    )
    for request in rows:
        if escalation_at(request) > now:  # the rulebook of its due day says later
            continue
        do_update(request, acting_user=None, data={"escalated_at": now}, clean=False, action=None)
        _step(request, request.state, by=None, at=now, note=_("Escalated to the subdistrict: overdue."))
        text = _("Request %(number)s (%(summary)s) is overdue and escalated to the subdistrict.") % {
            "number": request.number, "summary": request.summary}  # fmt: skip
        notify_org(subdistrict_org(request), text, request.get_absolute_url())
    return sum(1 for r in rows if r.escalated_at is not None)


# ---- the category catalogue (诉求类别) -------------------------------------------------------------------------


def may_edit_category(user, org) -> bool:
    """An org's own categories: whoever may change that org; the national ones (no org): a system administrator."""
    if user is None:
        return True
    if org is None:
        return is_unrestricted(user)
    return Org.objects.restrict(user, "change").filter(pk=org.pk).exists()


def _ensure_may_edit_category(user, org) -> None:
    if not may_edit_category(user, org):
        raise ScopeViolation(_("Only a system administrator changes the national catalogue; an organization changes "
                               "its own categories."))  # fmt: skip


def _category_data(code, name, position, active, *, exclude=None) -> dict:
    errors = Errors()
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        errors.add("code", _("This field is required."), "required")
    elif len(code) > 20:
        errors.add("code", _("At most 20 characters."), "max_length")
    elif Category.objects.filter(code=code).exclude(pk=exclude).exists():
        errors.add("code", _("A category with this code exists already."), "code")
    if not name:
        errors.add("name", _("This field is required."), "required")
    elif len(name) > 50:
        errors.add("name", _("At most 50 characters."), "max_length")
    errors.raise_if_any()
    return {"code": code, "name": name, "position": 100 if position is None else position, "active": bool(active)}


@transaction.atomic
def do_create_category(*, acting_user, org=None, code: str, name: str, position: int | None = 100,
                       active: bool = True, **_ignored) -> Category:  # fmt: skip
    _ensure_may_edit_category(acting_user, org)
    data = {"org": org, **_category_data(code, name, position, active)}
    return do_create(Category, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


@transaction.atomic
def do_update_category(category: Category, *, acting_user, code: str, name: str, position: int | None = 100,
                       active: bool = True, **_ignored) -> Category:  # fmt: skip
    """The org of a category stays (a national one stays national)."""
    _ensure_may_edit_category(acting_user, category.org)
    data = _category_data(code, name, position, active, exclude=category.pk)
    return do_update(category, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


# ---- the resident's contact, in full once, with a logged reason -----------------------------------------------------

CONTACT_FIELDS = ("contact_name", "contact_phone")


def may_reveal_contact(request: Request, user) -> bool:
    """The responsible side calls the resident back: whoever may change the request, when it holds a contact."""
    return bool(request.contact_name or request.contact_phone) and user is not None and is_staff(request, user)


def do_reveal_contact(request: Request, *, acting_user, reason: str, remote_addr=None) -> dict:
    """The resident's name and phone in full, after a reason; the look goes to the audit trail (the fields and the
    reason, never the values: security.md R9)."""
    reason = (reason or "").strip()
    if not may_reveal_contact(request, acting_user):
        raise ScopeViolation(_("You may not see this resident's contact."))
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Say why you need the full numbers (at least 2 characters).")]})
    audit.record(audit.Event.REVEAL, user=acting_user, object_type="services.request", object_id=request.pk,
                 org_path=request.org.path if request.org else "", remote_addr=remote_addr,
                 detail={"fields": list(CONTACT_FIELDS), "reason": reason[:200]})  # fmt: skip
    return {name: getattr(request, name) for name in CONTACT_FIELDS}


@transaction.atomic
def do_set_public(request: Request, *, acting_user, version, public: bool, **_ignored) -> Request:
    """The responsible side puts a request on the community's public list (its summary, category, state and dates:
    nothing else) or takes it off. A summary holding an ID or phone number is refused first."""
    _ensure_visible(request, acting_user)
    if not is_staff(request, acting_user):
        raise ScopeViolation(_("Only the community responsible for the request decides what is public."))
    errors = Errors()
    number = _version(errors, version)
    if public:
        refuse_personal_numbers(errors, "summary", request.summary)
    errors.raise_if_any()
    current = _locked(request, number)
    data = {"public": bool(public), "version": current.version + 1}
    return do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above
