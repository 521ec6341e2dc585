"""Pages of transfer cases (组织关系接转): the list, the open cases of an org, a case with the steps the user may
take, creating and editing a case, and the members to receive into their residence community.

Every page reads cases through `Transfer.objects.restrict(user, "view")` (out of scope: 404); every step goes
through `transfers.services`, which checks who may act and the version the page showed (a stale page gets a
conflict and nothing changes)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from sqdj.core.forms import errors_to_form
from sqdj.core.models import ObjectChange
from sqdj.core.pii import mask_id_number, mask_phone
from sqdj.core.views import ModelViews, may
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from . import residence, services
from .choices import Direction, TransferState
from .documents import letter_available, receipt_available
from .filtersets import TransferFilterSet
from .forms import ReasonForm, TransferForm
from .models import Transfer
from .tables import TransferTable

S = TransferState
EDITABLE = (S.DRAFT, S.RETURNED, S.EXPIRED)


class TransferViews(ModelViews):
    """The list and change-history pages come from the generic views; the rest is below."""

    model = Transfer
    queryset = Transfer.objects.select_related("from_org", "to_org", "sending_approver", "receiving_approver")
    table = TransferTable
    filterset = TransferFilterSet
    extra_list_actions = (
        ("transfers:transfer_open", gettext_lazy("Open cases"), "hourglass-split"),
        ("transfers:residence_list", gettext_lazy("Members to receive into their residence community"), "house"),
        ("transfers:transfer_import", gettext_lazy("Import a letter package"), "box-arrow-in-down"),
    )


def cases(user):
    return TransferViews.queryset.all().restrict(user, "view")


# ---------------------------------------------------------------------------------------------------------------
# Open cases of an org


@login_required
def open_cases(request):
    """待办: the open cases of the user's scope, or of one org's subtree on either side (?org=<pk>), oldest step
    first, with due dates and overdue flags."""
    if not may(request.user, "view"):
        raise PermissionDenied(_("You have no role that lets you see this list."))
    org = None
    if request.GET.get("org"):
        try:
            pk = int(request.GET["org"])
        except ValueError:
            raise Http404 from None
        org = get_object_or_404(Org.objects.restrict(request.user, "view"), pk=pk)
    qs = services.open_cases(request.user, org)
    table = TransferTable(qs, orderable=False)  # configured once, below
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    overdue = sum(1 for row in table.page.object_list if services.is_overdue(row.record))
    return render(
        request,
        "transfers/open_cases.html",
        {"table": table, "org": org, "total": table.paginator.count, "overdue_on_page": overdue},
    )


# ---------------------------------------------------------------------------------------------------------------
# One case


ACTIONS = {
    "submit": (services.do_submit, gettext_lazy("Submitted for approval.")),
    "approve": (services.do_approve, gettext_lazy("Approved: the letter of introduction is issued.")),
    "return": (services.do_return, gettext_lazy("The case was returned.")),
    "accept": (services.do_accept, gettext_lazy("Accepted.")),
    "complete": (services.do_complete, gettext_lazy("Completed: the membership has moved.")),
    "cancel": (services.do_cancel, gettext_lazy("The case was cancelled.")),
}
NEEDS_REASON = ("return", "cancel")
# Steps that cannot be taken back: the page asks first, naming the case and what will change (a page, not a script
# dialog: it works without JavaScript). A POST without `confirmed` shows that page and changes nothing.
CONFIRM = {
    "cancel": (
        gettext_lazy("Cancel the case?"),
        (
            gettext_lazy("The case is closed for good and cannot be reopened; a new case would have to be started."),
            gettext_lazy("The member stays with %(from)s; nothing moves."),
            gettext_lazy("A letter of introduction issued for it is no longer valid."),
        ),
        gettext_lazy("Cancel the case"),
    ),
    "return": (
        gettext_lazy("Return the case?"),
        (
            gettext_lazy("The case goes back to %(back)s, who must correct it and submit it again."),
            gettext_lazy("A letter issued for it is no longer valid; a new one comes with the next approval."),
        ),
        gettext_lazy("Return"),
    ),
    "complete": (
        gettext_lazy("Complete the transfer?"),
        (
            gettext_lazy("The membership moves from %(from)s to %(to)s: the member leaves the roll of %(from)s."),
            gettext_lazy("The case is closed; this cannot be undone here."),
        ),
        gettext_lazy("Complete"),
    ),
}


def _timeline(case: Transfer) -> list[dict]:
    """The steps of the case from its change log, oldest first."""
    changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Transfer), object_id=case.pk
    ).order_by("time", "pk")
    steps = []
    for c in changes:
        before, after = c.prechange_data or {}, c.postchange_data or {}
        state = after.get("state")
        if c.action == ObjectChange.Action.CREATE:
            what = _("Case created (%(state)s)") % {"state": _state_label(state)}
        elif state and state != before.get("state"):
            what = _state_label(state)
        else:
            what = _("Case details edited")
        detail = ""
        if state == S.RETURNED and before.get("state") != S.RETURNED:
            detail = after.get("return_reason") or ""
        elif state == S.CANCELLED and before.get("state") != S.CANCELLED:
            detail = after.get("cancel_reason") or ""
        steps.append({"time": c.time, "user": c.user_name, "what": what, "state": state or "", "detail": detail})
    return steps


def _state_label(value) -> str:
    try:
        return str(TransferState(value).label)
    except ValueError:
        return str(value or "")


def _detail_context(request, case: Transfer, **extra) -> dict:
    user = request.user
    actions = services.acting_side(case, user)
    member_visible = bool(case.member_id) and Member.objects.restrict(user, "view").filter(pk=case.member_id).exists()
    masked_id = masked_phone = ""
    if case.member_id:
        masked_id, masked_phone = case.member.id_number_masked, case.member.phone_masked
    elif case.incoming_details:
        details = json.loads(case.incoming_details)
        masked_id = mask_id_number(details.get("id_number") or "")
        masked_phone = mask_phone(details.get("phone") or "") if details.get("phone") else ""
    # "您需要办理" only for a step that moves the case on; a submitter who can only cancel is told just that
    steps = [name for name, allowed in actions.items() if allowed and name != "cancel"]
    ctx = {
        "object": case,
        "actions": actions,
        "any_action": any(actions.values()),
        "has_step": bool(steps),
        "only_cancel": actions.get("cancel", False) and not steps,
        "may_edit": case.state in EDITABLE
        and case.direction != Direction.INCOMING
        and services.may_act(user, case.from_org),
        "member_visible": member_visible,
        "masked_id": masked_id,
        "masked_phone": masked_phone or "—",
        "due": services.due_date(case),
        "overdue": services.is_overdue(case),
        "waiting_on": services.waiting_on(case),
        "timeline": _timeline(case),
        "letter_url": reverse("transfers:transfer_letter", args=[case.pk]) if letter_available(case) else None,
        "receipt_url": reverse("transfers:transfer_receipt", args=[case.pk]) if receipt_available(case) else None,
        # the package carries the member's unmasked details: only for those who may reveal them
        "package_url": reverse("transfers:transfer_package", args=[case.pk])
        if case.direction == Direction.OUTGOING
        and case.state == S.APPROVED
        and Member.objects.restrict(user, "reveal").filter(pk=case.member_id).exists()
        else None,
        "reason_form": ReasonForm(),
        "list_url": reverse("transfers:transfer_list"),
        "changes_url": reverse("transfers:transfer_changes", args=[case.pk]),
    }
    ctx.update(extra)
    return ctx


@login_required
def transfer(request, pk):
    case = get_object_or_404(cases(request.user).select_related("member", "created_by"), pk=pk)
    return render(request, "transfers/transfer.html", _detail_context(request, case))


@login_required
@require_POST
def transfer_action(request, pk, action):
    """One step of the case. The form carries the version the page showed: if the case changed since, the
    service raises `Conflict` and the page is shown again, fresh, with the message (409); nothing is written."""
    if action not in ACTIONS:
        raise Http404
    case = get_object_or_404(cases(request.user), pk=pk)
    service, done = ACTIONS[action]
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1  # no version: treat as stale rather than act blindly
    kwargs = {"acting_user": request.user, "version": version}
    if action in NEEDS_REASON:
        kwargs["reason"] = request.POST.get("reason", "")
    if action in CONFIRM and not request.POST.get("confirmed"):
        if not services.acting_side(case, request.user).get(action):
            raise PermissionDenied(_("You cannot act on this case at this step."))
        return _confirm_page(request, case, action, version, kwargs.get("reason", ""))
    try:
        service(case, **kwargs)
    except services.Conflict:
        fresh = get_object_or_404(cases(request.user).select_related("member"), pk=pk)
        msg = _("Nothing was changed: someone else has already handled this case. Its current state is shown below.")
        return render(request, "transfers/transfer.html", _detail_context(request, fresh, conflict=msg), status=409)
    except ValidationError as exc:
        fresh = get_object_or_404(cases(request.user).select_related("member"), pk=pk)
        errors = exc.message_dict.get("reason", exc.messages) if hasattr(exc, "error_dict") else exc.messages
        return render(
            request,
            "transfers/transfer.html",
            _detail_context(request, fresh, action_error="；".join(errors), failed_action=action),
            status=400,
        )
    messages.success(request, str(done))
    case = cases(request.user).filter(pk=pk).first()
    return redirect(case.get_absolute_url() if case else reverse("transfers:transfer_list"))


def _confirm_page(request, case: Transfer, action: str, version: int, reason: str):
    title, consequences, button = CONFIRM[action]
    back = case.to_org if case.direction == Direction.INCOMING else case.from_org
    names = {"from": case.from_name or "—", "to": case.to_name or "—", "back": back.name if back else case.from_name}
    context = {
        "object": case,
        "action": action,
        "title": title,
        "consequences": [str(text) % names for text in consequences],
        "button": button,
        "version": version,
        "reason": reason,
        "needs_reason": action in NEEDS_REASON,
        "list_url": reverse("transfers:transfer_list"),
    }
    return render(request, "transfers/transfer_confirm.html", context)


# ---------------------------------------------------------------------------------------------------------------
# Creating and editing a case


def _form_page(request, form, *, member=None, case=None, status=200):
    return render(
        request,
        "transfers/transfer_form.html",
        {"form": form, "member": member or (case.member if case else None), "object": case, "status": status},
        status=status,
    )


@login_required
def transfer_create(request, member_pk):
    """A new case for a member the user may change: saved as a draft, or saved and submitted at once."""
    member = get_object_or_404(Member.objects.restrict(request.user, "view").select_related("org"), pk=member_pk)
    if not Member.objects.restrict(request.user, "change").filter(pk=member.pk).exists():
        raise PermissionDenied(_("You may view this but not change it."))
    if request.method != "POST":
        initial = {k: request.GET[k] for k in ("to_org", "reason") if request.GET.get(k)}
        return _form_page(request, TransferForm(initial=initial), member=member)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                case = services.do_create_transfer(acting_user=request.user, member=member, **form.service_data())
                if "submit" in request.POST:
                    case = services.do_submit(case, acting_user=request.user, version=case.version)
            messages.success(request, _("Created %(obj)s.") % {"obj": case})
            return redirect(case.get_absolute_url())
        except ValidationError as exc:
            errors_to_form(form, exc)
    return _form_page(request, form, member=member, status=400)


@login_required
def transfer_edit(request, pk):
    """Change a case the sending org still holds (draft, returned, letter expired); the version the form
    showed must still be current."""
    case = get_object_or_404(cases(request.user).select_related("member"), pk=pk)
    if case.state not in EDITABLE or case.direction == Direction.INCOMING:
        raise PermissionDenied(_("This case can no longer be edited."))
    if not services.may_act(request.user, case.from_org):
        raise PermissionDenied(_("You may view this but not change it."))
    if request.method != "POST":
        initial = {
            "to_org": case.to_org,
            "external_org_name": case.external_org_name,
            "external_org_contact": case.external_org_contact,
            "reason": case.reason,
            "note": case.note,
        }
        return _form_page(request, TransferForm(initial=initial), case=case)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            with transaction.atomic():
                case = services.do_update_draft(case, acting_user=request.user, version=version, **form.service_data())
                if "submit" in request.POST:
                    case = services.do_submit(case, acting_user=request.user, version=case.version)
            messages.success(request, _("Saved %(obj)s.") % {"obj": case})
            return redirect(case.get_absolute_url())
        except services.Conflict:
            form.add_error(
                None, _("Nothing was saved: someone else has changed this case in the meantime. Open it again.")
            )
            return _form_page(request, form, case=case, status=409)
        except ValidationError as exc:
            errors_to_form(form, exc)
    return _form_page(request, form, case=case, status=400)


# ---------------------------------------------------------------------------------------------------------------
# Members to receive into their residence community


@login_required
def residence_list(request):
    """待转入居住地社区的党员: retired, unemployed and unit-less members of the user's scope whose residence
    community's org does not hold them yet, one click each to start the case."""
    if not may(request.user, "change"):
        raise PermissionDenied(_("You have no role that lets you see this list."))
    members = residence.candidates(Member.objects.restrict(request.user, "change"))
    members = members.select_related("org", "home_area").order_by("org__path", "name", "pk")
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    targets = Org.objects.in_bulk({m.target_id for m in page.object_list})
    rows = [
        {
            "member": m,
            "target": targets.get(m.target_id),
            "start_url": residence_start_url(m, targets[m.target_id]) if m.target_id in targets else "",
        }
        for m in page.object_list
    ]
    return render(request, "transfers/residence_list.html", {"rows": rows, "page": page})


def residence_start_url(member: Member, target: Org) -> str:
    query = urlencode({"to_org": target.code, "reason": residence.reason_for(member)})
    return f"{reverse('transfers:transfer_create', args=[member.pk])}?{query}"
