"""The request part's pages: the list (with its to-do filters), the detail (facts, the steps as a timeline, the
contact masked, the actions its user may take), the staff's intake, one page per step, the category catalogue."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from sqdj.areas.models import Area
from sqdj.core.forms import RevealForm
from sqdj.core.pii import reveal_rows
from sqdj.core.views import ModelViews, ObjectEditView, ObjectListView, action_page, reveal_fragment
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from . import requests as services
from .models import Category, Request, Station
from .request_filtersets import CategoryFilterSet, RequestFilterSet
from .request_forms import AssignForm, CategoryForm, PublicListForm, RateForm, RequestForm, StepForm
from .request_tables import CategoryTable, RequestExport, RequestTable, verbatim, when

# the step pages: action → (title, done message, icon)
ACTIONS = {
    "accept": (gettext_lazy("Accept"), gettext_lazy("The request is accepted."), "check2"),
    "assign": (gettext_lazy("Assign"), gettext_lazy("The request is assigned."), "person-check"),
    "start": (gettext_lazy("Start"), gettext_lazy("The request is in progress."), "play"),
    "resolve": (gettext_lazy("Resolve"), gettext_lazy("The request is resolved."), "check2-all"),
    "rate": (gettext_lazy("Record the resident's answer"), gettext_lazy("The resident's answer is recorded."),
             "chat-heart"),
    "close": (gettext_lazy("Close"), gettext_lazy("The request is closed."), "archive"),
    "refer": (gettext_lazy("Refer elsewhere"), gettext_lazy("The request is referred elsewhere."), "box-arrow-right"),
    "decline": (pgettext_lazy("a request", "Decline"), gettext_lazy("The request is declined."), "x-circle"),
    "publish": (gettext_lazy("Show on the public list"), gettext_lazy("The request is on the public list."), "globe"),
    "unpublish": (gettext_lazy("Take off the public list"), gettext_lazy("The request is off the public list."),
                  "eye-slash"),
}  # fmt: skip


def _link(model, obj, user):
    """(name, the object's page where the user may open it, else None)."""
    if obj is None:
        return "—", None
    seen = model.objects.restrict(user, "view").filter(pk=obj.pk).exists()
    return str(obj), obj.get_absolute_url() if seen else None


class RequestViews(ModelViews):
    """群众诉求 of the user's territory; the member and the unit's liaison: those assigned to them."""

    model = Request
    queryset = Request.objects.select_related("category", "area", "org", "station", "assigned_org",
                                              "assigned_member", "assigned_unit", "assigned_project")  # fmt: skip
    table = RequestTable
    filterset = RequestFilterSet
    form = RequestForm
    create_service = staticmethod(services.do_create_request)
    detail_template = "services/requests/request.html"

    importer = RequestExport  # the list's export only (see `urls`)

    @classmethod
    def urls(cls):
        """The generic pages, but: the list offers its export and no import (requests enter by their services: the
        import page answers 404); the edit page leads to the request's page (a request changes by its steps)."""
        name = cls.meta().model_name
        replaced = {f"{name}_list", f"{name}_edit", f"{name}_import", f"{name}_add"}
        patterns = [p for p in super().urls() if p.name not in replaced]
        return [
            path("", RequestListView.as_view(views=cls), name=f"{name}_list"),
            path("add/", RequestAddView.as_view(views=cls), name=f"{name}_add"),
            *patterns,
            path("<int:pk>/edit/", request_edit, name=f"{name}_edit"),
            path("import/", no_import, name=f"{name}_import"),
        ]

    @classmethod
    def detail_context(cls, obj, user):
        rows = [
            (_("request number"), verbatim(obj.number), None),
            (_("category"), obj.category.name if obj.category else "—", None),
            (_("summary"), obj.summary, None),
            (_("description"), obj.description, None),
            (_("area"), obj.area.name, _link(Area, obj.area, user)[1]),
            (_("location"), obj.location or "—", None),
            (_("urgency"), obj.get_urgency_display(), None),
            (_("request source"), obj.get_source_display(), None),
        ]
        if obj.station_id:
            rows.append((_("taken at station"), *_link(Station, obj.station, user)))
        if obj.consent_at:
            version = format_html("{} · {}", when(obj.consent_at), verbatim(obj.consent_version or "—"))
            rows.append((_("consent given at"), version, None))
        rows += [
            (_("on the public list"), _("Yes") if obj.public else _("No"), None),
            (_("responsible organization"), *_link(Org, obj.org, user)),
        ]
        for label, model, target in ((_("assigned branch"), Org, obj.assigned_org),
                                     (_("assigned party member"), Member, obj.assigned_member),
                                     (_("assigned unit"), None, obj.assigned_unit),
                                     (_("assigned co-building project"), None, obj.assigned_project)):  # fmt: skip
            if target is not None:
                rows.append((label, *(_link(model, target, user) if model else (str(target), None))))
        rows += [
            (_("received at"), when(obj.received_at), None),
            (_("due at"), when(obj.due_at), None),
        ]
        for label, value in ((_("accepted at"), obj.accepted_at), (_("resolved at"), obj.resolved_at),
                             (_("closed at"), obj.closed_at), (_("escalated at"), obj.escalated_at)):  # fmt: skip
            if value:
                rows.append((label, when(value), None))
        if obj.resolution:
            rows.append((_("handling outcome"), obj.resolution, None))
        if obj.end_reason:
            rows.append((_("why it was referred or declined"), obj.end_reason, None))
        if obj.satisfaction:
            rows.append((_("satisfaction"), obj.get_satisfaction_display(), None))
        if obj.reopened:
            rows.append((_("times reopened"), str(obj.reopened), None))
        rows.append((_("version"), str(obj.version), None))
        steps = obj.steps.select_related("by").order_by("at", "pk")
        actions = [(name, *ACTIONS[name]) for name in services.allowed_actions(obj, user)]
        contact = {}
        if obj.contact_name or obj.contact_phone:  # the resident's contact: masked, in full once with a reason
            contact = {**_reveal_context(obj), "may_reveal": services.may_reveal_contact(obj, user),
                       "reveal_form": RevealForm()}  # fmt: skip
        return {"rows": rows, "steps": steps, "request_actions": actions, "can_change": False, **contact,
                "overdue": Request.objects.filter(services.overdue_q(), pk=obj.pk).exists()}  # fmt: skip


class RequestListView(ObjectListView):
    def base_context(self, **extra):
        return {**super().base_context(**extra), "can_import": False}


class RequestAddView(ObjectEditView):
    """The intake; `?visit=<pk>` opens it from a visit (the form prefills the visit's area and source 走访)."""

    def _form(self, obj, data=None):
        visit = self.request.GET.get("visit")  # the form posts to its own URL: the same visit on both
        return self.views.form(data, instance=obj, user=self.request.user, initial={"visit": visit} if visit else None)


@login_required
def no_import(http):
    raise Http404


def _request(http, pk) -> Request:
    return get_object_or_404(RequestViews.queryset.restrict(http.user, "view"), pk=pk)


def _step_page(http, pk, action: str):
    request = _request(http, pk)
    if action not in services.allowed_actions(request, http.user):
        raise PermissionDenied(_("You may not take this step now."))
    title, done, _icon = ACTIONS[action]
    initial = {"version": request.version}
    form: forms.Form
    if action == "assign":
        form = AssignForm(http.POST or None, instance=request, user=http.user, initial=initial)
        call = lambda d: services.do_assign(request, acting_user=http.user, **d)  # noqa: E731
    elif action == "rate":
        form = RateForm(http.POST or None, instance=request, user=http.user, initial=initial)
        call = lambda d: services.do_rate(request, acting_user=http.user, **d)  # noqa: E731
    elif action in ("publish", "unpublish"):
        form = PublicListForm(http.POST or None, instance=request, user=http.user, initial=initial)
        public = action == "publish"
        call = lambda d: services.do_set_public(request, acting_user=http.user, public=public, **d)  # noqa: E731
    else:
        form = StepForm(http.POST or None, instance=request, user=http.user, initial=initial, action=action)
        to_state = services.ACTION_STATES[action]
        call = lambda d: services.do_transition(request, to_state, acting_user=http.user, **d)  # noqa: E731
    return action_page(http, request, form, str(title), done_message=str(done), call=call)


@login_required
def request_edit(http, pk):
    request = _request(http, pk)
    if not services.is_staff(request, http.user):
        raise PermissionDenied(_("You may view this but not change it."))
    return redirect(request.get_absolute_url())


def _reveal_context(obj: Request) -> dict:
    return {
        "pii_rows": reveal_rows(obj, services.CONTACT_FIELDS),
        "reveal_url": reverse("services:request_reveal", args=[obj.pk]),
        "denied_text": _("You may not see this resident's contact."),
        "reveal_hint": _("Write why you need them (e.g. 回访). Every look is recorded."),
    }


@login_required
@require_POST
def request_reveal(http, pk):
    """The resident's contact in full, after a reason (an htmx fragment); out of scope: 404."""
    obj = get_object_or_404(Request.objects.restrict(http.user, "view"), pk=pk)
    return reveal_fragment(http, obj, _reveal_context(obj), allowed=services.may_reveal_contact(obj, http.user),
                           fields=services.CONTACT_FIELDS,
                           reveal=lambda reason, address: services.do_reveal_contact(
                               obj, acting_user=http.user, reason=reason, remote_addr=address))  # fmt: skip


@login_required
def request_step(http, pk, action):
    if action not in ACTIONS:
        raise Http404
    return _step_page(http, pk, action)


class CategoryViews(ModelViews):
    """诉求类别: the national catalogue, the orgs' own."""

    model = Category
    queryset = Category.objects.select_related("org")
    table = CategoryTable
    filterset = CategoryFilterSet
    form = CategoryForm
    create_service = staticmethod(services.do_create_category)
    update_service = staticmethod(services.do_update_category)
    detail_template = "services/requests/category.html"

    @classmethod
    def detail_context(cls, obj, user):
        rows = [
            (_("code"), verbatim(obj.code), None),
            (_("name"), obj.name, None),
            (_("party organization"), *_link(Org, obj.org, user)),
            (_("position"), str(obj.position), None),
            (_("active"), _("Yes") if obj.active else _("No"), None),
        ]
        # the gate shows the national categories and those above: changed only where the service allows
        return {"rows": rows, "can_change": services.may_edit_category(user, obj.org)}
