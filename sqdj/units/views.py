"""The unit registry's pages: list, detail, add, edit, change history, import (core.views.ModelViews), the reveal of
the contact phone with a reason, and the liaison accounts of a unit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sqdj.core.forms import RevealForm
from sqdj.core.pii import reveal_rows
from sqdj.core.services import ScopeViolation
from sqdj.core.views import ModelViews, reveal_fragment
from sqdj.orgs.models import Org

from . import services
from .coverage import assigned_now
from .filtersets import UnitFilterSet
from .forms import ContactEndForm, ContactLinkForm, UnitForm
from .importers import UnitImporter
from .models import Agreement, AuthorityEntry, CouncilMember, Decision, Instructor, Resource, Unit, UnitContact
from .tables import UnitTable


def _link(obj):
    """The object's page, or None when the part that owns it has not defined its URL name (yet)."""
    try:
        return obj.get_absolute_url()
    except Exception:  # NoReverseMatch: the page belongs to another part of the app
        return None


def _rows(qs, label):
    return [{"object": o, "url": _link(o), "label": label(o)} for o in qs]


class UnitViews(ModelViews):
    model = Unit
    queryset = Unit.objects.select_related("org", "area").annotate(work_covered=assigned_now())
    table = UnitTable
    filterset = UnitFilterSet
    form = UnitForm
    importer = UnitImporter
    create_service = staticmethod(services.do_create_unit)
    update_service = staticmethod(services.do_update_unit)
    detail_template = "units/registry/unit.html"

    @classmethod
    def detail_context(cls, obj, user):
        """The unit's sections, each one query, each read through the scope gate."""
        instructors = list(
            Instructor.objects.restrict(user, "view")
            .filter(unit=obj)
            .annotate(last_visit=Max("visits__visited_on"))
            .order_by("ended_on", "-started_on", "pk")
        )
        may_change = Unit.objects.restrict(user, "change").filter(pk=obj.pk).exists()
        return {
            **_reveal_context(obj),
            "may_reveal": bool(obj.contact_phone) and services.may_reveal(obj, user),
            "reveal_form": RevealForm(),
            "org_visible": obj.org_id is not None and Org.objects.restrict(user, "view").filter(pk=obj.org_id).exists(),
            "instructors": instructors,
            "open_instructors": [i for i in instructors if i.ended_on is None],
            "councils": _rows(
                CouncilMember.objects.restrict(user, "view").filter(unit=obj).select_related("council"),
                lambda m: m.council,
            ),
            "decisions": _rows(
                Decision.objects.restrict(user, "view").filter(owner=obj).select_related("council"), lambda d: d
            ),
            "agreements": _rows(Agreement.objects.restrict(user, "view").filter(units=obj), lambda a: a),
            "resources": _rows(Resource.objects.restrict(user, "view").filter(unit=obj), lambda r: r),
            "authority_entries": _rows(AuthorityEntry.objects.restrict(user, "view").filter(unit=obj), lambda e: e),
            "may_link": may_change,
            "contacts": UnitContact.objects.filter(unit=obj, ended_on__isnull=True).select_related("user")
            if may_change
            else [],
            "contact_form": ContactLinkForm(),
        }


def _unit(request, pk, action="view"):
    unit = get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=pk)
    allowed = action == "view" or Unit.objects.restrict(request.user, action).filter(pk=pk).exists()
    return unit, allowed


PII_FIELDS = ("contact_phone",)


def _reveal_context(unit) -> dict:
    """What generic/_reveal.html needs of a unit (its contact phone, masked)."""
    return {
        "pii_rows": reveal_rows(unit, PII_FIELDS),
        "reveal_url": reverse("units:unit_reveal", args=[unit.pk]),
        "denied_text": _("You may not see this unit's full contact phone."),
        "reveal_hint": _("Write why you need the number. Every look is recorded."),
    }


@login_required
@require_POST
def reveal(request, pk):
    """The full contact phone of one unit, after a reason; answers an htmx fragment."""
    unit, allowed = _unit(request, pk, "reveal")
    return reveal_fragment(request, unit, _reveal_context(unit), allowed=allowed, fields=PII_FIELDS,
                           reveal=lambda reason, address: services.do_reveal(
                               unit, acting_user=request.user, reason=reason, remote_addr=address))  # fmt: skip


def _form_errors(form) -> str:
    return "；".join(
        f"{form.fields[f].label if f in form.fields else ''}：{'，'.join(e)}" for f, e in form.errors.items()
    )


@login_required
@require_POST
def link_contact(request, pk):
    unit, allowed = _unit(request, pk, "change")
    if not allowed:
        messages.error(request, _("You may view this but not change it."))
        return redirect(unit.get_absolute_url())
    form = ContactLinkForm(request.POST)
    if form.is_valid():
        try:
            services.do_link_contact(unit, form.cleaned_data["user"], acting_user=request.user,
                                     started_on=form.cleaned_data.get("started_on"))  # fmt: skip
            messages.success(request, _("The liaison account is linked to the unit."))
        except (ValidationError, ScopeViolation) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, _form_errors(form))
    return redirect(unit.get_absolute_url())


@login_required
@require_POST
def end_contact(request, pk):
    """End a liaison link (`pk`: the link's): the unit must be in the user's scope, like the link itself."""
    unit_pk = get_object_or_404(UnitContact.objects.values_list("unit_id", flat=True), pk=pk)
    unit, allowed = _unit(request, unit_pk, "change")
    if not allowed:
        messages.error(request, _("You may view this but not change it."))
        return redirect(unit.get_absolute_url())
    contact = get_object_or_404(UnitContact, pk=pk, unit=unit)
    form = ContactEndForm(request.POST)
    if form.is_valid():
        try:
            services.do_end_contact(contact, acting_user=request.user, ended_on=form.cleaned_data.get("ended_on"))
            messages.success(request, _("The liaison link has ended."))
        except (ValidationError, ScopeViolation) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, _form_errors(form))
    return redirect(unit.get_absolute_url())
