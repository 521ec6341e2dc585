from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sqdj.core import dates
from sqdj.core.forms import EndForm, RevealForm
from sqdj.core.pii import age_shown
from sqdj.core.services import ScopeViolation
from sqdj.core.views import ModelViews, ObjectListView, ObjectPickView, action_page, may
from sqdj.orgs.models import Org

from . import services, standing
from .choices import RegistrationEnd, RegistrationStatus
from .filtersets import MemberFilterSet, RegistrationFilterSet
from .forms import (
    ConfirmRegistrationForm,
    EndMembershipForm,
    MemberForm,
    ProbationDisciplineForm,
    RegistrationForm,
    RestoreForm,
    SuspendForm,
)
from .importers import MemberImporter
from .models import Member, MemberState, Registration
from .pick_views import MemberPick
from .tables import MemberTable, RegistrationTable


class MemberListView(ObjectListView):
    """The list; its accounts button only for a user who may change members (the accounts page answers 403
    otherwise: selfservice_views._may_create)."""

    def base_context(self, **extra):
        ctx = super().base_context(**extra)
        if not may(self.request.user, "change", Member):
            ctx["hidden_list_actions"] = ["members:member_accounts"]
        return ctx


class MemberViews(ModelViews):
    model = Member
    queryset = Member.objects.select_related("org", "home_area")
    table = MemberTable
    filterset = MemberFilterSet
    form = MemberForm
    importer = MemberImporter
    create_service = staticmethod(services.do_create_member)
    update_service = staticmethod(services.do_update_member)
    detail_template = "members/member.html"
    # issue 16 item 7: accounts for the listed members who have none (members.selfservice_views)
    extra_list_actions = (("members:member_accounts", gettext_lazy("Create accounts for the selected members"),
                           "person-plus"),)  # fmt: skip

    # the members' picker page is the one shared member picker (pick_views.MemberPick: active members, by name and org)
    pick_fields = MemberPick.pick_fields

    @classmethod
    def urls(cls):
        own = {
            "member_list": path("", MemberListView.as_view(views=cls), name="member_list"),
            "member_pick": path("pick/", ObjectPickView.as_view(views=MemberPick), name="member_pick"),
        }
        return [own.get(p.name, p) for p in super().urls()]

    @classmethod
    def detail_context(cls, obj, user):
        return {
            "events": obj.events.select_related("org").all(),
            "registrations": Registration.objects.filter(member=obj).select_related("community"),
            "today": dates.today(),
            "may_reveal": services.may_reveal(obj, user),  # also the birth date (core.pii: the disclosure policy)
            "age": age_shown(obj.birth_date),
            "may_register": Member.objects.restrict(user, "change").filter(pk=obj.pk).exists(),
            "org_visible": Org.objects.restrict(user, "view").filter(pk=obj.org_id).exists(),
            "reveal_form": RevealForm(),
            "registration_form": RegistrationForm(member=obj),  # starts with the home community
            # issue 13: the dated states and the standing changes (forms shown to users who may change the member)
            "states": MemberState.objects.filter(member=obj),
            "standing_forms": {action: form() for action, (form, _service, _done) in STANDING_ACTIONS.items()},
        }


def _member(request, pk, action="view"):
    member = get_object_or_404(Member.objects.restrict(request.user, "view"), pk=pk)
    if action != "view" and not Member.objects.restrict(request.user, action).filter(pk=pk).exists():
        return member, False
    return member, True


@login_required
@require_POST
def reveal(request, pk):
    """The full numbers for one member, after a reason; answers an htmx fragment."""
    member, allowed = _member(request, pk, "reveal")
    form = RevealForm(request.POST)
    if not allowed:
        return render(request, "members/_reveal.html", {"object": member, "denied": True}, status=403)
    if form.is_valid():
        try:
            values = services.do_reveal(
                member,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                remote_addr=request.META.get("REMOTE_ADDR"),
            )
            response = render(request, "members/_reveal.html", {"object": member, "values": values})
            response["Cache-Control"] = "no-store"
            return response
        except ValidationError as exc:
            form.add_error("reason", exc.message_dict.get("reason", exc.messages))
    return render(request, "members/_reveal.html", {"object": member, "reveal_form": form}, status=400)


@login_required
@require_POST
def register(request, pk):
    member, allowed = _member(request, pk, "change")
    if not allowed:
        messages.error(request, _("You may view this but not change it."))
        return redirect(member.get_absolute_url())
    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            services.do_register(member, acting_user=request.user, **form.cleaned_data)
            messages.success(
                request, _("Registered with %(community)s.") % {"community": form.cleaned_data["community"]}
            )
        except (ValidationError, ScopeViolation) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{'，'.join(e)}" for f, e in form.errors.items()))
    return redirect(member.get_absolute_url())


# action → (form, service, message on success); the services check who may act and validate (members.standing)
STANDING_ACTIONS = {
    "suspend": (SuspendForm, standing.do_suspend, _("Membership suspended (停止党籍) and recorded in the ledger.")),
    "restore": (RestoreForm, standing.do_restore, _("Membership restored (恢复党籍) and recorded in the ledger.")),
    "end": (EndMembershipForm, standing.do_end_membership, _("The end of the membership is recorded.")),
    "probation": (
        ProbationDisciplineForm,
        standing.do_probation_discipline,
        _("Probation within the party (留党察看) recorded."),
    ),  # fmt: skip
}


@login_required
@require_POST
def standing_change(request, pk, action):
    member, allowed = _member(request, pk, "change")
    if not allowed:
        messages.error(request, _("You may view this but not change it."))
        return redirect(member.get_absolute_url())
    form_class, service, done = STANDING_ACTIONS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(member, acting_user=request.user, **form.cleaned_data)
            messages.success(request, done)
        except ValidationError as exc:
            messages.error(request, "；".join(f"{m}" for ms in exc.message_dict.values() for m in ms))
        except ScopeViolation as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{'，'.join(e)}" for f, e in form.errors.items()))
    return redirect(member.get_absolute_url())


# ---- 在职党员报到 with both sides (issue 16, part 1) ------------------------------------------------------------


class RegistrationViews(ModelViews):
    """The registrations as both sides list them (the gate: the member's org, the community); made on the member's
    page, confirmed by the unit side, ended by either."""

    model = Registration
    queryset = Registration.objects.select_related("member", "member__org", "community")
    table = RegistrationTable
    filterset = RegistrationFilterSet
    detail_template = "members/registration.html"

    @classmethod
    def detail_context(cls, obj, user):
        today = dates.today()
        status = obj.status_on(today)
        member_visible = Member.objects.restrict(user, "view").filter(pk=obj.member_id).exists()
        org = obj.member.org
        org_visible = Org.objects.restrict(user, "view").filter(pk=org.pk).exists()
        confirmed = "—"
        if obj.confirmed_on:
            confirmed = f"{obj.confirmed_on:%Y-%m-%d}"
        elif obj.confirm_by is not None:
            when = _("confirmed automatically on %(day)s") if obj.confirm_by <= today else _("by %(day)s at the latest")
            confirmed = when % {"day": f"{obj.confirm_by:%Y-%m-%d}"}
        rows = [
            (_("party member"), obj.member.name, obj.member.get_absolute_url() if member_visible else None),
            (_("the member's organization"), obj.member.org.name, org.get_absolute_url() if org_visible else None),
            (_("residence community"), obj.community.name, None),
            (_("registered on"), f"{obj.registered_on:%Y-%m-%d}", None),
            (_("status"), dict(RegistrationStatus.choices)[status], None),
            (_("confirmed by the unit"), confirmed, None),
            (_("posts of interest"), obj.posts_of_interest or "—", None),
            (_("skills"), obj.skills or "—", None),
        ]  # fmt: skip
        if not obj.active:
            rows += [
                (_("ended on"), f"{obj.ended_on:%Y-%m-%d}" if obj.ended_on else "—", None),
                (_("why it ended"), obj.get_end_reason_display() or "—", None),
                (_("note on the end"), obj.end_note or "—", None),
            ]
        return {
            "rows": rows,
            "may_confirm": obj.active and obj.confirmed_on is None and services.may_confirm(obj, user),
            "may_end": obj.active and Registration.objects.restrict(user, "change").filter(pk=obj.pk).exists(),
        }


def _registration(request, pk, action):
    return get_object_or_404(Registration.objects.restrict(request.user, action), pk=pk)


@login_required
def registration_confirm(request, pk):
    reg = _registration(request, pk, "view")
    if not services.may_confirm(reg, request.user):  # seen from the community's side, or one's own: not confirmed
        raise PermissionDenied(_("Only the member's own organization confirms the registration."))
    back = reg.get_absolute_url()
    form = ConfirmRegistrationForm(request.POST or None)
    return action_page(
        request, reg, form, _("Confirm the registration"), back=back, next_url=back,
        done_message=_("The registration is confirmed."),
        call=lambda d: services.do_confirm_registration(reg, acting_user=request.user, **d),
    )  # fmt: skip


@login_required
def registration_end(request, pk):
    reg = _registration(request, pk, "change")
    back = reg.get_absolute_url()
    form = EndForm(request.POST or None, reasons=RegistrationEnd.choices)
    return action_page(
        request, reg, form, _("End the registration"), back=back, next_url=back,
        done_message=_("The registration has ended."),
        call=lambda d: services.do_end_registration(reg, acting_user=request.user, **d),
    )  # fmt: skip
