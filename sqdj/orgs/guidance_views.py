"""Guidance links on the org page: link the org to a guiding org, end a link (orgs.services does the rules)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sqdj.core.services import ScopeViolation

from . import services
from .forms import EndGuidanceForm, GuidanceLinkForm
from .models import GuidanceLink, Org


def _errors(form) -> str:
    return "；".join(
        f"{form.fields[f].label if f in form.fields else ''}：{'，'.join(e)}" for f, e in form.errors.items()
    )


@login_required
@require_POST
def link(request, pk):
    org = get_object_or_404(Org.objects.restrict(request.user, "view"), pk=pk)
    if not Org.objects.restrict(request.user, "change").filter(pk=pk).exists():
        messages.error(request, _("You may view this but not change it."))
        return redirect(org.get_absolute_url())
    form = GuidanceLinkForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.do_link_guidance(acting_user=request.user, org=org, **form.cleaned_data)
            messages.success(
                request, _("%(guide)s now guides this organization.") % {"guide": form.cleaned_data["guide"]}
            )
        except (ValidationError, ScopeViolation) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, _errors(form))
    return redirect(org.get_absolute_url())


@login_required
@require_POST
def end(request, pk):
    link = get_object_or_404(GuidanceLink.objects.restrict(request.user, "view").select_related("org"), pk=pk)
    form = EndGuidanceForm(request.POST)
    if form.is_valid():
        try:
            services.do_end_guidance(link, acting_user=request.user, ended_on=form.cleaned_data["ended_on"])
            messages.success(request, _("The guidance link has ended."))
        except ScopeViolation:
            messages.error(request, _("You may view this but not change it."))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, _errors(form))
    return redirect(link.org.get_absolute_url())
