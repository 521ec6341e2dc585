"""The auditor's pages (security.md R7, R10): the audit trail, searched and exported. Only the audit administrator
(the `audit_admin` duty) sees them; to everyone else — a superuser included, who must not be able to read the
trail of their own actions unseen — they do not exist (404)."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .models import AuditEvent
from .tabular import write_table

AUDITOR_DUTY = "audit_admin"
PER_PAGE = 50
EXPORT_MAX = 200_000  # rows of one export; narrow the search for more


def is_auditor(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.duty == AUDITOR_DUTY)


class AuditSearchForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    user = forms.CharField(label=gettext_lazy("User name"), required=False, max_length=150)
    event = forms.ChoiceField(
        label=gettext_lazy("Event"), required=False, choices=[("", "—"), *AuditEvent.Event.choices]
    )
    object_type = forms.CharField(label=gettext_lazy("Object type"), required=False, max_length=100)
    object_id = forms.CharField(label=gettext_lazy("Object id"), required=False, max_length=64)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), required=False, choices=[("", "—"), *AuditEvent.Outcome.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm" if css == "form-control" else f"{css} form-select-sm"

    def queryset(self):
        qs = AuditEvent.objects.order_by("-id")
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        if data["start"]:
            qs = qs.filter(time__gte=datetime.datetime.combine(data["start"], datetime.time(), tz))
        if data["end"]:
            end = datetime.datetime.combine(data["end"] + datetime.timedelta(days=1), datetime.time(), tz)
            qs = qs.filter(time__lt=end)
        if data["user"]:
            qs = qs.filter(username=data["user"].strip())
        for key in ("event", "object_type", "object_id", "outcome"):
            if data[key]:
                qs = qs.filter(**{key: data[key].strip()})
        return qs


def _columns() -> list[str]:
    return [
        _("Time"),
        _("User name"),
        _("User id"),
        _("Duty or roles"),
        _("IP address"),
        _("Event"),
        _("Object type"),
        _("Object id"),
        _("Organization scope"),
        _("Outcome"),
        _("Detail"),
        _("Hash"),
    ]


def _row(e: AuditEvent) -> list:
    return [
        timezone.localtime(e.time).strftime("%Y-%m-%d %H:%M:%S"),
        e.username,
        e.user_id or "",
        e.roles,
        e.remote_addr or "",
        e.get_event_display(),
        e.object_type,
        e.object_id,
        e.org_path,
        e.get_outcome_display(),
        audit.detail_text(e.detail),
        e.hash,
    ]


@login_required
def audit_list(request):
    if not is_auditor(request.user):
        raise Http404
    form = AuditSearchForm(request.GET or None)
    qs = form.queryset() if request.GET else AuditEvent.objects.order_by("-id")
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        rows = [_row(e) for e in qs[:EXPORT_MAX]]
        data = write_table(_columns(), rows, fmt)
        audit.record(
            audit.Event.EXPORT,
            object_type=AuditEvent._meta.label_lower,
            detail={"rows": len(rows), "format": fmt, "query": request.GET.urlencode()[:500]},
        )
        response = HttpResponse(data, content_type="text/csv" if fmt == "csv" else "application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="audit.{fmt}"'
        response["Cache-Control"] = "no-store"
        return response
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(request, "core/audit_list.html", {"form": form, "page": page, "query": query.urlencode()})


urlpatterns = [path("", audit_list, name="audit")]
