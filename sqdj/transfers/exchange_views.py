"""Pages of the exchange with other deployments: download an issued letter's signed package (POST with a reason:
it holds full personal data), and upload a package → preview → create the incoming case."""

from __future__ import annotations

import base64
import binascii

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.pii import mask_id_number, mask_phone
from sqdj.orgs.models import Org

from . import exchange
from .choices import Direction, TransferReason, TransferState
from .models import Transfer


class ExportForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why you export the letter"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "办理组织关系转接"}),
    )
    to_deployment = forms.CharField(
        label=gettext_lazy("Receiving deployment's id"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    to_org_code = forms.CharField(
        label=gettext_lazy("Receiving organization's code there (if known)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    contact = forms.CharField(
        label=gettext_lazy("Sending organization's contact (office and telephone)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Package file (.json)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".json,application/json"}),
    )


class ConfirmForm(forms.Form):
    package = forms.CharField(widget=forms.HiddenInput)  # the uploaded bytes, base64; verified again on confirm
    to_org = forms.CharField(
        label=gettext_lazy("Receiving organization (code)"),
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


def _errors(form: forms.Form, exc: ValidationError, default: str | None = None) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else default, errors)
    else:
        form.add_error(default, exc.messages)


@login_required
def package(request, pk):
    case = get_object_or_404(Transfer.objects.restrict(request.user, "view").select_related("from_org"), pk=pk)
    if case.direction != Direction.OUTGOING or case.state != TransferState.APPROVED:
        raise Http404  # only an issued letter to outside has a package
    form = ExportForm(request.POST or None, initial={"to_deployment": case.external_deployment})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                data = exchange.export_package(
                    case, acting_user=request.user, remote_addr=request.META.get("REMOTE_ADDR"), **form.cleaned_data
                )
            except exchange.ExportDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            except ValidationError as exc:
                _errors(form, exc)
            else:
                response = HttpResponse(data, content_type="application/json; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="{exchange.filename(case)}"'
                response["Cache-Control"] = "no-store"
                return response
    return render(request, "transfers/exchange_export.html", {"object": case, "form": form}, status=status)


def _preview(package: dict) -> dict:
    letter, member = package["letter"], package["member"]
    reason = letter.get("reason")
    return {
        "from_deployment": package["from_deployment"],
        "issued_at": package["issued_at"],
        "number": letter["number"],
        "issued_on": package["_issued_on"],
        "valid_until": package["_valid_until"],
        "reason": TransferReason(reason).label if reason in TransferReason.values else reason,
        "note": letter.get("note") or "",
        "from_org": letter["from_org"],
        "to_org": letter["to_org"],
        "name": member.get("name"),
        "id_number": mask_id_number(str(member.get("id_number") or "")),
        "phone": mask_phone(str(member.get("phone") or "")),
        "birth_date": member.get("birth_date"),
    }


@login_required
def import_package(request):
    """Step 1 upload, step 2 preview (nothing written yet), step 3 create the case (the package verified again)."""
    upload, confirm, preview, status = UploadForm(), None, None, 200
    if request.method == "POST" and "confirm" in request.POST:
        confirm = ConfirmForm(request.POST)
        status = 400
        data = b""
        if confirm.is_valid():
            try:
                data = base64.b64decode(confirm.cleaned_data["package"], validate=True)
            except (ValueError, binascii.Error):
                confirm.add_error(None, _("The file is not a transfer letter package (not valid JSON)."))
        if confirm.is_valid():
            to_org = Org.objects.restrict(request.user, "change").filter(code=confirm.cleaned_data["to_org"]).first()
            try:
                if to_org is None:
                    raise ValidationError(
                        {
                            "to_org": [
                                _("Unknown organization code %(code)s (or outside your scope).")
                                % {"code": confirm.cleaned_data["to_org"]}
                            ]
                        }  # fmt: skip
                    )
                case = exchange.import_package(data, acting_user=request.user, to_org=to_org)
            except Http404:
                confirm.add_error("to_org", _("You cannot receive a member into this organization."))
            except ValidationError as exc:
                _errors(confirm, exc)
            else:
                messages.success(
                    request,
                    _("Incoming case %(id)s created: %(name)s, letter %(number)s, waiting for acceptance.")
                    % {"id": case.pk, "name": case.person_name, "number": case.letter_number},
                )
                return redirect(case.get_absolute_url())
        try:
            preview = _preview(exchange.verify(data)) if data else None
        except ValidationError:
            preview = None
    elif request.method == "POST":
        upload = UploadForm(request.POST, request.FILES)
        status = 400
        if upload.is_valid():
            data = upload.cleaned_data["file"].read(exchange.MAX_BYTES + 1)
            try:
                package = exchange.verify(data)
                previous = exchange.already_imported(package)
                if previous is not None:
                    raise ValidationError(
                        _("Letter %(number)s was already imported (case %(case)s); nothing was imported again.")
                        % {"number": package["letter"]["number"], "case": previous.pk}
                    )
            except ValidationError as exc:
                _errors(upload, exc, default="file")
            else:
                status, preview = 200, _preview(package)
                target = exchange.receiving_org(package, request.user)
                confirm = ConfirmForm(
                    initial={"package": base64.b64encode(data).decode(), "to_org": target.code if target else ""}
                )
    response = render(
        request,
        "transfers/exchange_import.html",
        {"upload_form": upload, "confirm_form": confirm, "preview": preview},
        status=status,
    )
    response["Cache-Control"] = "no-store"  # the preview page carries the package (full personal data)
    return response
