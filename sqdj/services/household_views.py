"""The household part's pages: the list (no contact), the detail (every view logged; the contact masked, in full once
with a logged reason), add (from a visit: `?visit=<pk>`) and edit, pair and end a pairing, support, review, close."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sqdj.areas.models import Area
from sqdj.core.forms import RevealForm
from sqdj.core.pii import reveal_rows
from sqdj.core.views import ModelViews, ObjectEditView, action_page, reveal_fragment
from sqdj.orgs.models import Org

from . import households as services
from .choices import HouseholdState
from .household_filtersets import HouseholdFilterSet
from .household_forms import CloseForm, EndPairingForm, HouseholdForm, PairForm, ReviewForm, SupportForm
from .household_tables import HouseholdExport, HouseholdTable, hardship_labels
from .models import Assistance, Household, Visit
from .request_tables import verbatim, when
from .request_views import RequestListView, _link, no_import

# the action pages: action → (title, done message, icon)
ACTIONS = {
    "pair": (gettext_lazy("Pair a helper"), gettext_lazy("The helper is paired with the household."), "people"),
    "support": (gettext_lazy("Record support"), gettext_lazy("The support is recorded."), "gift"),
    "review": (gettext_lazy("Review the help"), gettext_lazy("The review is recorded."), "clipboard-check"),
    "close": (gettext_lazy("End the help"), gettext_lazy("The help has ended."), "archive"),
}


def _visit_url(visit) -> str | None:
    """A visit's page (the visit part's; None while it has none)."""
    try:
        return visit.get_absolute_url()
    except NoReverseMatch:
        return None


def active_pairings():
    return Prefetch("assistances", Assistance.objects.filter(ended_on__isnull=True)
                    .select_related("member", "org", "unit").order_by("started_on", "pk"),
                    to_attr="active_pairings")  # fmt: skip


class HouseholdEditView(ObjectEditView):
    """The add page takes `?visit=<pk>` (a visit the user may see): the area comes from it, the household is linked
    to it."""

    def _form(self, obj, data=None):
        kwargs = {"instance": obj, "user": self.request.user}
        raw = self.request.GET.get("visit", "")
        if obj is None and data is None and raw.isdigit():
            visit = Visit.objects.restrict(self.request.user, "view").filter(pk=int(raw)).first()
            if visit is not None:
                kwargs["initial"] = {"visit": visit.pk, "area": visit.area_id}
        return self.views.form(data, **kwargs)

    def _render(self, form, obj):
        return render(self.request, "services/households/household_edit.html",
                      self.base_context(form=form, object=obj))  # fmt: skip


class HouseholdViews(ModelViews):
    """困难帮扶 of the user's territory; a paired member and a paired unit's liaison: the households they help."""

    model = Household
    log_view = staticmethod(services.log_view)  # the detail and the change history (core.views) are logged
    queryset = Household.objects.select_related("area", "org", "visit").prefetch_related(active_pairings())
    table = HouseholdTable
    filterset = HouseholdFilterSet
    form = HouseholdForm
    create_service = staticmethod(services.do_create_household)
    update_service = staticmethod(services.do_update_household)
    detail_template = "services/households/household.html"
    importer = HouseholdExport  # the list's export only (see `urls`)

    @classmethod
    def urls(cls):
        """The generic pages, but: add and edit take the visit and show the consent (HouseholdEditView); the list
        offers its export and no import (households enter by their service)."""
        name = cls.meta().model_name
        replaced = {f"{name}_list", f"{name}_add", f"{name}_edit", f"{name}_import"}
        patterns = [p for p in super().urls() if p.name not in replaced]
        return [
            path("", RequestListView.as_view(views=cls), name=f"{name}_list"),
            path("add/", HouseholdEditView.as_view(views=cls), name=f"{name}_add"),
            path("<int:pk>/edit/", HouseholdEditView.as_view(views=cls), name=f"{name}_edit"),
            *patterns,
            path("import/", no_import, name=f"{name}_import"),
        ]

    @classmethod
    def detail_context(cls, obj, user):
        cls.log_view(obj, user=user)  # every view of the details, in the audit trail
        staff = services.is_staff(obj, user)
        rows = [
            (_("household number"), verbatim(obj.number), None),
            (_("area"), obj.area.name, _link(Area, obj.area, user)[1]),
            (_("room"), obj.room or "—", None),
            (_("household size"), str(obj.size) if obj.size else "—", None),
            (_("kinds of hardship"), hardship_labels(obj.hardships), None),
            (_("what help is needed"), obj.needs or "—", None),
            (_("legal basis"), obj.get_basis_display(), None),
        ]
        if obj.basis_note:
            rows.append((_("basis detail"), obj.basis_note, None))
        if obj.consent_at:
            version = format_html("{} · {}", when(obj.consent_at), verbatim(obj.consent_version or "—"))
            rows.append((_("consent given at"), version, None))
        rows += [
            (_("responsible organization"), *_link(Org, obj.org, user)),
            (_("help started on"), str(obj.opened_on), None),
        ]
        if obj.closed_on:
            rows += [(_("help ended on"), str(obj.closed_on), None),
                     (_("why help ended"), obj.get_end_reason_display(), None)]  # fmt: skip
        if obj.anonymised_at:
            rows.append((_("anonymised at"), when(obj.anonymised_at), None))
        if obj.visit_id:
            rows.append((_("opened from visit"), str(obj.visit), _visit_url(obj.visit)))
        rows.append((_("version"), str(obj.version), None))
        is_open = obj.state == HouseholdState.OPEN
        contact = {}
        if obj.contact_name or obj.contact_phone:
            contact = {**_reveal_context(obj), "may_reveal": services.may_reveal_contact(obj, user),
                       "reveal_form": RevealForm()}  # fmt: skip
        return {
            "rows": rows, **contact,
            "can_change": staff and is_open,
            "household_actions": [(n, *ACTIONS[n]) for n in ACTIONS] if staff and is_open else [],
            "may_end_pairing": staff and is_open,
            "pairings": obj.assistances.select_related("member", "org", "unit").order_by("-started_on", "-pk"),
            "supports": obj.supports.select_related("member", "org", "unit").order_by("-given_on", "-pk"),
            "reviews": obj.reviews.order_by("-year", "-pk"),
            "visits": [(v, _visit_url(v)) for v in Visit.objects.restrict(user, "view").filter(household=obj)
                       .order_by("-visited_on", "-pk")],
        }  # fmt: skip


def _household(http, pk) -> Household:
    return get_object_or_404(HouseholdViews.queryset.restrict(http.user, "view"), pk=pk)


def _staff_household(http, pk) -> Household:
    household = _household(http, pk)
    if not services.is_staff(household, http.user):
        raise PermissionDenied(_("You may view this but not change it."))
    return household


@login_required
def household_action(http, pk, action):
    household = _staff_household(http, pk)
    title, done, _icon = ACTIONS[action]
    back = household.get_absolute_url()
    form: forms.Form
    call: Callable[[dict], Any]
    if action == "pair":
        form = PairForm(http.POST or None, instance=household, user=http.user)
        call = lambda d: services.do_pair(household, acting_user=http.user, **d)  # noqa: E731
    elif action == "support":
        form = SupportForm(http.POST or None, instance=household, user=http.user)
        call = lambda d: services.do_record_support(household, acting_user=http.user, **d)  # noqa: E731
    elif action == "review":
        form = ReviewForm(http.POST or None, instance=household, user=http.user)
        call = lambda d: services.do_review(household, acting_user=http.user, **d)  # noqa: E731
    else:
        form = CloseForm(http.POST or None, instance=household, user=http.user, initial={"version": household.version})
        call = lambda d: services.do_close_household(household, acting_user=http.user, **d)  # noqa: E731
    return action_page(http, household, form, str(title), back=back, next_url=back, done_message=str(done),
                       call=call)  # fmt: skip


@login_required
def pairing_end(http, pk):
    """End a pairing (from the household's page)."""
    pairing = get_object_or_404(Assistance.objects.restrict(http.user, "view").select_related("household"), pk=pk)
    household = _staff_household(http, pairing.household_id)
    form = EndPairingForm(http.POST or None, instance=pairing, user=http.user)
    back = household.get_absolute_url()
    return action_page(http, pairing, form, _("End the pairing"), back=back, next_url=back,
                       done_message=_("The pairing has ended."),
                       call=lambda d: services.do_end_pairing(pairing, acting_user=http.user, **d))  # fmt: skip


def _reveal_context(obj: Household) -> dict:
    return {
        "pii_rows": reveal_rows(obj, services.CONTACT_FIELDS),
        "reveal_url": reverse("services:household_reveal", args=[obj.pk]),
        "denied_text": _("You may not see this household's contact."),
        "reveal_hint": _("Write why you need them (e.g. 走访). Every look is recorded."),
    }


@login_required
@require_POST
def household_reveal(http, pk):
    """The household's contact in full, after a reason (an htmx fragment); out of scope: 404."""
    obj = get_object_or_404(Household.objects.restrict(http.user, "view"), pk=pk)
    return reveal_fragment(http, obj, _reveal_context(obj), allowed=services.may_reveal_contact(obj, http.user),
                           fields=services.CONTACT_FIELDS,
                           reveal=lambda reason, address: services.do_reveal_contact(
                               obj, acting_user=http.user, reason=reason, remote_addr=address))  # fmt: skip
