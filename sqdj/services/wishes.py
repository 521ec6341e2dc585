"""微心愿 (issue 17 item 3): a community posts a small wish (what, for whom — an anonymous label, by when); a party
member, a service team or a unit claims it (one active claim at a time); the claimant fulfils it (a photo optional,
kept privately) and the staff close it. A member's fulfilment counts in their service record: the hours go out on
core.plugins.service_rendered and the volunteers app records them (a refusal there undoes the fulfilment too).

A wish is a Request of kind `wish`; its claims are WishClaim rows. Every action locks the wish's row and checks the
version the user read: of two people claiming one wish at once, one succeeds and the other gets a conflict."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.areas.models import Area
from sqdj.areas.services import community_at
from sqdj.core.files import check_photo, private_name, private_storage
from sqdj.core.plugins import service_rendered
from sqdj.core.services import Errors, ScopeViolation, do_create, do_update
from sqdj.members.models import Member

from .choices import ENDED_STATES, ClaimState, RequestKind, RequestState, Source
from .models import Request, WishClaim, wish_claimable_q
from .requests import _locked, _step, _text, _version, do_create_request, is_staff

OPEN = (RequestState.RECEIVED, RequestState.ACCEPTED)  # a wish waiting for its claimant
REASON_LENGTH, FULFILMENT_LENGTH = 200, 300
HELPERS = ("member", "team", "unit")


def wishes() -> QuerySet:
    return Request.objects.filter(kind=RequestKind.WISH)


def _claims(state, **filters) -> Exists:
    states = [state] if isinstance(state, str) else list(state)
    return Exists(WishClaim.objects.filter(request=OuterRef("pk"), state__in=states, **filters))


def open_q() -> Q:
    """Waiting for a claimant: received or accepted, and no active claim."""
    return Q(kind=RequestKind.WISH, state__in=OPEN) & ~Q(_claims((ClaimState.CLAIMED, ClaimState.FULFILLED)))


def claimed_q() -> Q:
    """Claimed and not fulfilled yet."""
    return Q(kind=RequestKind.WISH) & Q(_claims(ClaimState.CLAIMED))


def fulfilled_q() -> Q:
    """Fulfilled, waiting for the staff to close it."""
    return Q(kind=RequestKind.WISH) & Q(_claims(ClaimState.FULFILLED)) & ~Q(state__in=ENDED_STATES)


def closed_q() -> Q:
    return Q(kind=RequestKind.WISH, state__in=ENDED_STATES)


def late_q(now: datetime.datetime | None = None) -> Q:
    """Claimed (the active claim not fulfilled) and past its by-when: the community's to-do."""
    return claimed_q() & Q(due_at__lt=now or timezone.now())


def mine_q(user) -> Q:
    """Claimed (not fulfilled yet) by the user's own member record, or by the unit they are the liaison of."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(kind=RequestKind.WISH) & Q(_claims(ClaimState.CLAIMED, **_own_claim_filter(user)))


def _own_claim_filter(user) -> dict:
    return {"pk__in": WishClaim.objects.filter(WishClaim.scope_self_q(user)).values("pk")}


# ---- whom a self-only role claims for, and where ------------------------------------------------------------------


def own_member(user) -> Member | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(user=user).order_by("pk").first()


def own_units(user) -> list:
    """The units the user is the current liaison of."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    Unit = apps.get_model("units", "Unit")
    return list(Unit.objects.filter(contacts__user=user, contacts__ended_on__isnull=True).select_related("area"))


def claimable_q(user) -> Q:
    """The open wishes a member (or a unit's liaison) may claim in self service: in their own communities."""
    return wish_claimable_q(user)


def visible(user) -> QuerySet:
    """The wishes the user sees, through the scope gate: those of their territory; for a member and a unit's liaison
    also the open wishes of their communities (to claim them) and those they have claimed (Request.scope_self_q)."""
    return Request.objects.restrict(user, "view").filter(kind=RequestKind.WISH)


def active_claim(wish: Request) -> WishClaim | None:
    return wish.claims.filter(state__in=(ClaimState.CLAIMED, ClaimState.FULFILLED)).order_by("-pk").first()


def is_claimant(claim: WishClaim, user) -> bool:
    """The member who claimed (their own account), or the liaison of the unit that claimed."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return WishClaim.objects.filter(WishClaim.scope_self_q(user), pk=claim.pk).exists()


def may_claim_self(wish: Request, user) -> bool:
    """A member or a unit's liaison may claim this open wish for themself (their unit)."""
    return wishes().filter(claimable_q(user), pk=wish.pk).exists()


def allowed_actions(wish: Request, user) -> list[str]:
    """The wish page's buttons for `user` now."""
    staff = is_staff(wish, user)
    claim = active_claim(wish)
    actions = []
    if claim is None and wish.state in OPEN and (staff or may_claim_self(wish, user)):
        actions.append("claim")
    if claim is not None and claim.state == ClaimState.CLAIMED:
        actions += ["fulfil", "withdraw"] if staff else ["withdraw"] if is_claimant(claim, user) else []
    if staff and wish.state == RequestState.RESOLVED:
        actions.append("close")
    return actions


# ---- the services ------------------------------------------------------------------------------------------------


@transaction.atomic
def do_post_wish(*, acting_user, summary: str, beneficiary: str, wanted_by, area: Area | None,
                 description: str = "", source: str = Source.VISIT, **_ignored) -> Request:  # fmt: skip
    """The community's staff post a wish (in their own territory: do_create_request checks it). The description
    may be left out: the summary then says it all."""
    return do_create_request(acting_user=acting_user, kind=RequestKind.WISH, summary=summary,
                             description=(description or "").strip() or summary, area=area, source=source,
                             beneficiary=beneficiary, wanted_by=wanted_by)  # fmt: skip


def _claimant_kind(member, team, unit) -> str:
    if member is not None:
        return _("a party member")
    return _("a service team") if team is not None else _("a unit")


def _ensure_seen(wish: Request, user) -> None:
    if user is not None and not visible(user).filter(pk=wish.pk).exists():
        raise ScopeViolation(_("You may not handle this wish."))


@transaction.atomic
def do_claim_wish(wish: Request, *, acting_user, version, member=None, team=None, unit=None,
                  **_ignored) -> WishClaim:  # fmt: skip
    """One claimant (a member, a team or a unit) takes an open wish. The community's staff claim for a member, a
    team or a unit of their territory; a member for themself; a unit's liaison for their unit."""
    Unit = apps.get_model("units", "Unit")
    _ensure_seen(wish, acting_user)
    staff = is_staff(wish, acting_user)
    errors = Errors()
    number = _version(errors, version)
    given = [v for v in (member, team, unit) if v is not None]
    if len(given) != 1:
        errors.add("__all__", _("Choose one claimant: a party member, a service team or a unit."), "one")
    if wish.kind != RequestKind.WISH:
        errors.add("__all__", _("This is not a small wish."), "kind")
    if staff and acting_user is None:  # a system job (the demo): no one's territory to check
        pass
    elif staff:
        if member is not None and not Member.objects.restrict(acting_user, "view").filter(pk=member.pk).exists():
            errors.add("member", _("Choose a party member you may see."), "member")
        if team is not None and not claimable_teams(wish, acting_user).filter(pk=team.pk).exists():
            errors.add("team", _("Choose an active service team of the wish's community."), "team")
        if unit is not None and not Unit.objects.restrict(acting_user, "view").filter(pk=unit.pk).exists():
            errors.add("unit", _("Choose a unit you may see."), "unit")
    elif may_claim_self(wish, acting_user):
        own = own_member(acting_user)
        units = {u.pk for u in own_units(acting_user)}
        mine = (member is not None and own is not None and member.pk == own.pk) or (
            unit is not None and unit.pk in units
        )
        if team is not None or (given and not mine):
            raise ScopeViolation(_("You may claim a wish only for yourself (or the unit you are the liaison of)."))
    else:
        raise ScopeViolation(_("Only the wish's community, or a party member or unit of it, may claim it."))
    errors.raise_if_any()
    current = _locked(wish, number)
    if current.state not in OPEN or active_claim(current) is not None:
        raise ValidationError({"__all__": [_("This wish has been claimed already.")]})
    now = timezone.now()
    kind = _claimant_kind(member, team, unit)
    claim = do_create(WishClaim, acting_user=acting_user, clean=False, action=None, data={
        "request": current, "member": member, "team": team, "unit": unit, "state": ClaimState.CLAIMED,
        "claimed_at": now, "claimed_by": acting_user})  # fmt: skip
    data = {"state": RequestState.IN_PROGRESS, "accepted_at": current.accepted_at or now,
            "version": current.version + 1}  # fmt: skip
    current = do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above
    text = _("Claimed by %(kind)s.") % {"kind": kind}
    # the public note names the kind only; the staff's note names the claimant
    _step(current, RequestState.IN_PROGRESS, by=acting_user, at=now, note=f"{text} {given[0]}"[:500],
          public_note=text)  # fmt: skip
    claim.request = current
    return claim


def claimable_teams(wish: Request, user):
    """The active service teams of the wish's community the user may see (the volunteers app's, by name)."""
    Team = apps.get_model("volunteers", "Team")
    community = community_at(wish.area)
    if community is None:
        return Team.objects.none()
    return Team.objects.restrict(user, "view").filter(community=community, active=True)


def _may_act_on_claim(claim: WishClaim, user, *, staff_only: bool = False) -> None:
    _ensure_seen(claim.request, user)
    if is_staff(claim.request, user):
        return
    if staff_only:
        raise ScopeViolation(_("The wish's community records its fulfilment."))
    if not is_claimant(claim, user):
        raise ScopeViolation(_("Only the wish's community or its claimant may do this."))


def _locked_claim(claim: WishClaim, wish_version) -> tuple[Request, WishClaim]:
    """The wish locked at the version read (a conflict otherwise), and its claim as stored, still claimed."""
    wish = _locked(claim.request, wish_version)
    current = WishClaim.objects.select_for_update().get(pk=claim.pk)
    if current.state != ClaimState.CLAIMED:
        raise ValidationError({"__all__": [_("This claim is no longer open.")]})
    return wish, current


@transaction.atomic
def do_withdraw_claim(claim: WishClaim, *, acting_user, version, reason: str, **_ignored) -> WishClaim:
    """The claimant (or the staff) gives the wish back: it is open again. `version`: the wish's, as read."""
    _may_act_on_claim(claim, acting_user)
    errors = Errors()
    number = _version(errors, version)
    reason = _text(errors, "reason", reason, REASON_LENGTH, required=_("Say why the claim is withdrawn."))
    errors.raise_if_any()
    wish, current = _locked_claim(claim, number)
    now = timezone.now()
    claim = do_update(current, acting_user=acting_user, clean=False, action=None, data={
        "state": ClaimState.WITHDRAWN, "withdrawn_at": now, "version": current.version + 1})  # fmt: skip
    wish = do_update(wish, acting_user=acting_user, clean=False, action=None,
                     data={"state": RequestState.RECEIVED, "version": wish.version + 1})  # fmt: skip
    text = _("The claim was withdrawn: the wish is open again.")
    _step(wish, RequestState.RECEIVED, by=acting_user, at=now, note=f"{text} {reason}"[:500], public_note=text)
    claim.request = wish
    return claim


def _hours(errors: Errors, hours, required: bool):
    if hours in (None, ""):
        if required:
            errors.add("hours", _("Give the hours the member served: they count in the member's service record."),
                       "required")  # fmt: skip
        return None
    try:
        value = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        errors.add("hours", _("Give the hours as a number, such as 1.5."), "invalid")
        return None
    if not value.is_finite() or value < 0 or value >= 1000:
        errors.add("hours", _("Give the hours as a number, such as 1.5."), "invalid")
        return None
    return value


@transaction.atomic
def do_fulfil_wish(claim: WishClaim, *, acting_user, version, fulfilled_on, fulfilment: str, hours=None,
                   photo=None, **_ignored) -> WishClaim:  # fmt: skip
    """The claimant (or the staff) records the fulfilment: when, what was done, a photo (optional, kept privately).
    The wish is resolved; the staff close it after. A member's claim needs the hours: the fulfilment is the member's
    service and goes into their service record (core.plugins.service_rendered) — a record refused there (more than
    the 24 hours of a day …) refuses the fulfilment too. `version`: the wish's, as read.

    The community's staff record it (the claimant tells them): the member's service record it makes is a verified
    one, which the member may not give themself."""
    _may_act_on_claim(claim, acting_user, staff_only=True)
    errors = Errors()
    number = _version(errors, version)
    fulfilment = _text(errors, "fulfilment", fulfilment, FULFILMENT_LENGTH, required=_("Say what was done."))
    today = timezone.localdate()
    if fulfilled_on is None:
        errors.add("fulfilled_on", _("This field is required."), "required")
    elif fulfilled_on > today:
        errors.add("fulfilled_on", _("Cannot be in the future."), "future")
    elif fulfilled_on < timezone.localdate(claim.claimed_at):
        errors.add("fulfilled_on", _("Cannot be before the wish was claimed."), "before_claim")
    value = _hours(errors, hours, required=claim.member_id is not None)
    extension = None
    if photo:
        try:
            extension = check_photo(photo)
        except ValidationError as exc:
            errors.add("photo", exc.messages[0], "photo")
    errors.raise_if_any()
    wish, current = _locked_claim(claim, number)
    now = timezone.now()
    if current.member_id is not None:  # first: a refusal there leaves nothing written here
        community = community_at(wish.area)
        service_rendered.send(sender=WishClaim, member=current.member, org=wish.org, community=community,
                              served_on=fulfilled_on, hours=value, acting_user=acting_user,
                              content=_("Small wish: %(summary)s") % {"summary": wish.summary},
                              place=wish.area.name)  # fmt: skip
    data = {"state": ClaimState.FULFILLED, "fulfilled_on": fulfilled_on, "fulfilment": fulfilment, "hours": value,
            "version": current.version + 1}  # fmt: skip
    if extension is not None:  # written last: every check before it has passed
        data["photo"] = private_storage.save(private_name("wishes", extension), photo)
    claim = do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above
    wish = do_update(wish, acting_user=acting_user, clean=False, action=None, data={
        "state": RequestState.RESOLVED, "resolved_at": now, "resolution": fulfilment,
        "accepted_at": wish.accepted_at or now, "version": wish.version + 1})  # fmt: skip
    _step(wish, RequestState.RESOLVED, by=acting_user, at=now, note=fulfilment[:500],
          public_note=_("The wish is fulfilled."))  # fmt: skip
    claim.request = wish
    return claim
