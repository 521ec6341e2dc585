"""Service records and hours (issue 16, item 4): recorded by the organizer — verified at once when the recorder is on
the community's side, else waiting — or declared by the member and verified by the community: two steps, each with
who and when. A correction keeps the history (the change log, with its reason) and sends the record back for
verification. Every `do_*` is one transaction, validated with Chinese field errors before anything is written."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.core import dates
from sqdj.core.scope import anchors, is_unrestricted
from sqdj.core.services import Conflict, ScopeViolation, do_create, do_update, ensure_in_scope
from sqdj.members.communities import communities_of, own_communities
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .choices import HoursSource, HoursState
from .common import community_of, community_org, ensure_acts_for
from .models import Activity, Post, ServiceHours, Team

# The hours of one calendar day: what a member's records of a day can add up to at most. Not a regulatory threshold
# (the rulebook has none), just the clock.
HOURS_OF_A_DAY = Decimal(24)
STEP = Decimal("0.5")  # hours are recorded in half hours


# ---- who is on the community's side -----------------------------------------------------------------------------


def community_side_q(user, field: str = "community") -> Q:
    """The communities (`field`: a path to an Area) whose records `user` may verify: those within the territory of
    an org the user may change (the community's own org line, a street above it) — not the recording org's line
    unless it stands there, nor the member's own org (the unit side reads only)."""
    if is_unrestricted(user):
        return Q()
    parts = [
        Q(**{f"{field}__path__startswith": org.area.path}) if below else Q(**{field: org.area_id})
        for org, below in anchors(user, "change")
        if org.area_id
    ]
    return reduce(or_, parts) if parts else Q(pk__in=[])


def on_community_side(user, community) -> bool:
    """Whether `user` acts for `community` (None: a system job, as trusted as the community itself)."""
    if user is None:
        return True
    return _covers(user, community)


def _covers(user, community) -> bool:
    """`community_side_q` for one community, from the anchors already read (no query)."""
    if is_unrestricted(user):
        return True
    for org, below in anchors(user, "change"):
        area = org.area
        if area is not None and (area.pk == community.pk or (below and community.path.startswith(area.path))):
            return True
    return False


def may_verify(record: ServiceHours, user) -> bool:
    """Whoever may change the record and is on its community's side (None: a system job)."""
    if user is None:
        return True
    changeable = ServiceHours.objects.restrict(user, "change").filter(pk=record.pk)
    return _covers(user, record.community) and changeable.exists()


def awaiting_verification(user) -> Q:
    """The records waiting for `user`'s verification (the workbench's to-do, the list's `?to_verify=true`)."""
    if user is None:
        return Q(pk__in=[])
    return Q(state=HoursState.PENDING) & community_side_q(user)


# ---- validation ------------------------------------------------------------------------------------------------------


def _hours(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip()) if value is not None and str(value).strip() != "" else None
    except (InvalidOperation, ValueError):
        return None
    return number if number is not None and number.is_finite() else None


def _errors(member, *, served_on, hours, content, place, activity=None, exclude_pk=None) -> dict[str, list[str]]:
    """What is wrong with one record of `member` (field → messages); {}: nothing."""
    errors: dict[str, list[str]] = {}
    value = _hours(hours)
    if not (content or "").strip():
        errors["content"] = [_("Say what the service was.")]
    if not (place or "").strip():
        errors["place"] = [_("Say where the service took place.")]
    if served_on is None:
        errors["served_on"] = [_("This field is required.")]
    elif served_on > dates.today():
        errors["served_on"] = [_("Cannot be in the future.")]
    elif activity is not None and served_on < timezone.localdate(activity.starts_at):
        errors["served_on"] = [_("Cannot be before the day of the activity.")]
    if value is None:
        errors["hours"] = [_("Give the hours as a number, such as 1.5.")]
    elif value <= 0 or value > HOURS_OF_A_DAY:
        errors["hours"] = [_("The hours must be more than 0 and at most 24.")]
    elif value % STEP:
        errors["hours"] = [_("The hours go in steps of half an hour (such as 1, 1.5 or 2).")]
    if value is not None and "hours" not in errors and "served_on" not in errors:
        had = _day_total(member, served_on, exclude_pk)
        if had + value > HOURS_OF_A_DAY:
            errors["hours"] = [
                _("With the member's other records of that day (%(had)s hours) this makes more than the 24 hours "
                  "of a day.") % {"had": had}
            ]  # fmt: skip
    return errors


def _day_total(member, day: datetime.date, exclude_pk=None) -> Decimal:
    """The hours of `member`'s records of `day` that count (rejected ones do not)."""
    qs = ServiceHours.objects.filter(member=member, served_on=day).exclude(state=HoursState.REJECTED)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("hours"))["total"] or Decimal(0)


def _lock_member(member: Member) -> None:
    """Two records of one member at once could each fit the day and together not: the second waits for the first."""
    Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True).first()


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _new_record(member, *, acting_user, org, community, served_on, hours, content, place, source, activity=None,
                post=None, team=None, verified: bool, action: str | None):  # fmt: skip
    now = timezone.now()
    data = {
        "member": member, "org": org, "community": community, "activity": activity, "post": post, "team": team,
        "served_on": served_on, "hours": _hours(hours), "content": content.strip(), "place": place.strip(),
        "source": source, "state": HoursState.VERIFIED if verified else HoursState.PENDING,
        "recorded_by": acting_user, "recorded_at": now,
        "verified_by": acting_user if verified else None, "verified_at": now if verified else None,
    }  # fmt: skip
    return do_create(ServiceHours, acting_user=acting_user, data=data, clean=False, action=action)  # validated


# ---- recording, declaring ----------------------------------------------------------------------------------------


def _where(*, acting_user, activity, post, team, org):
    """The recording org and the community of an organizer's record, checked against what the user may change."""

    def changeable(model, obj):
        return acting_user is None or model.objects.restrict(acting_user, "change").filter(pk=obj.pk).exists()

    if activity is not None:
        if not changeable(Activity, activity):
            raise ScopeViolation(_("Only the activity's organizer records its hours."))
        return activity.org, activity.community, {}
    errors: dict[str, list[str]] = {}
    for model, obj in ((Post, post), (Team, team)):
        if obj is not None and not changeable(model, obj):
            raise ScopeViolation(_("You may not record hours for this post or team."))
    if org is None:
        return None, None, {"org": [_("Choose the recording organization (or an activity).")]}
    if not changeable(Org, org):
        raise ScopeViolation(_("You may not record hours for this organization."))
    community = post.community if post is not None else team.community if team is not None else community_of(org)
    if community is None:
        errors["org"] = [_("This organization stands in no community: choose one of a community.")]
    return org, community, errors


@transaction.atomic
def do_record_hours(*, acting_user, member, served_on, hours, content="", place="", activity=None, post=None,
                    team=None, org=None, **_ignored) -> ServiceHours:  # fmt: skip
    """The organizer records a member's hours: after an activity (its org and community), or for a post duty or other
    service (an org the user may change; its community). Verified at once when the recorder is on the community's
    side, else waiting for the community's verification."""
    if acting_user is not None and not Member.objects.restrict(acting_user, "view").filter(pk=member.pk).exists():
        raise ScopeViolation(_("You may not record hours for this member."))
    org, community, errors = _where(acting_user=acting_user, activity=activity, post=post, team=team, org=org)
    _raise(errors)
    _lock_member(member)
    _raise(_errors(member, served_on=served_on, hours=hours, content=content, place=place, activity=activity))
    return _new_record(member, acting_user=acting_user, org=org, community=community, served_on=served_on,
                       hours=hours, content=content, place=place, source=HoursSource.RECORDED, activity=activity,
                       post=post, team=team, verified=on_community_side(acting_user, community),
                       action="add")  # fmt: skip


def record_rendered_service(sender, *, member, org, community, served_on, hours, content, place, acting_user,
                            **_ignored) -> ServiceHours:  # fmt: skip
    """core.plugins.service_rendered: a member's service done through another app (a 微心愿 fulfilled) goes into the
    member's service record, verified — the community's staff recorded it there. The same checks as any record (the
    24 hours of a day): a refusal is a ValidationError and the sender's change is not saved either."""
    _lock_member(member)
    errors = _errors(member, served_on=served_on, hours=hours, content=content, place=place)
    if errors:
        raise ValidationError({"hours": [m for messages in errors.values() for m in messages]})
    return _new_record(member, acting_user=acting_user, org=org, community=community, served_on=served_on,
                       hours=hours, content=content, place=place, source=HoursSource.WISH, verified=True,
                       action="add")  # fmt: skip


def open_signups(activity: Activity):
    """The members on the activity's roster (withdrawn sign-ups left out), by sign-up order."""
    return activity.signups.filter(withdrawn_at__isnull=True).select_related("member").order_by("signed_up_at", "pk")


def recorded_members(activity: Activity) -> set[int]:
    """The members who have a record of this activity that counts (not rejected): recorded once only."""
    return set(activity.hours.exclude(state=HoursState.REJECTED).values_list("member_id", flat=True))


@transaction.atomic
def do_record_activity_hours(activity: Activity, *, acting_user, served_on, content, place,
                             hours: dict) -> list[ServiceHours]:  # fmt: skip
    """The organizer records the hours of the activity's roster at once (`hours`: member id → hours; a member left
    out or given none is skipped): all rows or none. Errors are keyed `hours_<member id>` for the member's row."""
    ensure_in_scope(activity, acting_user, "change")
    roster = {s.member_id: s.member for s in open_signups(activity)}
    done = recorded_members(activity)
    given = {pk: value for pk, value in hours.items() if value not in (None, "")}
    errors: dict[str, list[str]] = {}
    if not given:
        errors["__all__"] = [_("Give the hours of at least one member.")]
    for pk in sorted(given):
        member = roster.get(pk)
        if member is None:
            errors[f"hours_{pk}"] = [_("This member has not signed up for the activity.")]
            continue
        if pk in done:
            errors[f"hours_{pk}"] = [_("This member's hours of the activity are recorded already.")]
            continue
        _lock_member(member)
        found = _errors(member, served_on=served_on, hours=given[pk], content=content, place=place, activity=activity)
        for field, messages in found.items():
            errors.setdefault(f"hours_{pk}" if field == "hours" else field, messages)
    _raise(errors)
    verified = on_community_side(acting_user, activity.community)
    return [
        _new_record(roster[pk], acting_user=acting_user, org=activity.org, community=activity.community,
                    served_on=served_on, hours=given[pk], content=content, place=place, source=HoursSource.RECORDED,
                    activity=activity, verified=verified, action="add")
        for pk in sorted(given)
    ]  # fmt: skip


def member_communities(member: Member) -> list[int]:
    """The communities a member may declare hours in: their own (own_communities, through their account)."""
    return own_communities(member.user) if member.user_id else communities_of(Member.objects.filter(pk=member.pk))


@transaction.atomic
def do_declare_hours(member: Member, *, acting_user, community, served_on, hours, content="", place="",
                     **_ignored) -> ServiceHours:  # fmt: skip
    """The member declares hours served in one of their communities; the community verifies them."""
    ensure_acts_for(acting_user, member)
    org = community_org(community) if community is not None else None
    if community is None or community.pk not in member_communities(member):
        _raise({"community": [_("Choose one of your communities (where you live or are registered).")]})
    if org is None:
        _raise({"community": [_("This community has no party organization to verify the hours.")]})
    _lock_member(member)
    _raise(_errors(member, served_on=served_on, hours=hours, content=content, place=place))
    return _new_record(
        member,
        acting_user=acting_user,
        org=org,
        community=community,
        served_on=served_on,
        hours=hours,
        content=content,
        place=place,
        source=HoursSource.DECLARED,
        verified=False,
        action=None,
    )  # fmt: skip  (the member acts for themself: checked above)


# ---- verification, correction ------------------------------------------------------------------------------------


def _locked(record: ServiceHours, version) -> ServiceHours:
    """The record as stored, locked until the transaction ends; of two verifiers, the second sees the first's work."""
    current = ServiceHours.objects.select_for_update().get(pk=record.pk)
    if version is not None and int(version) != current.version:
        raise Conflict(_("Someone else has handled this record in the meantime."))
    return current


def _decide(record, *, acting_user, version) -> ServiceHours:
    if not may_verify(record, acting_user):
        raise ScopeViolation(_("Only the community where the service took place verifies its records."))
    current = _locked(record, version)
    if current.state != HoursState.PENDING:
        raise Conflict(_("Someone else has handled this record in the meantime."))
    return current


@transaction.atomic
def do_verify_hours(record: ServiceHours, *, acting_user, version) -> ServiceHours:
    """The community verifies a waiting record (the page's `version`: a record changed since is a conflict)."""
    current = _decide(record, acting_user=acting_user, version=version)
    data = {"state": HoursState.VERIFIED, "verified_by": acting_user, "verified_at": timezone.now()}
    return do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


@transaction.atomic
def do_reject_hours(record: ServiceHours, *, acting_user, version, reason: str = "") -> ServiceHours:
    """The community rejects a waiting record, saying why (who and when: the change log)."""
    reason = (reason or "").strip()
    if not reason:
        _raise({"reason": [_("Say why the record is rejected.")]})
    current = _decide(record, acting_user=acting_user, version=version)
    data = {"state": HoursState.REJECTED, "reject_reason": reason[:200]}
    return do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


@transaction.atomic
def do_correct_hours(record: ServiceHours, *, acting_user, correction_reason: str = "", version=None,
                     served_on=None, hours=None, content=None, place=None, **_ignored) -> ServiceHours:  # fmt: skip
    """Whoever may change the record corrects its day, hours, content or place, saying why: the version goes up, the
    record waits for verification again (a verified one too), the history stays in the change log."""
    ensure_in_scope(record, acting_user, "change")
    reason = (correction_reason or "").strip()
    current = _locked(record, version)
    new = {
        "served_on": current.served_on if served_on is None else served_on,
        "hours": current.hours if hours in (None, "") else _hours(hours),
        "content": current.content if content is None else content.strip(),
        "place": current.place if place is None else place.strip(),
    }
    _lock_member(current.member)
    errors = _errors(current.member, activity=current.activity, exclude_pk=current.pk, **new)
    if not reason:
        errors["correction_reason"] = [_("Say why the record is corrected.")]
    if not errors and all(new[k] == getattr(current, k) for k in new):
        errors["__all__"] = [_("Nothing was changed.")]
    _raise(errors)
    data = {**new, "correction_reason": reason[:200], "version": current.version + 1, "state": HoursState.PENDING,
            "verified_by": None, "verified_at": None, "reject_reason": ""}  # fmt: skip
    return do_update(current, acting_user=acting_user, data=data, clean=False, action="change")
