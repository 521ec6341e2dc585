"""The activity part's services (issue 16 item 3): activities, members' sign-ups, the organizer's optional
attendance. Each `do_*` is one transaction, validated with Chinese field errors before anything is written; the
change log through do_create / do_update; the last place of an activity is taken under a lock on the activity."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.areas.choices import AreaType
from sqdj.core import dates
from sqdj.core.services import (
    Conflict,
    Errors,
    ScopeViolation,
    do_create,
    do_delete,
    do_update,
    ensure_in_scope,
    merged,
)
from sqdj.members.communities import communities_of
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .choices import Organizer
from .common import community_of, ensure_acts_for
from .models import Activity, Post, Signup, Team

FIELDS = ("org", "organizer", "team", "project", "post", "community", "service_area", "title", "description", "place",
          "starts_at", "ends_at", "capacity", "takes_attendance")  # fmt: skip
OPEN_SIGNUP = Q(withdrawn_at__isnull=True)


def with_taken(queryset):
    """Activities with `taken`: their open sign-ups (the places taken)."""
    return queryset.annotate(taken=Count("signups", filter=Q(signups__withdrawn_at__isnull=True)))


def open_q(now: datetime.datetime) -> Q:
    """Activities a member may still sign up for (on a queryset `with_taken`): not cancelled, not started, a place
    left."""
    places = Q(capacity__isnull=True) | Q(capacity__gt=F("taken"))
    return Q(cancelled_on__isnull=True, starts_at__gt=now) & places


def attendance_due_q(now: datetime.datetime) -> Q:
    """Activities whose attendance the organizer means to take and has not: ended, not cancelled, open sign-ups,
    none of them marked either way."""
    signups = Signup.objects.filter(OPEN_SIGNUP, activity=OuterRef("pk"))
    return (
        Q(takes_attendance=True, cancelled_on__isnull=True, ends_at__lte=now)
        & Exists(signups)
        & ~Exists(signups.filter(attended__isnull=False))
    )


def _project_model():
    # a sibling app's model, by name: the volunteers app does not import the units app
    return apps.get_model("units", "Project")


def _post_open_on(post: Post, day: datetime.date) -> bool:
    return (post.starts_on <= day and (post.ends_on is None or day <= post.ends_on)
            and (post.closed_on is None or day < post.closed_on))  # fmt: skip


def _checked(values: dict, *, acting_user, current: Activity | None = None) -> dict:
    """The activity's values, checked all at once (ValidationError with every field's message), normalized."""
    errors = Errors()
    org = values["org"]
    if org is None:
        errors.add("org", _("Choose the organizing party organization."), "required")
    elif acting_user is not None and not Org.objects.restrict(acting_user, "change").filter(pk=org.pk).exists():
        raise ScopeViolation(_("You may not organize activities for this organization."))
    community = values["community"]
    own = community_of(org) if org is not None else None
    if own is not None:  # a community's org organizes in its own community
        if community is not None and community.pk != own.pk:
            errors.add("community", _("The organization stands in %(c)s.") % {"c": own.name}, "community")
        community = own
    elif community is None:
        errors.add("community", _("Choose the community where the activity takes place."), "required")
    elif community.type != AreaType.COMMUNITY:
        errors.add("community", _("Choose a community (社区)."), "type")
    organizer, team, project = values["organizer"], values["team"], values["project"]
    if organizer not in Organizer.values:
        errors.add("organizer", _("Choose who organizes the activity."), "organizer")
    if organizer == Organizer.TEAM:
        if team is None:
            errors.add("team", _("Choose the service team."), "required")
        elif acting_user is not None and not Team.objects.restrict(acting_user, "view").filter(pk=team.pk).exists():
            errors.add("team", _("Choose a team you may see."), "scope")
        elif org is not None and team.org_id != org.pk:
            errors.add("team", _("The team belongs to another organization."), "team_org")
        elif not team.active:
            errors.add("team", _("The team has been disbanded."), "team_ended")
    else:
        team = None
    if organizer == Organizer.PROJECT and project is not None:
        projects = _project_model().objects.all()
        if acting_user is not None:
            projects = projects.restrict(acting_user, "view")
        if not projects.filter(pk=getattr(project, "pk", project)).exists():
            errors.add("project", _("Choose a co-building project you may see."), "scope")
    elif organizer != Organizer.PROJECT:
        project = None
    post = values.get("post")
    if post is not None:  # the activity serves a post's duties (a post of the same community's org), as stored now
        posts = Post.objects.restrict(acting_user, "view") if acting_user is not None else Post.objects.all()
        post = posts.filter(pk=post.pk).first()
        if post is None:
            errors.add("post", _("Choose a post you may see."), "scope")
        elif community is not None and post.community_id != community.pk:
            errors.add("post", _("The post belongs to another community."), "post_community")
        elif (current is None or current.post_id != post.pk) and values["starts_at"] is not None \
                and not _post_open_on(post, timezone.localdate(values["starts_at"])):  # fmt: skip
            errors.add("post", _("The post is not open on the day of the activity."), "post_closed")
    title, place = (values["title"] or "").strip(), (values["place"] or "").strip()
    if not title:
        errors.add("title", _("This field is required."), "required")
    if not place:
        errors.add("place", _("This field is required."), "required")
    starts, ends = values["starts_at"], values["ends_at"]
    if starts is None:
        errors.add("starts_at", _("This field is required."), "required")
    if ends is None:
        errors.add("ends_at", _("This field is required."), "required")
    elif starts is not None and ends <= starts:
        errors.add("ends_at", _("The activity must end after it starts."), "order")
    capacity = values["capacity"]
    if capacity is not None and capacity < 1:
        errors.add("capacity", _("At least one person; leave it empty for no limit."), "capacity")
    elif capacity is not None and current is not None:
        taken = current.signups.filter(OPEN_SIGNUP).count()
        if capacity < taken:
            errors.add("capacity", _("%(n)d members have signed up already.") % {"n": taken}, "taken")
    if not values["service_area"]:
        errors.add("service_area", _("This field is required."), "required")
    errors.raise_if_any()
    if project is not None and not hasattr(project, "pk"):
        project = _project_model().objects.get(pk=project)
    description = (values["description"] or "").strip()
    return {**values, "community": community, "team": team, "project": project, "post": post, "title": title,
            "place": place,
            "description": description, "takes_attendance": bool(values["takes_attendance"])}  # fmt: skip


@transaction.atomic
def do_create_activity(*, acting_user, **data) -> Activity:
    """An org the user may change organizes an activity in its community (a unit's org: in a community it
    chooses)."""
    values = merged(None, FIELDS, data)
    values.setdefault("organizer", Organizer.COMMUNITY)
    values["organizer"] = values["organizer"] or Organizer.COMMUNITY
    return do_create(Activity, acting_user=acting_user, data=_checked(values, acting_user=acting_user), clean=False)


@transaction.atomic
def do_update_activity(activity: Activity, *, acting_user, **data) -> Activity:
    """Changed by the organizing side while not cancelled; the capacity never below the places taken."""
    ensure_in_scope(activity, acting_user, "change")
    current = Activity.objects.select_for_update().get(pk=activity.pk)
    if current.cancelled_on is not None:
        raise ValidationError(_("The activity has been cancelled."))
    values = _checked(merged(current, FIELDS, data), acting_user=acting_user, current=current)
    return do_update(current, acting_user=acting_user, data=values, clean=False)


@transaction.atomic
def do_cancel_activity(activity: Activity, *, acting_user, reason: str, cancelled_on: datetime.date | None = None):
    """Cancelled with the day and the reason; the sign-ups stay (the roster shows who was told)."""
    ensure_in_scope(activity, acting_user, "change")
    current = Activity.objects.select_for_update().get(pk=activity.pk)
    if current.cancelled_on is not None:
        raise Conflict(_("The activity has been cancelled already."))
    cancelled_on = cancelled_on or dates.today()
    errors = Errors()
    if not (reason or "").strip():
        errors.add("reason", _("Say why the activity is cancelled."), "required")
    if cancelled_on > dates.today():
        errors.add("cancelled_on", _("Cannot be in the future."), "future")
    elif current.created is not None and cancelled_on < timezone.localdate(current.created):
        errors.add("cancelled_on", _("Cannot be before the activity was published."), "before")
    errors.raise_if_any()
    data = {"cancelled_on": cancelled_on, "cancel_reason": reason.strip()[:200]}
    return do_update(current, acting_user=acting_user, data=data, clean=False)


@transaction.atomic
def do_delete_activity(activity: Activity, *, acting_user) -> None:
    """Only an activity nobody has signed up for (and no service record refers to): else cancel it."""
    ensure_in_scope(activity, acting_user, "delete")
    if activity.signups.exists():
        raise ValidationError(_("Members have signed up for it: cancel it instead."))
    do_delete(activity, acting_user=acting_user)


# ---- sign-up ---------------------------------------------------------------------------------------------------


def _belongs(member, activity: Activity) -> bool:
    """Whom an activity takes: the members of its community (registered there, or local) and the organizing org's
    own members — an admin signing a member up cannot send them to a community they have nothing to do with."""
    if activity.community_id in communities_of(Member.objects.filter(pk=member.pk)):
        return True
    org_path = Org.objects.filter(pk=activity.org_id).values_list("path", flat=True).first() or ""
    return bool(org_path) and Member.objects.filter(pk=member.pk, org__path__startswith=org_path).exists()


@transaction.atomic
def do_signup(*, acting_user, activity: Activity, member) -> Signup:
    """A member signs up (or whoever may act for them, for an activity they may see): not cancelled, not started,
    not twice, a place left — counted under a lock on the activity, so that two members taking the last place at
    once get one success and one refusal."""
    ensure_acts_for(acting_user, member)
    if acting_user is not None and not Activity.objects.restrict(acting_user, "view").filter(pk=activity.pk).exists():
        raise ScopeViolation(_("You may not sign up for this activity."))
    current = Activity.objects.select_for_update().get(pk=activity.pk)
    if current.cancelled_on is not None:
        raise ValidationError({"activity": [_("The activity has been cancelled.")]})
    if current.starts_at <= timezone.now():
        raise ValidationError({"activity": [_("The activity has started: sign-up is closed.")]})
    if not _belongs(member, current):
        raise ValidationError({"member": [_("The member is neither registered with this community nor one of its "
                                            "or the organizer's members.")]})  # fmt: skip
    if current.signups.filter(OPEN_SIGNUP, member=member).exists():
        raise ValidationError({"member": [_("The member has signed up for this activity already.")]})
    if current.capacity is not None and current.signups.filter(OPEN_SIGNUP).count() >= current.capacity:
        raise ValidationError({"activity": [_("The activity is full.")]})
    data = {"activity": current, "member": member, "signed_up_at": timezone.now()}
    return do_create(Signup, acting_user=acting_user, data=data, clean=False, action=None)  # checked above


@transaction.atomic
def do_withdraw(signup: Signup, *, acting_user) -> Signup:
    """The member withdraws before the start; the row stays (withdrawn_at)."""
    ensure_acts_for(acting_user, signup.member)
    current = Signup.objects.select_for_update().select_related("activity").get(pk=signup.pk)
    if current.withdrawn_at is not None:
        raise Conflict(_("This sign-up has been withdrawn already."))
    if current.activity.starts_at <= timezone.now():
        raise ValidationError(_("The activity has started: the sign-up can no longer be withdrawn."))
    return do_update(current, acting_user=acting_user, data={"withdrawn_at": timezone.now()}, clean=False, action=None)


@transaction.atomic
def do_take_attendance(activity: Activity, *, acting_user, attended) -> int:
    """The organizer marks who came (ticked: attended; the others: not) — optional, only where the activity says
    the organizer takes attendance, after its start. Returns how many sign-ups changed."""
    ensure_in_scope(activity, acting_user, "change")
    current = Activity.objects.select_for_update().get(pk=activity.pk)
    if not current.takes_attendance:
        raise ValidationError(_("The organizer does not take attendance at this activity."))
    if current.cancelled_on is not None:
        raise ValidationError(_("The activity has been cancelled."))
    if current.starts_at > timezone.now():
        raise ValidationError(_("Attendance is taken after the activity has started."))
    came = {int(pk) for pk in attended}
    changed = 0
    for signup in current.signups.filter(OPEN_SIGNUP):
        value = signup.pk in came
        if signup.attended is not value:
            do_update(signup, acting_user=acting_user, data={"attended": value}, clean=False, action=None)
            changed += 1
    return changed
