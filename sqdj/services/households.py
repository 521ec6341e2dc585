"""帮扶: households in hardship (issue 17 item 4). A household record holds only what help needs (a contact person,
encrypted and masked; where to knock; the kinds of hardship from a fixed list; the legal basis for keeping it), its
pairings (结对帮扶) with a member, an org or a unit, the support given, one review a year, and its closing. Closed, it
is kept for the rulebook's retention and then anonymised by the daily job. Every view of its details is logged.

Rules live here; the pages and the API call these services. Two people acting on one household at once: the row is
locked and the version read is checked (Conflict)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.areas.models import Area
from sqdj.core import audit, dates
from sqdj.core.models import ObjectChange
from sqdj.core.numbering import next_number, with_check
from sqdj.core.rules import param
from sqdj.core.services import Conflict, Errors, ScopeViolation, do_create, do_update
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .choices import Hardship, HouseholdEnd, HouseholdState, LegalBasis, ReviewOutcome, SupportKind
from .models import Assistance, Household, HouseholdReview, Support, Visit
from .requests import _text, _version, check_contact, placement

PREFIX = "HH"
WIPED = "（已匿名）"
CONTACT_FIELDS = ("contact_name", "contact_phone")
# what the anonymisation wipes, per model (the figures — kinds, sizes, amounts, dates — stay)
WIPED_FIELDS = {
    Household: {"contact_name": "", "contact_phone": "", "room": "", "needs": "", "basis_note": ""},
    Support: {"what": WIPED},
    Visit: {"heard": WIPED},
    Assistance: {"note": ""},
    HouseholdReview: {"note": ""},
}
ROOM_LENGTH, NEEDS_LENGTH, BASIS_NOTE_LENGTH, WHAT_LENGTH, NOTE_LENGTH, PAIR_NOTE_LENGTH = 30, 300, 200, 200, 300, 200
MAX_SIZE = 99


def number_of(year: int, serial: int) -> str:
    """HH2026000012 + two check digits (core.numbering), as a request's number."""
    return with_check(PREFIX, f"{year}{serial:06d}")


def new_number(on: datetime.date) -> str:
    return number_of(on.year, next_number(f"services.household.{on.year}"))  # gapless: rolls back with the caller


# ---- who may do what --------------------------------------------------------------------------------------------


def is_staff(household: Household, user) -> bool:
    """The responsible side: whoever may change the household (None: a system job)."""
    return user is None or Household.objects.restrict(user, "change").filter(pk=household.pk).exists()


def _ensure_staff(household: Household, user) -> None:
    if not is_staff(household, user):
        raise ScopeViolation(_("Only the community responsible for the household may do this."))


def _visible(model, user, obj) -> bool:
    return user is None or model.objects.restrict(user, "view").filter(pk=obj.pk).exists()


def _locked(household: Household, version=None) -> Household:
    """The household as stored, locked until the transaction ends; with `version`: the one the user read, or a
    conflict (someone else acted first)."""
    current = Household.objects.select_for_update().get(pk=household.pk)
    if version is not None and (str(version).strip() == "" or int(version) != current.version):
        raise Conflict(_("Someone else has changed this household in the meantime. Reload it and try again."))
    return current


def _day(errors: Errors, field: str, day, *, not_before: datetime.date | None = None) -> datetime.date:
    """A day given (today when None): not in the future, not before `not_before`."""
    day = day or dates.today()
    if day > dates.today():
        errors.add(field, _("Cannot be in the future."), "future")
    elif not_before is not None and day < not_before:
        errors.add(field, _("Cannot be before help started (%(day)s).") % {"day": not_before}, "before_start")
    return day


def _must_be_open(household: Household) -> None:
    if household.state != HouseholdState.OPEN:
        raise ValidationError({"__all__": [_("The help of this household has ended.")]})


# ---- the household record ---------------------------------------------------------------------------------------


def _household_data(errors: Errors, *, acting_user, area, room, contact_name, contact_phone, size, hardships, needs,
                    basis, basis_note, consent, visit) -> dict:  # fmt: skip
    """The checked fields of a household (create and update alike)."""
    community, org = placement(area)
    if area is None:
        errors.add("area", _("Choose where the household lives (a community or below it, down to the building)."),
                   "required")  # fmt: skip
    elif community is None:
        errors.add("area", _("Choose a community or a place in it (a grid, an estate, a building)."), "level")
    elif org is None:
        errors.add("area", _("%(c)s has no party organization to answer it yet.") % {"c": community.name}, "no_org")
    room = _text(errors, "room", room, ROOM_LENGTH)
    needs = _text(errors, "needs", needs, NEEDS_LENGTH)
    basis_note = _text(errors, "basis_note", basis_note, BASIS_NOTE_LENGTH)
    codes = list(dict.fromkeys(hardships or []))  # kept in the order given, once each
    if not codes:
        errors.add("hardships", _("Choose at least one kind of hardship."), "required")
    elif any(c not in Hardship.values for c in codes):
        errors.add("hardships", _("Choose kinds of hardship from the list."), "invalid")
    if basis not in LegalBasis.values:
        errors.add("basis", _("Choose the legal basis for keeping this record."), "invalid")
    elif basis == LegalBasis.CONSENT and not consent:
        errors.add("consent", _("The household's consent is the basis chosen: tick it (after reading the text to "
                                "them), or choose a legal duty."), "consent")  # fmt: skip
    elif basis == LegalBasis.LEGAL_DUTY and not basis_note:
        errors.add("basis_note", _("Name the legal duty (such as 社会救助暂行办法)."), "required")
    # the contact is kept on the basis chosen: its consent check is the basis's, above
    name, phone = check_contact(errors, contact_name, contact_phone, True)
    if not name:
        errors.add("contact_name", _("Say whom to contact in the household."), "required")
    if size is not None and not (1 <= int(size) <= MAX_SIZE):
        errors.add("size", _("Between 1 and %(n)d.") % {"n": MAX_SIZE}, "range")
    if visit is not None and not _visible(Visit, acting_user, visit):
        errors.add("visit", _("Choose a visit you may see."), "visit")
    return {"area": area, "org": org, "room": room, "contact_name": name, "contact_phone": phone, "size": size,
            "hardships": codes, "needs": needs, "basis": basis, "basis_note": basis_note}  # fmt: skip


def _ensure_territory(area: Area | None, user) -> None:
    if area is not None and user is not None and not Area.objects.restrict(user, "add").filter(pk=area.pk).exists():
        raise ScopeViolation(_("You may keep households only in your own territory."))


@transaction.atomic
def do_create_household(*, acting_user, area: Area | None, contact_name: str, hardships: list, basis: str,
                        room: str = "", contact_phone: str = "", size: int | None = None, needs: str = "",
                        basis_note: str = "", consent: bool = False, consent_version: str = "",
                        opened_on: datetime.date | None = None, visit: Visit | None = None,
                        **_ignored) -> Household:  # fmt: skip
    """A household enters: checked all at once (nothing written when wrong), numbered, placed in its area and given
    to the community's org (from the area, as a request is), its legal basis recorded — the household's consent
    (its time and text version) or a named legal duty. `visit`: the visit it was found on (opened in one step)."""
    errors = Errors()
    data = _household_data(errors, acting_user=acting_user, area=area, room=room, contact_name=contact_name,
                           contact_phone=contact_phone, size=size, hardships=hardships, needs=needs, basis=basis,
                           basis_note=basis_note, consent=consent, visit=visit)  # fmt: skip
    opened_on = _day(errors, "opened_on", opened_on)
    errors.raise_if_any()
    _ensure_territory(area, acting_user)
    now = timezone.now()
    by_consent = basis == LegalBasis.CONSENT
    data.update(number=new_number(opened_on), state=HouseholdState.OPEN, opened_on=opened_on, visit=visit,
                consent_at=now if by_consent else None, consent_version=consent_version if by_consent else "",
                created_by=acting_user)  # fmt: skip
    return do_create(Household, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


@transaction.atomic
def do_update_household(household: Household, *, acting_user, version, area: Area | None, contact_name: str,
                        hardships: list, basis: str, room: str = "", contact_phone: str = "",
                        size: int | None = None, needs: str = "", basis_note: str = "", consent: bool = False,
                        consent_version: str = "", **_ignored) -> Household:  # fmt: skip
    """The facts change (an open household's): the same checks as at entry; consent newly given is timed now, a
    consent kept keeps its time; a basis changed to a legal duty forgets the consent."""
    _ensure_staff(household, acting_user)
    errors = Errors()
    number = _version(errors, version)
    data = _household_data(errors, acting_user=acting_user, area=area, room=room, contact_name=contact_name,
                           contact_phone=contact_phone, size=size, hardships=hardships, needs=needs, basis=basis,
                           basis_note=basis_note, consent=consent, visit=None)  # fmt: skip
    errors.raise_if_any()
    _ensure_territory(area, acting_user)
    current = _locked(household, number)
    _must_be_open(current)
    if basis == LegalBasis.CONSENT:
        if current.basis != LegalBasis.CONSENT or current.consent_at is None:
            data.update(consent_at=timezone.now(), consent_version=consent_version)
    else:
        data.update(consent_at=None, consent_version="")
    data["version"] = current.version + 1
    return do_update(current, acting_user=acting_user, data=data, clean=False, action="change")


@transaction.atomic
def do_close_household(household: Household, *, acting_user, version, end_reason: str,
                       closed_on: datetime.date | None = None, **_ignored) -> Household:  # fmt: skip
    """Help ends (a reason of the list, a day not in the future nor before help started); the pairings still running
    end that day. Reopening is not offered: help starting again is a new record."""
    _ensure_staff(household, acting_user)
    errors = Errors()
    number = _version(errors, version)
    if end_reason not in HouseholdEnd.values:
        errors.add("end_reason", _("Choose why help ends."), "reason")
    closed_on = _day(errors, "closed_on", closed_on, not_before=household.opened_on)
    errors.raise_if_any()
    current = _locked(household, number)
    _must_be_open(current)
    return _close(current, acting_user, closed_on, end_reason)


def _close(current: Household, acting_user, closed_on: datetime.date, end_reason: str) -> Household:
    for pairing in current.assistances.filter(ended_on__isnull=True).select_for_update():
        ended_on = max(closed_on, pairing.started_on)
        do_update(pairing, acting_user=acting_user, data={"ended_on": ended_on}, clean=False, action=None)
    data = {"state": HouseholdState.CLOSED, "closed_on": closed_on, "end_reason": end_reason,
            "version": current.version + 1}  # fmt: skip
    return do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked by the caller


# ---- pairings (结对帮扶) ----------------------------------------------------------------------------------------


def _helper_errors(errors: Errors, household: Household, user, member, org, unit, *, required: bool) -> None:
    """One helper at most (exactly one when `required`): a member or an org the user may see, a unit the user may
    see (the units app's, by name)."""
    given = [h for h in (member, org, unit) if h is not None]
    if len(given) > 1 or (required and not given):
        errors.add("__all__", _("Choose one helper: a party member, an organization or a unit."), "one")
    if member is not None and not _visible(Member, user, member):
        errors.add("member", _("Choose a party member you may see."), "member")
    if org is not None and not _visible(Org, user, org):
        errors.add("org", _("Choose an organization you may see."), "org")
    if unit is not None and not _visible(apps.get_model("units", "Unit"), user, unit):
        errors.add("unit", _("Choose a unit you may see."), "unit")


@transaction.atomic
def do_pair(household: Household, *, acting_user, member=None, org=None, unit=None,
            started_on: datetime.date | None = None, note: str = "", **_ignored) -> Assistance:  # fmt: skip
    """A member, an org (a branch) or a unit starts helping an open household; the same helper is not paired twice
    at once."""
    _ensure_staff(household, acting_user)
    errors = Errors()
    _helper_errors(errors, household, acting_user, member, org, unit, required=True)
    started_on = _day(errors, "started_on", started_on, not_before=household.opened_on)
    note = _text(errors, "note", note, PAIR_NOTE_LENGTH)
    errors.raise_if_any()
    current = _locked(household)  # two pairings of the same helper at once: the second sees the first
    _must_be_open(current)
    helper = {"member": member, "org": org, "unit": unit}
    if current.assistances.filter(ended_on__isnull=True, **{k: v for k, v in helper.items() if v}).exists():
        raise ValidationError({"__all__": [_("This helper is paired with the household already.")]})
    data = {"household": current, **helper, "started_on": started_on, "note": note}
    return do_create(Assistance, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


@transaction.atomic
def do_end_pairing(assistance: Assistance, *, acting_user, ended_on: datetime.date | None = None,
                   **_ignored) -> Assistance:  # fmt: skip
    """A pairing ends (not before it began, not in the future); once."""
    _ensure_staff(assistance.household, acting_user)
    errors = Errors()
    ended_on = _day(errors, "ended_on", ended_on)
    if ended_on < assistance.started_on:
        errors.add("ended_on", _("Cannot be before it began."), "before_start")
    errors.raise_if_any()
    current = Assistance.objects.select_for_update().get(pk=assistance.pk)
    if current.ended_on is not None:
        raise ValidationError({"__all__": [_("This pairing has ended already.")]})
    return do_update(current, acting_user=acting_user, data={"ended_on": ended_on}, clean=False, action=None)


# ---- support given ----------------------------------------------------------------------------------------------


def _amount(errors: Errors, kind: str, amount) -> Decimal | None:
    """Money: an amount over 0 is required. Goods: optional, their worth (over 0 when given). A service or other
    support has no amount (refused): the figures of money given stay money."""
    if amount in (None, ""):
        if kind == SupportKind.MONEY:
            errors.add("amount", _("Say how much money was given."), "required")
        return None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        errors.add("amount", _("Enter an amount in yuan."), "invalid")
        return None
    if kind not in (SupportKind.MONEY, SupportKind.GOODS):
        errors.add("amount", _("Only money, or goods' worth, has an amount."), "kind")
    elif not value.is_finite() or value <= 0 or value >= Decimal("100000000"):
        errors.add("amount", _("Enter an amount over 0 yuan."), "range")
    elif value != value.quantize(Decimal("0.01")):
        errors.add("amount", _("At most two decimal places."), "decimals")
    return value


@transaction.atomic
def do_record_support(household: Household, *, acting_user, kind: str, what: str,
                      given_on: datetime.date | None = None, amount=None, member=None, org=None, unit=None,
                      visit: Visit | None = None, **_ignored) -> Support:  # fmt: skip
    """Support given to an open household: when, what, the kind, by whom (one of a member, an org, a unit; none:
    the responsible org), the amount — required (over 0) for money, optional for goods (their worth), refused for
    a service or other support. `what` is not public: not scanned for numbers."""
    _ensure_staff(household, acting_user)
    errors = Errors()
    if kind not in SupportKind.values:
        errors.add("kind", _("Choose the kind of support."), "invalid")
    what = _text(errors, "what", what, WHAT_LENGTH, required=_("Say what was given."))
    amount = _amount(errors, kind, amount)
    given_on = _day(errors, "given_on", given_on, not_before=household.opened_on)
    _helper_errors(errors, household, acting_user, member, org, unit, required=False)
    if visit is not None and not _visible(Visit, acting_user, visit):
        errors.add("visit", _("Choose a visit you may see."), "visit")
    errors.raise_if_any()
    current = _locked(household)
    _must_be_open(current)
    if member is None and org is None and unit is None:
        org = current.org
    data = {"household": current, "given_on": given_on, "kind": kind, "what": what, "amount": amount,
            "member": member, "org": org, "unit": unit, "visit": visit, "recorded_by": acting_user}  # fmt: skip
    return do_create(Support, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


# ---- the yearly review --------------------------------------------------------------------------------------------


@transaction.atomic
def do_review(household: Household, *, acting_user, outcome: str, year: int | None = None,
              reviewed_on: datetime.date | None = None, note: str = "", end_reason: str = "",
              **_ignored) -> HouseholdReview:  # fmt: skip
    """The yearly review of an open household: one a year (the year of `reviewed_on` unless given: a late review
    of last year is allowed, not one before help started nor after the review day). `close`: help ends the review
    day, for `end_reason`."""
    _ensure_staff(household, acting_user)
    errors = Errors()
    reviewed_on = _day(errors, "reviewed_on", reviewed_on, not_before=household.opened_on)
    year = reviewed_on.year if year in (None, "") else year
    try:
        year = int(year)
    except (TypeError, ValueError):
        errors.add("year", _("Enter a year."), "invalid")
        year = reviewed_on.year
    if not (household.opened_on.year <= year <= reviewed_on.year):
        errors.add("year", _("A year from help's start to the review day."), "range")
    if outcome not in ReviewOutcome.values:
        errors.add("outcome", _("Choose the outcome."), "invalid")
    elif outcome == ReviewOutcome.CLOSE and end_reason not in HouseholdEnd.values:
        errors.add("end_reason", _("Choose why help ends."), "reason")
    note = _text(errors, "note", note, NOTE_LENGTH)
    errors.raise_if_any()
    current = _locked(household)  # two reviews of one year at once: the second sees the first
    _must_be_open(current)
    if current.reviews.filter(year=year).exists():
        raise ValidationError({"year": [_("This household has been reviewed for this year already.")]})
    data = {"household": current, "year": year, "reviewed_on": reviewed_on, "outcome": outcome, "note": note,
            "reviewed_by": acting_user}  # fmt: skip
    review = do_create(HouseholdReview, acting_user=acting_user, data=data, clean=False, action=None)
    if outcome == ReviewOutcome.CLOSE:
        _close(current, acting_user, reviewed_on, end_reason)
    return review


def review_due_q(today: datetime.date | None = None) -> Q:
    """Open households with no review within the rulebook's `services.household_review_months` of today, counting
    from the day help started or the last review: due on the day that many months have passed."""
    today = today or dates.today()
    cutoff = dates.add_months(today, -int(param("services.household_review_months", today)))
    return Q(state=HouseholdState.OPEN, opened_on__lte=cutoff) & ~Q(reviews__reviewed_on__gt=cutoff)


def helped_on_q(day: datetime.date) -> Q:
    """Households being helped on `day`: help started by then and not ended before it (the statistics' figure, the
    list's `?helped_on=`)."""
    return Q(opened_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def paired_with_q(user) -> Q:
    """Open households paired (now) with the user's own member record (`?paired_with_me=true`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    mine = Assistance.objects.filter(member__user=user, ended_on__isnull=True).values("household_id")
    return Q(state=HouseholdState.OPEN, pk__in=mine)


# ---- the views of a household's details, logged -------------------------------------------------------------------


def log_view(household: Household, *, user, what: str = "detail", remote_addr=None) -> None:
    """Every view of a household's details goes to the audit trail: who, which household, which view — no personal
    data."""
    audit.record(audit.Event.SENSITIVE_VIEW, user=user, object_type="services.household", object_id=household.pk,
                 org_path=household.org.path if household.org_id else "", remote_addr=remote_addr,
                 detail={"view": what})  # fmt: skip


def is_paired(household: Household, user) -> bool:
    """The member paired with the household now (their own account): they call and visit it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return household.assistances.filter(member__user=user, ended_on__isnull=True).exists()


def may_reveal_contact(household: Household, user) -> bool:
    """The responsible side, and the member paired with it now, when it holds a contact."""
    if not (household.contact_name or household.contact_phone) or user is None:
        return False
    return is_staff(household, user) or is_paired(household, user)


def do_reveal_contact(household: Household, *, acting_user, reason: str, remote_addr=None) -> dict:
    """The contact in full, after a reason; the look is logged (the fields and the reason, never the values)."""
    reason = (reason or "").strip()
    if not may_reveal_contact(household, acting_user):
        raise ScopeViolation(_("You may not see this household's contact."))
    if len(reason) < 2:
        raise ValidationError({"reason": [_("Say why you need the full numbers (at least 2 characters).")]})
    audit.record(audit.Event.REVEAL, user=acting_user, object_type="services.household", object_id=household.pk,
                 org_path=household.org.path if household.org_id else "", remote_addr=remote_addr,
                 detail={"fields": list(CONTACT_FIELDS), "reason": reason[:200]})  # fmt: skip
    log_view(household, user=acting_user, what="reveal", remote_addr=remote_addr)
    return {name: getattr(household, name) for name in CONTACT_FIELDS}


# ---- anonymisation after the retention period -------------------------------------------------------------------


def _past_retention(household: Household, today: datetime.date) -> bool:
    closed_on = household.closed_on
    if closed_on is None:
        return False
    years = int(param("services.household_retention_years", closed_on))  # the closing day's rulebook
    return dates.add_years(closed_on, years) < today


def _wipe_change_log(model, pks: list[int]) -> None:
    """The change log keeps a snapshot of every save (an encrypted field masked with a keyed hash, a plain one in
    clear): the wiped fields are blanked in every stored snapshot of these rows too."""
    fields = WIPED_FIELDS[model]
    ct = ContentType.objects.get_for_model(model)
    for change in ObjectChange.objects.filter(content_type=ct, object_id__in=pks).only(
        "pk", "prechange_data", "postchange_data"
    ):
        before, after = change.prechange_data, change.postchange_data
        for snapshot in (before, after):
            for name in fields:
                if snapshot and snapshot.get(name):
                    snapshot[name] = WIPED
        ObjectChange.objects.filter(pk=change.pk).update(prechange_data=before, postchange_data=after)


@transaction.atomic
def anonymise_due(today: datetime.date | None = None) -> int:
    """Closed households past the retention (`services.household_retention_years`, as of the closing day) and not
    yet anonymised: contact, room, needs and basis note wiped; their supports' `what` and visits' `heard` replaced,
    the pairings' and reviews' notes emptied (kinds, amounts, dates — the figures — kept); `anonymised_at` set; the
    change log's snapshots of these rows wiped too. Written with queryset.update (no new change-log row would hold
    the values; no signal); one audit event with the counts. Returns how many; idempotent (an anonymised household
    is not touched again)."""
    today = today or dates.today()
    candidates = (Household.objects.select_for_update(skip_locked=True)
                  .filter(state=HouseholdState.CLOSED, anonymised_at__isnull=True, closed_on__lt=today)
                  .only("pk", "closed_on"))  # fmt: skip
    pks = [h.pk for h in candidates if _past_retention(h, today)]
    if not pks:
        return 0
    now = timezone.now()
    Household.objects.filter(pk__in=pks).update(**WIPED_FIELDS[Household], anonymised_at=now,
                                                 version=F("version") + 1)  # fmt: skip
    _wipe_change_log(Household, pks)
    wiped = {}
    for model in (Support, Visit, Assistance, HouseholdReview):  # the household's rows that may hold its story
        rows = list(model.objects.filter(household_id__in=pks).values_list("pk", flat=True))
        model.objects.filter(pk__in=rows).update(**WIPED_FIELDS[model])
        _wipe_change_log(model, rows)
        wiped[model._meta.model_name] = len(rows)
    audit.record(audit.Event.ANONYMISED, user=None, object_type="services.household",
                 detail={"households": len(pks), **wiped})  # fmt: skip
    return len(pks)
