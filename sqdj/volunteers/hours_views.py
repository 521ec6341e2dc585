"""The service records' pages: the list (a member's own through the self scope), the detail with verification and
correction, the organizer's record form, the activity's roster form and the member's declaration (a phone form)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sqdj.core.forms import errors_to_form
from sqdj.core.services import Conflict
from sqdj.core.views import ModelViews, action_page
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from . import hours as services
from .choices import HoursState
from .common import member_of
from .hours_filtersets import ServiceHoursFilterSet
from .hours_forms import ActivityHoursForm, DecisionForm, DeclareForm, ServiceHoursForm
from .hours_tables import ServiceHoursTable
from .models import Activity, Post, ServiceHours, Team


def _when(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"


def _link(model, obj, user):
    """The object's page, where the user may open it (else the name only)."""
    if obj is None:
        return None
    return obj.get_absolute_url() if model.objects.restrict(user, "view").filter(pk=obj.pk).exists() else None


class ServiceHoursViews(ModelViews):
    """志愿服务记录 as the community, the recording org and the member's own org see them; a member sees their own."""

    model = ServiceHours
    queryset = ServiceHours.objects.select_related("member", "org", "community", "activity", "post", "team",
                                                   "recorded_by", "verified_by")  # fmt: skip
    table = ServiceHoursTable
    filterset = ServiceHoursFilterSet
    form = ServiceHoursForm
    create_service = staticmethod(services.do_record_hours)
    update_service = staticmethod(services.do_correct_hours)
    detail_template = "volunteers/hours/servicehours.html"

    @classmethod
    def urls(cls):
        """The generic pages, the edit page being the correction (`servicehours_correct`: a conflict goes back to the
        record saying so, which the generic edit page does not do)."""
        name = cls.meta().model_name
        patterns = [p for p in super().urls() if p.name != f"{name}_edit"]
        return [*patterns, path("<int:pk>/edit/", servicehours_correct, name=f"{name}_edit")]

    @classmethod
    def detail_context(cls, obj, user):
        rows = [
            (_("party member"), obj.member.name, _link(Member, obj.member, user)),
            (_("service content"), obj.content, None),
            (_("place"), obj.place, None),
            (_("service day"), f"{obj.served_on:%Y-%m-%d}", None),
            (_("hours"), str(obj.hours), None),
            (_("recording organization"), obj.org.name, _link(Org, obj.org, user)),
            (_("community"), obj.community.name, None),
        ]
        for label, model, related in ((_("activity"), Activity, obj.activity), (_("volunteer post"), Post, obj.post),
                                      (_("service team"), Team, obj.team)):  # fmt: skip
            if related is not None:
                rows.append((label, str(related), _link(model, related, user)))
        rows += [
            (_("how it was recorded"), obj.get_source_display(), None),
            (_("state"), obj.get_state_display(), None),
            (_("recorded by"), f"{obj.recorded_by or _('system')} · {_when(obj.recorded_at)}", None),
        ]
        if obj.state == HoursState.VERIFIED:
            rows.append((_("verified by"), f"{obj.verified_by or _('system')} · {_when(obj.verified_at)}", None))
        if obj.state == HoursState.REJECTED:
            rows.append((_("why it was rejected"), obj.reject_reason or "—", None))
        if obj.correction_reason:
            rows.append((_("why it was corrected"), obj.correction_reason, None))
        rows.append((_("version"), str(obj.version), None))
        may_change = ServiceHours.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        pending = obj.state == HoursState.PENDING
        return {
            "rows": rows,
            "can_change": False,  # the edit page is the correction: its own button says so
            "may_correct": may_change,
            "may_verify": pending and may_change and services.may_verify(obj, user),
            "reject_form": DecisionForm(initial={"version": obj.version}, reject=True),
        }


def _record(request, pk, action="view"):
    record = get_object_or_404(ServiceHoursViews.queryset.restrict(request.user, "view"), pk=pk)
    if action != "view" and not ServiceHours.objects.restrict(request.user, action).filter(pk=pk).exists():
        raise PermissionDenied(_("You may view this but not change it."))
    return record


@login_required
def servicehours_correct(request, pk):
    record = _record(request, pk, "change")
    form = ServiceHoursForm(request.POST or None, instance=record, user=request.user)
    return action_page(
        request, record, form, _("Correct the record"),
        done_message=_("The record is corrected; it awaits verification."),
        call=lambda d: services.do_correct_hours(record, acting_user=request.user, **d),
    )  # fmt: skip


@login_required
@require_POST
def servicehours_verify(request, pk):
    record = _record(request, pk, "change")
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise Conflict()  # no version: the page was not ours
        services.do_verify_hours(record, acting_user=request.user, version=form.cleaned_data["version"])
    except Conflict as exc:  # someone else decided first, or corrected it: the page shows what is
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The record is verified."))
    return redirect(record.get_absolute_url())


@login_required
def servicehours_reject(request, pk):
    record = _record(request, pk, "change")
    if not services.may_verify(record, request.user):
        raise PermissionDenied(_("Only the community where the service took place verifies its records."))
    form = DecisionForm(request.POST or None, initial={"version": record.version}, reject=True)
    return action_page(
        request, record, form, _("Reject the record"), done_message=_("The record is rejected."),
        call=lambda d: services.do_reject_hours(record, acting_user=request.user, **d),
    )  # fmt: skip


@login_required
def activity_hours(request, pk):
    """The organizer records the hours of the activity's roster in one go."""
    activity = get_object_or_404(Activity.objects.restrict(request.user, "view"), pk=pk)
    if not Activity.objects.restrict(request.user, "change").filter(pk=pk).exists():
        raise PermissionDenied(_("Only the activity's organizer records its hours."))
    signups = list(services.open_signups(activity))
    form = ActivityHoursForm(request.POST or None, activity=activity, signups=signups)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.do_record_activity_hours(activity, acting_user=request.user, **form.service_data())
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Recorded the hours of %(n)d members.") % {"n": len(made)})
            return redirect(f"{reverse('volunteers:servicehours_list')}?activity={activity.pk}")
    return render(request, "volunteers/hours/activity_hours.html", {"activity": activity, "form": form})


@login_required
def servicehours_declare(request):
    """The member declares hours served (self service, a phone form)."""
    member = member_of(request.user)
    if member is None:
        raise Http404(_("Only a member with an account declares service hours."))
    form = DeclareForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.do_declare_hours(member, acting_user=request.user, **form.service_data())
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Declared; the community will verify it."))
            return redirect(made.get_absolute_url())
    return render(request, "volunteers/hours/declare.html", {"form": form, "member": member})
