from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sqdj.core.pii import age_shown
from sqdj.core.services import ScopeViolation
from sqdj.core.views import ModelViews
from sqdj.orgs.models import Org

from . import services, standing
from .filtersets import MemberFilterSet
from .forms import (
    EndMembershipForm,
    MemberForm,
    ProbationDisciplineForm,
    RegistrationForm,
    RestoreForm,
    RevealForm,
    SuspendForm,
)
from .importers import MemberImporter
from .models import Member, MemberState, Registration
from .tables import MemberTable


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

    @classmethod
    def detail_context(cls, obj, user):
        return {
            "events": obj.events.select_related("org").all(),
            "registrations": Registration.objects.filter(member=obj).select_related("community"),
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
