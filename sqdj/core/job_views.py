"""The user's background jobs (core.jobs): their imports and exports with state, progress and a retry button, and
the page of a large export with its file. A user only ever sees their own jobs: another user's job is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import jobs
from .importing import get_importer
from .models import ExportJob, ImportBatch
from .redirects import is_local

SHOWN = 50  # the newest jobs of each kind


def _own(model, request, pk):
    try:
        return model.objects.get(pk=pk, user=request.user)
    except (model.DoesNotExist, ValidationError):
        raise Http404 from None


def _import_page(batch: ImportBatch) -> str | None:
    try:
        model = get_importer(batch.kind).model
        if model is None:
            return None
        return f"{reverse(f'{model._meta.app_label}:{model._meta.model_name}_import')}?batch={batch.pk}"
    except (KeyError, NoReverseMatch):
        return None


def _label(kind: str) -> str:
    try:
        importer = get_importer(kind)
    except KeyError:
        return kind
    if importer.verbose_name or importer.model is None:
        return str(importer.verbose_name or kind)
    return str(importer.model._meta.verbose_name_plural)


@login_required
def job_list(request):
    jobs.purge_stale_files()
    rows: list[dict[str, Any]] = []
    for batch in ImportBatch.objects.filter(user=request.user)[:SHOWN]:
        jobs.refresh(batch)
        what = _("Import check") if batch.dry_run else _("Import")
        retryable = batch.status == batch.Status.FAILED and jobs.pending_file(batch).exists()
        rows.append({"job": batch, "what": what, "url": _import_page(batch), "retryable": retryable})
    for export in ExportJob.objects.filter(user=request.user)[:SHOWN]:
        jobs.refresh(export)
        rows.append({"job": export, "what": _("Export"), "url": reverse("export_job", args=[export.pk]),
                     "retryable": export.status == export.Status.FAILED})  # fmt: skip
    rows.sort(key=lambda r: r["job"].created, reverse=True)
    for r in rows:
        r["label"] = _label(r["job"].kind)
    ctx = {"rows": rows, "polling": any(r["job"].active for r in rows)}
    template = "core/_job_rows.html" if request.htmx else "core/job_list.html"
    return render(request, template, ctx)


@login_required
@require_POST
def job_retry(request, pk):
    job = ImportBatch.objects.filter(pk=pk, user=request.user).first() or _own(ExportJob, request, pk)
    if jobs.retry(jobs.refresh(job)):
        messages.success(request, _("The job is queued again."))
    elif job.status == job.Status.FAILED:
        messages.error(request, _("This import has expired; please upload the file again."))
    else:
        messages.info(request, _("This job is not failed: there is nothing to retry."))
    back = request.POST.get("next", "")
    if is_local(request, back):
        return redirect(back)
    return redirect("jobs")


@login_required
def export_job(request, pk):
    jobs.purge_stale_files()
    job = jobs.refresh(_own(ExportJob, request, pk))
    ready = job.status == job.Status.DONE and jobs.export_file(job).exists()
    ctx = {"job": job, "label": _label(job.kind), "file_ready": ready}
    template = "core/_job_export.html" if request.htmx else "core/job_export.html"
    return render(request, template, ctx)


@login_required
def export_download(request, pk):
    job = _own(ExportJob, request, pk)
    if job.status != job.Status.DONE:
        raise Http404
    try:
        handle = jobs.export_file(job).open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=job.filename)
    if job.params.get("reveal_reason"):
        response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("", job_list, name="jobs"),
    path("<uuid:pk>/retry/", job_retry, name="job_retry"),
    path("exports/<uuid:pk>/", export_job, name="export_job"),
    path("exports/<uuid:pk>/download/", export_download, name="export_download"),
]
