"""Posts and teams (issue 16, part 2): the catalogue of post kinds (岗位目录, the 五员 first), the posts a community
publishes, the service teams, and the claims on them — a member claims a post or asks to join a team, the community
approves or declines, an approved one ends with a day and a reason. PostClaim and TeamMember share the abstract
`Claim`, and one set of functions here serves both (`do_approve`, `do_decline`, `do_end_claim`)."""

from __future__ import annotations

import datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.areas.choices import AreaType
from sqdj.core import dates
from sqdj.core.scope import can, is_unrestricted
from sqdj.core.services import Conflict, Errors, ScopeViolation, do_create, do_update, end_data, ensure_in_scope
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .choices import ClaimEnd, ClaimState
from .common import acts_for, community_of, ensure_acts_for
from .models import Claim, Post, PostClaim, PostKind, Team, TeamMember

OPEN_CLAIM = (ClaimState.PENDING, ClaimState.APPROVED)


def _ensure_changes_org(acting_user, org, message: str) -> None:
    if acting_user is not None and not Org.objects.restrict(acting_user, "change").filter(pk=org.pk).exists():
        raise ScopeViolation(message)


# ---- the catalogue (岗位目录) ------------------------------------------------------------------------------------


def may_edit_kind(user, org) -> bool:
    """An org's own kinds: whoever may change that org; the national kinds (no org, the seeded 五员): a system
    administrator only. The gate lets everyone see the national kinds and those of the orgs above: not change them."""
    if user is None:
        return True
    if org is None:
        return is_unrestricted(user)
    return Org.objects.restrict(user, "change").filter(pk=org.pk).exists()


def _ensure_may_edit_kind(user, org) -> None:
    if not may_edit_kind(user, org):
        raise ScopeViolation(_("Only a system administrator changes the national catalogue; an organization changes "
                               "its own kinds."))  # fmt: skip


def _kind_data(code, name, duties, position, active, *, exclude=None) -> dict:
    errors = Errors()
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        errors.add("code", _("This field is required."), "required")
    elif PostKind.objects.filter(code=code).exclude(pk=exclude).exists():
        errors.add("code", _("A post kind with this code exists already."), "code")
    if not name:
        errors.add("name", _("This field is required."), "required")
    errors.raise_if_any()
    return {"code": code, "name": name, "duties": (duties or "").strip(), "position": position, "active": active}


@transaction.atomic
def do_create_post_kind(*, acting_user, org=None, code: str, name: str, duties: str = "", position: int = 100,
                        active: bool = True) -> PostKind:  # fmt: skip
    _ensure_may_edit_kind(acting_user, org)
    data = {"org": org, **_kind_data(code, name, duties, position, active)}
    return do_create(PostKind, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


@transaction.atomic
def do_update_post_kind(kind: PostKind, *, acting_user, code: str, name: str, duties: str = "", position: int = 100,
                        active: bool = True, **_ignored) -> PostKind:  # fmt: skip
    """The org of a kind stays (a national kind stays national)."""
    _ensure_may_edit_kind(acting_user, kind.org)
    data = _kind_data(code, name, duties, position, active, exclude=kind.pk)
    return do_update(kind, acting_user=acting_user, data=data, clean=False, action=None)


def kinds_for(org) -> Q:
    """The kinds a post of `org` may take: the national ones and those of the org and the orgs above it."""
    return PostKind.scope_org_q(org, False) & Q(active=True)


# ---- posts (岗位) ----------------------------------------------------------------------------------------------


def open_q(on: datetime.date) -> Q:
    """Posts taking claims on `on`: not closed (or closed only from a later day) and not past their end."""
    return (Q(closed_on__isnull=True) | Q(closed_on__gt=on)) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def approved_count(post: Post) -> int:
    return PostClaim.objects.filter(post=post, state=ClaimState.APPROVED).count()


def post_errors(errors: Errors, *, org, kind, places, starts_on, ends_on) -> None:
    """The rules of a post's fields (the form shows them on its fields before the model's constraints would)."""
    if kind is not None and org is not None and not PostKind.objects.filter(kinds_for(org), pk=kind.pk).exists():
        errors.add("kind", _("This post kind is not in use for this organization."), "kind")
    if places is None or places < 1:
        errors.add("places", _("At least one person."), "places")
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        errors.add("ends_on", _("Cannot be before it begins."), "ends_on")


@transaction.atomic
def do_create_post(*, acting_user, org, kind, service_area: str, title: str, starts_on: datetime.date, places: int = 1,
                   ends_on: datetime.date | None = None, duties: str = "", place: str = "") -> Post:  # fmt: skip
    """A community publishes a post: the org is one the user may change, and stands in a community."""
    _ensure_changes_org(acting_user, org, _("You may publish posts only for organizations you may change."))
    errors = Errors()
    community = community_of(org)
    if community is None:
        errors.add("org", _("This organization stands in no community: a post needs one."), "community")
    post_errors(errors, org=org, kind=kind, places=places, starts_on=starts_on, ends_on=ends_on)
    if not (title or "").strip():
        errors.add("title", _("This field is required."), "required")
    errors.raise_if_any()
    data = {"org": org, "community": community, "kind": kind, "service_area": service_area, "title": title.strip(),
            "duties": (duties or "").strip(), "place": (place or "").strip(), "places": places,
            "starts_on": starts_on, "ends_on": ends_on}  # fmt: skip
    return do_create(Post, acting_user=acting_user, data=data)


@transaction.atomic
def do_update_post(post: Post, *, acting_user, kind, service_area: str, title: str, places: int,
                   starts_on: datetime.date, ends_on: datetime.date | None = None, duties: str = "", place: str = "",
                   **_ignored) -> Post:  # fmt: skip
    """Everything but the org (and so the community): fewer places than the approved claims is refused."""
    ensure_in_scope(post, acting_user, "change")
    current = Post.objects.select_for_update().get(pk=post.pk)  # the places against approvals made meanwhile
    errors = Errors()
    post_errors(errors, org=current.org, kind=kind, places=places, starts_on=starts_on, ends_on=ends_on)
    approved = approved_count(current)
    if places is not None and places >= 1 and places < approved:
        errors.add("places", _("%(n)d claims are approved already.") % {"n": approved}, "approved")
    if not (title or "").strip():
        errors.add("title", _("This field is required."), "required")
    errors.raise_if_any()
    data = {"kind": kind, "service_area": service_area, "title": title.strip(), "duties": (duties or "").strip(),
            "place": (place or "").strip(), "places": places, "starts_on": starts_on, "ends_on": ends_on}  # fmt: skip
    return do_update(current, acting_user=acting_user, data=data)


@transaction.atomic
def do_close_post(post: Post, *, acting_user, closed_on: datetime.date | None = None) -> Post:
    """No more claims from `closed_on` (today by default; not in the past). Claims made stay as they are."""
    ensure_in_scope(post, acting_user, "change")
    current = Post.objects.select_for_update().get(pk=post.pk)
    if current.closed_on is not None:
        raise Conflict(_("This post was closed already."))
    closed_on = closed_on or dates.today()
    if closed_on < dates.today():
        raise ValidationError({"closed_on": [_("Cannot be in the past.")]})
    return do_update(current, acting_user=acting_user, data={"closed_on": closed_on}, clean=False)


# ---- teams (党员志愿者服务队) ---------------------------------------------------------------------------------------


def _team_errors(errors: Errors, *, community, name: str, leader, acting_user, exclude=None) -> None:
    if not name:
        errors.add("name", _("This field is required."), "required")
    elif community is not None:
        same = Team.objects.filter(community=community, name=name, active=True)
        if same.exclude(pk=exclude).exists() if exclude else same.exists():
            errors.add("name", _("The community has a team of this name already."), "name")
    if leader is not None and acting_user is not None:
        if not Member.objects.restrict(acting_user, "view").filter(pk=leader.pk).exists():
            errors.add("leader", _("Choose a party member you may see."), "leader")


@transaction.atomic
def do_create_team(*, acting_user, org, name: str, service_area: str, founded_on: datetime.date, community=None,
                   purpose: str = "", leader=None) -> Team:  # fmt: skip
    """A community org's team serves its own community; a unit org's team (an org standing in no community) serves
    the community chosen for it."""
    _ensure_changes_org(acting_user, org, _("You may set up teams only for organizations you may change."))
    errors = Errors()
    own = community_of(org)
    if own is not None and community is not None and community.pk != own.pk:
        errors.add("community", _("The team of an organization in a community serves that community."), "community")
    community = own or community
    if community is None:
        errors.add("community", _("Choose the community the team serves."), "required")
    elif community.type != AreaType.COMMUNITY:
        errors.add("community", _("Choose a community (社区)."), "type")
    if founded_on is not None and founded_on > dates.today():
        errors.add("founded_on", _("Cannot be in the future."), "future")
    name = (name or "").strip()
    _team_errors(errors, community=community, name=name, leader=leader, acting_user=acting_user)
    errors.raise_if_any()
    data = {"org": org, "community": community, "name": name, "service_area": service_area,
            "purpose": (purpose or "").strip(), "leader": leader, "founded_on": founded_on}  # fmt: skip
    return do_create(Team, acting_user=acting_user, data=data)


@transaction.atomic
def do_update_team(team: Team, *, acting_user, name: str, service_area: str, founded_on: datetime.date,
                   purpose: str = "", leader=None, **_ignored) -> Team:  # fmt: skip
    """The org and the community stay; the rest may change."""
    ensure_in_scope(team, acting_user, "change")
    errors = Errors()
    name = (name or "").strip()
    _team_errors(errors, community=team.community, name=name, leader=leader, acting_user=acting_user,
                 exclude=team.pk)  # fmt: skip
    if founded_on is not None and founded_on > dates.today():
        errors.add("founded_on", _("Cannot be in the future."), "future")
    errors.raise_if_any()
    data = {"name": name, "service_area": service_area, "purpose": (purpose or "").strip(), "leader": leader,
            "founded_on": founded_on}  # fmt: skip
    return do_update(team, acting_user=acting_user, data=data)


@transaction.atomic
def do_end_team(team: Team, *, acting_user, ended_on: datetime.date | None = None) -> Team:
    """The team disbands: no more requests; its pending requests are declined and its memberships end on the same
    day (reason: disbanded) — they stay in the history, none is left open on a team that no longer exists."""
    ensure_in_scope(team, acting_user, "change")
    current = Team.objects.select_for_update().get(pk=team.pk)
    if not current.active:
        raise Conflict(_("This team has ended already."))
    ended_on = ended_on or dates.today()
    if ended_on > dates.today():
        raise ValidationError({"ended_on": [_("Cannot be in the future.")]})
    if ended_on < current.founded_on:
        raise ValidationError({"ended_on": [_("Cannot be before it began.")]})
    ended = do_update(current, acting_user=acting_user, data={"active": False, "ended_on": ended_on}, clean=False)
    now = timezone.now()
    note = _("The team disbanded")
    for claim in TeamMember.objects.select_for_update().filter(team=current, state__in=OPEN_CLAIM).order_by("pk"):
        if claim.state == ClaimState.PENDING:
            data = {"state": ClaimState.DECLINED, "decided_by": acting_user, "decided_at": now, "decision_note": note}
        else:
            data = {"state": ClaimState.ENDED, "ended_on": max(ended_on, claim.applied_on),
                    "end_reason": ClaimEnd.DISBANDED}  # fmt: skip
        do_update(claim, acting_user=acting_user, data=data, clean=False, action=None)  # the team's change, checked
    return ended


# ---- claims: one set of functions for post claims and team memberships -----------------------------------------


def target_of(claim: Claim):
    """The post or team a claim is on."""
    return claim.post if isinstance(claim, PostClaim) else cast(TeamMember, claim).team


def _target_field(model) -> str:
    return "post" if model is PostClaim else "team"


def _refusal(target, model, member, on: datetime.date) -> dict[str, list[str]]:
    """Why `member` may not claim `target` now ({}: they may). `target` is the locked row."""
    field = _target_field(model)
    errors: dict[str, list[str]] = {}
    if isinstance(target, Post):
        if target.closed_on is not None and target.closed_on <= on:
            errors[field] = [_("This post is closed: it takes no more claims.")]
        elif target.ends_on is not None and target.ends_on < on:
            errors[field] = [_("This post's period is over.")]
        elif approved_count(target) >= target.places:
            errors[field] = [_("The places of this post are filled.")]
    elif not target.active:
        errors[field] = [_("This team has ended.")]
    if model.objects.filter(**{field: target}, member=member, state__in=OPEN_CLAIM).exists():
        errors["member"] = [_("The member has claimed this post already.") if model is PostClaim
                            else _("The member is in this team already.")]  # fmt: skip
    return errors


@transaction.atomic
def _apply(model, target, member: Member, *, acting_user) -> Claim:
    """The member (or whoever may change the member) asks for `target`, which the acting user sees."""
    ensure_acts_for(acting_user, member)
    if acting_user is not None and not type(target).objects.restrict(acting_user, "view").filter(pk=target.pk).exists():
        raise ScopeViolation(_("You may not see this."))
    locked = type(target).objects.select_for_update().get(pk=target.pk)  # the places against approvals meanwhile
    errors = _refusal(locked, model, member, dates.today())
    if errors:
        raise ValidationError(errors)
    data = {_target_field(model): locked, "member": member, "applied_on": dates.today()}
    # the acting user decided above (the member themself has no "add" role): no gate re-check
    return do_create(model, acting_user=acting_user, data=data, clean=False, action=None)


def do_claim_post(post: Post, member: Member, *, acting_user) -> PostClaim:
    return _apply(PostClaim, post, member, acting_user=acting_user)  # type: ignore[return-value]


def do_join_team(team: Team, member: Member, *, acting_user) -> TeamMember:
    return _apply(TeamMember, team, member, acting_user=acting_user)  # type: ignore[return-value]


def may_decide(claim: Claim, user) -> bool:
    """The community side decides: whoever may change the post or team (the gate's change scope of the claim)."""
    return user is None or can(user, "change", claim)


def may_end(claim: Claim, user) -> bool:
    """Either side ends an approved claim: the member (or their own org, acting for them), or the community."""
    return may_decide(claim, user) or acts_for(user, claim.member)


def _locked(claim: Claim) -> Claim:
    """The target locked first, then the claim (the same order everywhere: no deadlock), as stored now."""
    target_model = Post if isinstance(claim, PostClaim) else Team
    target_model.objects.select_for_update().get(pk=target_of(claim).pk)
    return type(claim).objects.select_for_update().get(pk=claim.pk)


def _decide(claim: Claim, *, acting_user, state: str, note: str) -> Claim:
    if not may_decide(claim, acting_user):
        raise ScopeViolation(_("Only the community that published it decides."))
    current = _locked(claim)
    if current.state != ClaimState.PENDING:
        raise Conflict(_("Someone decided on this already: it is %(state)s.") % {"state": current.get_state_display()})
    target = target_of(current)
    if state == ClaimState.APPROVED and isinstance(target, Post) and approved_count(target) >= target.places:
        raise ValidationError({"decision_note": [_("The places of this post are filled.")]})
    data = {"state": state, "decided_by": acting_user, "decided_at": timezone.now(),
            "decision_note": (note or "").strip()[:200]}  # fmt: skip
    return do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


@transaction.atomic
def do_approve(claim: Claim, *, acting_user, note: str = "") -> Claim:
    """The community approves a pending claim or team request; never past the post's places."""
    return _decide(claim, acting_user=acting_user, state=ClaimState.APPROVED, note=note)


@transaction.atomic
def do_decline(claim: Claim, *, acting_user, note: str = "") -> Claim:
    return _decide(claim, acting_user=acting_user, state=ClaimState.DECLINED, note=note)


@transaction.atomic
def do_end_claim(claim: Claim, *, acting_user, reason: str, ended_on: datetime.date | None = None,
                 note: str = "") -> Claim:  # fmt: skip
    """Either side ends an approved claim (or team membership) with a day and a reason; it stays in the history."""
    if not may_end(claim, acting_user):
        raise ScopeViolation(_("Only the member or the community ends this."))
    current = _locked(claim)
    if current.state != ClaimState.APPROVED:
        raise Conflict(_("Only an approved one ends: it is %(state)s.") % {"state": current.get_state_display()})
    started = timezone.localdate(current.decided_at) if current.decided_at else current.applied_on
    data = end_data(reason=reason, reasons=ClaimEnd.values, ended_on=ended_on, started_on=started, note=note)
    del data["active"]  # a claim says it by its state
    data["state"] = ClaimState.ENDED
    return do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above
