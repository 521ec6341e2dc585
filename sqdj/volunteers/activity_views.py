"""The activity part's pages: activities (list, detail, add, edit, cancel), a member's sign-up and withdrawal, the
roster (print-friendly) and the organizer's optional attendance. Thin: the rules are in `activities`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sqdj.core.services import Conflict
from sqdj.core.views import ModelViews, action_page
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from . import activities
from .activity_filtersets import ActivityFilterSet
from .activity_forms import ActivityForm, AttendanceForm, CancelForm
from .activity_tables import ActivityTable
from .choices import Organizer
from .common import member_of
from .models import Activity, Signup

WHEN = "%Y-%m-%d %H:%M"


def _when(value) -> str:
    return timezone.localtime(value).strftime(WHEN)


class ActivityViews(ModelViews):
    """Activities as the organizing side (the org line, the community's territory) and members (their own
    communities' activities: the model's self scope) see them."""

    model = Activity
    queryset = activities.with_taken(Activity.objects.select_related("org", "community", "team", "post"))
    table = ActivityTable
    filterset = ActivityFilterSet
    form = ActivityForm
    create_service = staticmethod(activities.do_create_activity)
    update_service = staticmethod(activities.do_update_activity)
    delete_service = staticmethod(activities.do_delete_activity)
    detail_template = "volunteers/activities/activity.html"
    list_template = "volunteers/activities/activity_list.html"

    @classmethod
    def detail_context(cls, obj, user):
        org_visible = Org.objects.restrict(user, "view").filter(pk=obj.org_id).exists()
        organizer = obj.get_organizer_display()
        if obj.organizer == Organizer.TEAM and obj.team_id:
            organizer = f"{organizer}：{obj.team.name}"
        taken = obj.taken
        places = f"{taken} / {obj.capacity}" if obj.capacity else f"{taken} / {_('no limit')}"
        rows = [
            (_("organizing party organization"), obj.org.name, obj.org.get_absolute_url() if org_visible else None),
            (_("community"), obj.community.name, None),
            (_("organizer"), organizer, None),
            *([(_("volunteer post"), obj.post.title, obj.post.get_absolute_url())] if obj.post_id else []),
            (_("service area"), obj.get_service_area_display(), None),
            (_("starts at"), _when(obj.starts_at), None),
            (_("ends at"), _when(obj.ends_at), None),
            (_("place"), obj.place, None),
            (_("signed up / capacity"), places, None),
            (_("the organizer takes attendance"), _("Yes") if obj.takes_attendance else _("No"), None),
            (_("description"), obj.description or "—", None),
        ]
        if obj.cancelled_on:
            rows += [(_("cancelled on"), f"{obj.cancelled_on:%Y-%m-%d}", None),
                     (_("why it was cancelled"), obj.cancel_reason, None)]  # fmt: skip
        now = timezone.now()
        upcoming = obj.cancelled_on is None and obj.starts_at > now
        member = member_of(user)
        mine = None
        if member is not None:
            mine = Signup.objects.filter(activity=obj, member=member, withdrawn_at__isnull=True).first()
        full = obj.capacity is not None and taken >= obj.capacity
        may_change = Activity.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        return {
            "rows": rows,
            "my_signup": mine,
            "may_signup": member is not None and mine is None and upcoming and not full,
            "full": member is not None and mine is None and upcoming and full,
            "may_withdraw": mine is not None and upcoming,
            "may_cancel": may_change and obj.cancelled_on is None,
            "may_take_attendance": may_change and obj.takes_attendance and obj.cancelled_on is None
            and obj.starts_at <= now,
        }  # fmt: skip


def _activity(request, pk, action="view"):
    return get_object_or_404(ActivityViews.queryset.restrict(request.user, action), pk=pk)


@login_required
def activity_cancel(request, pk):
    activity = _activity(request, pk, "change")
    back = activity.get_absolute_url()
    if activity.cancelled_on is not None:
        messages.info(request, _("The activity has been cancelled already."))
        return redirect(back)
    return action_page(
        request, activity, CancelForm(request.POST or None), _("Cancel the activity"), back=back, next_url=back,
        done_message=_("The activity is cancelled."),
        call=lambda d: activities.do_cancel_activity(activity, acting_user=request.user, **d),
    )  # fmt: skip


def _refused(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


@login_required
@require_POST
def activity_signup(request, pk):
    """The signed-in member signs themself up (the button on the activity's page)."""
    activity = _activity(request, pk)
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied(_("Only a party member signs up for an activity."))
    try:
        activities.do_signup(acting_user=request.user, activity=activity, member=member)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("You have signed up."))
    return redirect(activity.get_absolute_url())


@login_required
@require_POST
def activity_withdraw(request, pk):
    activity = _activity(request, pk)
    member = member_of(request.user)
    signup = Signup.objects.filter(activity=activity, member=member, withdrawn_at__isnull=True).first()
    if member is None or signup is None:
        raise Http404
    try:
        activities.do_withdraw(signup, acting_user=request.user)
    except ValidationError as exc:
        _refused(request, exc)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You have withdrawn your sign-up."))
    return redirect(activity.get_absolute_url())


def _roster(request, activity):
    """The open sign-ups the user may see (the organizing side: all; the unit side: its members; a member: their
    own), with links to the members the user may open."""
    signups = list(
        Signup.objects.restrict(request.user, "view")
        .filter(activity=activity, withdrawn_at__isnull=True)
        .select_related("member")
        .order_by("signed_up_at", "pk")
    )
    linkable = set(
        Member.objects.restrict(request.user, "view")
        .filter(pk__in=[s.member_id for s in signups])
        .values_list("pk", flat=True)
    )
    return [(s, s.member.get_absolute_url() if s.member_id in linkable else None) for s in signups]


@login_required
def activity_roster(request, pk):
    activity = _activity(request, pk)
    context = {
        "object": activity,
        "roster": _roster(request, activity),
        "starts": _when(activity.starts_at),
        "ends": _when(activity.ends_at),
        "may_take_attendance": activity.takes_attendance
        and activity.cancelled_on is None
        and activity.starts_at <= timezone.now()
        and Activity.objects.restrict(request.user, "change").filter(pk=activity.pk).exists(),
    }
    template = "roster_print.html" if request.GET.get("print") else "roster.html"
    return render(request, f"volunteers/activities/{template}", context)


@login_required
def activity_attendance(request, pk):
    """After the start, the organizer may tick who came — optional, never required, never a score."""
    activity = _activity(request, pk, "change")
    back = activity.get_absolute_url()
    signups = list(
        activity.signups.filter(withdrawn_at__isnull=True).select_related("member").order_by("signed_up_at", "pk")
    )
    form = AttendanceForm(request.POST or None, signups=signups)
    return action_page(
        request, activity, form, _("Take attendance"), back=back, next_url=back,
        done_message=_("The attendance is saved."),
        call=lambda d: activities.do_take_attendance(activity, acting_user=request.user, attended=d["attended"]),
    )  # fmt: skip
