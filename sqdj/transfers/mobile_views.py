"""Pages of mobile members (流动党员): lists, detail pages with their actions (POST forms), create/edit forms.

Everything is read through `restrict()`: a record outside the user's scope is a 404; an action on a record the
user may see but not change is refused with a message. The rules are in mobile_services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sqdj.core.services import ScopeViolation
from sqdj.core.views import ModelViews, ObjectEditView
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from . import mobile_services as services
from .mobile_filtersets import InflowFilterSet, OutflowFilterSet
from .mobile_forms import BranchForm, ContactForm, EndForm, InflowForm, LostContactForm, OutflowForm, VerifyForm
from .mobile_tables import InflowTable, OutflowTable
from .models import Inflow, Outflow


class MobileEditView(ObjectEditView):
    """The generic edit page; "add" opened from a member's page takes ?member=."""

    def _form(self, obj, data=None):
        kwargs = {"instance": obj, "user": self.request.user}
        if obj is None and data is None and self.request.GET.get("member"):
            kwargs["initial"] = {"member": self.request.GET["member"]}
        return self.views.form(data, **kwargs)


class MobileViews(ModelViews):
    @classmethod
    def urls(cls):
        name = cls.meta().model_name
        out = []
        for p in super().urls():
            if p.name in (f"{name}_add", f"{name}_edit"):
                p = path(str(p.pattern), MobileEditView.as_view(views=cls), name=p.name)
            out.append(p)
        return out

    @classmethod
    def may_change(cls, obj, user) -> bool:
        return obj.ended_on is None and cls.model.objects.restrict(user, "change").filter(pk=obj.pk).exists()


class OutflowViews(MobileViews):
    model = Outflow
    queryset = Outflow.objects.select_related("member", "member__org")
    table = OutflowTable
    filterset = OutflowFilterSet
    form = OutflowForm
    create_service = staticmethod(services.do_record_outflow)
    update_service = staticmethod(services.do_update_outflow)
    detail_template = "transfers/mobile_outflow.html"

    @classmethod
    def detail_context(cls, obj, user):
        may = cls.may_change(obj, user)
        return {
            "member_visible": Member.objects.restrict(user, "view").filter(pk=obj.member_id).exists(),
            "months_away": services.months_away(obj.left_on),
            "is_mobile": services.is_mobile(obj),
            "days_since_contact": services.days_since(obj.last_contact_on),
            "contact_due": services.contact_due(obj.last_contact_on),
            "contact_overdue": services.contact_overdue(obj.last_contact_on),
            "may_act": may,
            "contact_form": ContactForm(),
            "lost_form": LostContactForm(),
            "end_form": EndForm(),
        }


class InflowViews(MobileViews):
    model = Inflow
    queryset = Inflow.objects.select_related("host_org", "branch", "verified_by")
    table = InflowTable
    filterset = InflowFilterSet
    form = InflowForm
    create_service = staticmethod(services.do_register_inflow)
    update_service = staticmethod(services.do_update_inflow)
    detail_template = "transfers/mobile_inflow.html"

    @classmethod
    def detail_context(cls, obj, user):
        may = cls.may_change(obj, user)
        return {
            "host_visible": Org.objects.restrict(user, "view").filter(pk=obj.host_org_id).exists(),
            "days_since_contact": services.days_since(obj.last_contact_on),
            "contact_due": services.contact_due(obj.last_contact_on),
            "contact_overdue": services.contact_overdue(obj.last_contact_on),
            "may_act": may,
            "contact_form": ContactForm(),
            "verify_form": VerifyForm(),
            "branch_form": BranchForm(choices=services.branch_choices(obj, user)) if may and obj.verified else None,
            "end_form": EndForm(),
        }


# ---- actions --------------------------------------------------------------------------------------------------


def _act(request, model, pk, form_class, service, success, form_kwargs=None):
    """Look the record up (404 out of scope), bind the form, call the service; report the outcome as a message."""
    obj = get_object_or_404(model.objects.restrict(request.user, "view"), pk=pk)
    if not model.objects.restrict(request.user, "change").filter(pk=pk).exists():
        messages.error(request, _("You may view this but not change it."))
        return redirect(obj.get_absolute_url())
    form = form_class(request.POST, **(form_kwargs(obj) if form_kwargs else {}))
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[f].label}：{'，'.join(e)}" for f, e in form.errors.items()))
        return redirect(obj.get_absolute_url())
    try:
        service(obj, acting_user=request.user, **form.cleaned_data)
        messages.success(request, success)
    except (ValidationError, ScopeViolation) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect(obj.get_absolute_url())


@login_required
@require_POST
def outflow_contact(request, pk):
    return _act(request, Outflow, pk, ContactForm, services.do_record_outflow_contact, _("The contact is recorded."))


@login_required
@require_POST
def outflow_lost(request, pk):
    return _act(
        request, Outflow, pk, LostContactForm, services.do_mark_lost_contact, _("The lost contact is recorded.")
    )


@login_required
@require_POST
def outflow_end(request, pk):
    return _act(request, Outflow, pk, EndForm, services.do_end_outflow, _("The record is ended."))


@login_required
@require_POST
def inflow_contact(request, pk):
    return _act(request, Inflow, pk, ContactForm, services.do_record_inflow_contact, _("The contact is recorded."))


@login_required
@require_POST
def inflow_verify(request, pk):
    return _act(request, Inflow, pk, VerifyForm, services.do_verify_inflow, _("The identity is recorded as verified."))


@login_required
@require_POST
def inflow_branch(request, pk):
    # any branch the user sees: the service says why one under another org is refused
    def kwargs(obj):
        return {"choices": Org.objects.restrict(request.user, "view")}

    return _act(request, Inflow, pk, BranchForm, services.do_assign_branch, _("The branch is recorded."), kwargs)


@login_required
@require_POST
def inflow_end(request, pk):
    return _act(request, Inflow, pk, EndForm, services.do_end_inflow, _("The record is ended."))
