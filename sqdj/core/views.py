"""Generic views. A model gets its pages by declaring attributes on a `ModelViews` subclass:

    class OrgViews(ModelViews):
        model = Org
        table = OrgTable
        filterset = OrgFilterSet
        form = OrgForm
        importer = OrgImporter
        create_service = services.do_create_org
        ...

Every page reads through `restrict(user, action)`: an object outside the user's scope is a 404; an
object the user may see but not change is a 403 for the edit and delete pages.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from . import import_templates, jobs, picking, saved_search
from .changelog import readable_diff
from .exporting import export_queryset
from .forms import ImportForm, RevealForm, errors_to_form
from .models import ImportBatch, ObjectChange, TreeNode
from .pii import reveal_only_fields, reveal_rows, revealable_pks, shown_diff
from .plugins import actions_for, panels_for
from .scope import may as scope_may
from .services import UNSET, Conflict, ScopeViolation


def may(user, action: str, model=None) -> bool:
    """Whether the user holds any role allowing `action` somewhere (with `model`: a self-only role counts where
    the model has a self scope, e.g. a member's own record; core.scope.may)."""
    return scope_may(user, action, model)


class ModelViews:
    # set by subclasses (Any: a model class, a table class, a service function …)
    model: Any = None
    queryset: Any = None  # e.g. Org.objects.select_related("area"); defaults to model.objects.all()
    table: Any = None
    filterset: Any = None
    form: Any = None
    importer: Any = None
    create_service: Any = None
    update_service: Any = None
    delete_service: Any = None
    detail_template: str | None = None
    list_template = "generic/object_list.html"
    extra_list_actions: tuple = ()  # (url name, label, icon)
    # the search picker (core.widgets.SearchSelect) of forms that choose one of these: the fields its words match,
    # the query parameters that narrow it (exact), and whether it may ignore the scope (public data only: the
    # administrative divisions). No fields: no picker page.
    pick_fields: tuple[str, ...] = ()
    pick_filters: tuple[str, ...] = ()
    pick_public = False
    pick_limit = 20
    # tree picker (issue 14, core.picking): pinyin columns the words also match ("hpsq"), and named choice sets
    # (`?set=`: core.picking.PickSet) such as the orgs that can receive a membership
    pick_pinyin_fields: tuple[str, ...] = ()
    pick_sets: dict[str, Any] = {}

    @classmethod
    def pick_label(cls, obj) -> str:
        return str(obj)

    @classmethod
    def detail_context(cls, obj, user) -> dict:
        """Extra context for the detail page; anything related must be read through `restrict()`."""
        return {}

    @classmethod
    def meta(cls):
        return cls.model._meta

    @classmethod
    def url_name(cls, action: str = "") -> str:
        name = cls.meta().model_name
        return f"{cls.meta().app_label}:{name}{'_' + action if action else ''}"

    @classmethod
    def urls(cls):
        name = cls.meta().model_name
        patterns = [
            path("", ObjectListView.as_view(views=cls), name=f"{name}_list"),
            path("<int:pk>/", ObjectDetailView.as_view(views=cls), name=name),
        ]
        if cls.form is not None:
            patterns += [
                path("add/", ObjectEditView.as_view(views=cls), name=f"{name}_add"),
                path("<int:pk>/edit/", ObjectEditView.as_view(views=cls), name=f"{name}_edit"),
            ]
        if cls.delete_service is not None:
            patterns.append(path("<int:pk>/delete/", ObjectDeleteView.as_view(views=cls), name=f"{name}_delete"))
        if cls.importer is not None:
            patterns.append(path("import/", ObjectImportView.as_view(views=cls), name=f"{name}_import"))
        patterns.append(path("<int:pk>/changes/", ObjectChangesView.as_view(views=cls), name=f"{name}_changes"))
        if cls.pick_fields:
            patterns.append(path("pick/", ObjectPickView.as_view(views=cls), name=f"{name}_pick"))
        return patterns


class BaseObjectView(LoginRequiredMixin, View):
    views: type[ModelViews] = ModelViews

    @property
    def model(self):
        return self.views.model

    def restricted(self, action: str = "view"):
        qs = self.views.queryset if self.views.queryset is not None else self.model.objects.all()
        return qs.all().restrict(self.request.user, action)

    def get_object(self, action: str = "view"):
        """404 outside the view scope; 403 when seen but not allowed to `action`."""
        obj = get_object_or_404(self.restricted("view"), pk=self.kwargs["pk"])
        if action != "view" and not self.restricted(action).filter(pk=obj.pk).exists():
            raise PermissionDenied(_("You may view this but not change it."))
        return obj

    def base_context(self, **extra):
        meta = self.model._meta
        user = self.request.user
        ctx = {
            "views": self.views,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse(self.views.url_name("list")),
            "can_add": self.views.form is not None and may(user, "add"),
            "can_import": self.views.importer is not None and may(user, "add"),
            "import_url": reverse(self.views.url_name("import")) if self.views.importer else None,
            "add_url": reverse(self.views.url_name("add")) if self.views.form else None,
        }
        ctx.update(extra)
        return ctx


class ObjectListView(BaseObjectView):
    """The list, its filters and its export. The filter form is sent by POST and answered by a redirect: a value
    that may be an ID or phone number is kept server-side and the URL says `?s=<id>` (core.saved_search)."""

    def _check(self):
        if not may(self.request.user, "view", self.model):
            raise PermissionDenied(_("You have no role that lets you see this list."))

    def post(self, request):
        self._check()
        if "reset" in request.POST:  # 重置: the remembered filters and sort are forgotten (issue 14)
            saved_search.forget(request, request.path)
            return saved_search.see_other(request.path)
        return saved_search.see_other(saved_search.redirect_for_post(request))

    def get(self, request):
        self._check()
        if not request.GET:  # the list's own link (the menu): its remembered filters and sort (core.saved_search)
            restored = saved_search.restore_url(request, request.path)
            if restored is not None:
                return saved_search.see_other(restored)
        search = saved_search.resolve(request)
        if search.redirect is not None:
            if search.expired:
                messages.warning(request, _("This search has expired; please search again."))
            return saved_search.see_other(search.redirect)
        params = search.params  # the filters, numbers included: never put into a URL (request.GET is the URL's)
        qs = self.restricted("view")
        fs = None
        if self.views.filterset:
            params = self.views.filterset.with_defaults(params)  # 包含所有下级 unless unticked (issue 14)
            fs = self.views.filterset(params or None, queryset=qs, request=request)
        if fs is not None:
            qs = fs.qs if fs.is_bound and fs.is_valid() else qs
        if (fs is None or not fs.is_bound or fs.is_valid()) and "export" not in params:
            saved_search.remember(request, request.path, search.params)  # what the page shows, for the next visit
        fmt = params.get("export")
        importer_cls = self.views.importer
        reveals_pii = getattr(importer_cls, "reveals_pii", False)  # full numbers only with a reason, logged
        if fmt in ("xlsx", "csv") and importer_cls is not None:
            kwargs = {"reveal_reason": params.get("reveal_reason", "")} if reveals_pii else {}
            try:
                importer = importer_cls(user=request.user, **kwargs)
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
                back = request.GET.copy()
                for key in ("export", "reveal_reason"):
                    back.pop(key, None)
                return redirect(f"{request.path}?{back.urlencode()}")
            if qs.count() > settings.SQDJ_EXPORT_BACKGROUND_ROWS:  # too large for a request: a background job
                query = params.copy()
                for key in ("export", "reveal_reason", "page"):
                    query.pop(key, None)
                reason = kwargs.get("reveal_reason", "")
                job = jobs.start_export(self.views, query, fmt, user=request.user, reveal_reason=reason)
                return redirect("export_job", job.pk)
            data, _count = export_queryset(importer, qs, fmt)
            ctype = (
                "text/csv; charset=utf-8"
                if fmt == "csv"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            response = HttpResponse(data, content_type=ctype)
            response["Content-Disposition"] = f'attachment; filename="{self.views.importer.kind}.{fmt}"'
            if kwargs.get("reveal_reason"):
                response["Cache-Control"] = "no-store"
            return response
        table = self.views.table(qs)  # configured once, below (with request=, the table would paginate twice)
        RequestConfig(request, paginate={"per_page": 50}).configure(table)
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            self.views.list_template,
            self.base_context(
                table=table,
                filterset=fs,
                total=table.paginator.count,
                total_exact=table.paginator.counted.exact,
                querystring=query.urlencode(),
                can_export=self.views.importer is not None,
                reveal_export=reveals_pii and importer_cls.may_reveal_any(request.user),
                export_hidden=[(k, v) for k, vs in query.lists() if k not in ("export", "reveal_reason") for v in vs],
            ),
        )


class _DryRun(Exception):
    pass


def delete_refusal(views: type[ModelViews], obj, user) -> list[str]:
    """Why the delete service would refuse `obj` ([]: it would delete it). The service itself runs, on a copy,
    inside a transaction that is always rolled back: Delete is offered exactly where the service allows it, by
    the service's own rules (children, rows still referring to it …), not a second copy of them."""
    try:
        with transaction.atomic():
            views.delete_service(copy.copy(obj), acting_user=user)
            raise _DryRun
    except _DryRun:
        return []
    except ValidationError as exc:
        return exc.messages
    except PermissionDenied as exc:
        return [str(exc)]


class ObjectDetailView(BaseObjectView):
    def get(self, request, pk):
        obj = self.get_object("view")
        user = request.user
        may_delete = self.views.delete_service is not None and self.restricted("delete").filter(pk=obj.pk).exists()
        refusal = delete_refusal(self.views, obj, user) if may_delete else []
        ctx = self.base_context(
            object=obj,
            can_change=self.views.form is not None and self.restricted("change").filter(pk=obj.pk).exists(),
            can_delete=may_delete and not refusal,
            delete_refusal=refusal,  # shown instead of the button: why it cannot be deleted
            edit_url=reverse(self.views.url_name("edit"), args=[obj.pk]) if self.views.form else None,
            delete_url=reverse(self.views.url_name("delete"), args=[obj.pk]) if self.views.delete_service else None,
            changes_url=reverse(self.views.url_name("changes"), args=[obj.pk]),
        )
        if isinstance(obj, TreeNode):
            visible = set(
                self.restricted("view")
                .filter(path__in=[obj.path[:i] for i in range(obj.steplen, len(obj.path), obj.steplen)])
                .values_list("pk", flat=True)
            )
            ctx["ancestors"] = [(a, a.pk in visible) for a in obj.ancestors()]
            ctx["children"] = obj.children().restrict(user, "view").order_by("code")
        ctx.update(self.views.detail_context(obj, user))
        # what other apps add to this page (core.plugins: their panels.py)
        ctx["plugin_panels"] = panels_for(obj, user)
        ctx["plugin_actions"] = actions_for(obj, user)
        template = self.views.detail_template or "generic/object_detail.html"
        return render(request, template, ctx)


class ObjectPickView(BaseObjectView):
    """The search picker's results (an htmx fragment): what the words match, a few at a time, so that a form never
    renders a whole city's worth of options."""

    def get(self, request):
        # search by words or pinyin, the top of the tree, a node's children (core.picking)
        return picking.pick_response(request, self.views)


class ObjectChangesView(BaseObjectView):
    def get(self, request, pk):
        obj = self.get_object("view")
        logged = getattr(self.views, "log_view", None)
        if logged is not None:  # a sensitive record (a household in hardship): its history's views are logged too
            logged(obj, user=request.user, what="changes")
        changes = list(
            ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(self.model), object_id=obj.pk)[
                :200
            ]
        )
        # the disclosure policy (core.pii): reveal-only fields masked for a user who may not reveal this record
        revealable = not reveal_only_fields(self.model) or obj.pk in revealable_pks(request.user, self.model, [obj])
        for c in changes:
            shown = readable_diff(shown_diff(c, self.model, revealable), self.model)
            setattr(c, "shown", shown)  # noqa: B010 (an attribute for the page)
        return render(request, "generic/object_changes.html", self.base_context(object=obj, changes=changes))


class ObjectEditView(BaseObjectView):
    def _setup(self):
        if "pk" in self.kwargs:
            return self.get_object("change")
        if not may(self.request.user, "add"):
            raise PermissionDenied(_("You have no role that lets you add this."))
        return None

    def _form(self, obj, data=None):
        kwargs = {"instance": obj, "user": self.request.user}
        if obj is None and data is None and self.request.GET.get("parent"):
            kwargs["initial"] = {"parent": self.request.GET["parent"]}
        return self.views.form(data, **kwargs)

    def _render(self, form, obj):
        return render(self.request, "generic/object_edit.html", self.base_context(form=form, object=obj))

    def get(self, request, pk=None):
        obj = self._setup()
        return self._render(self._form(obj), obj)

    def post(self, request, pk=None):
        obj = self._setup()
        form = self._form(obj, request.POST)
        if form.is_valid():
            data = form.service_data()
            for f in ("path", "depth", "numchild"):
                data.pop(f, None)
            try:
                if obj is None:
                    obj = self.views.create_service(acting_user=request.user, **data)
                    messages.success(request, _("Created %(obj)s.") % {"obj": obj})
                else:
                    if "parent" not in data:
                        data["parent"] = UNSET
                    # the form has already written its values onto `obj`; the service compares against the stored
                    # object, so it gets a fresh copy
                    obj = self.views.update_service(self.get_object("change"), acting_user=request.user, **data)
                    messages.success(request, _("Saved %(obj)s.") % {"obj": obj})
                return redirect(obj.get_absolute_url())
            except ValidationError as exc:
                errors_to_form(form, exc)
            except ScopeViolation as exc:
                form.add_error(None, str(exc))
        return self._render(form, obj)


def action_page(request, obj, form, title, *, back: str | None = None, call=None, done_message=None,
                next_url: str | None = None):  # fmt: skip
    """The page of a form that acts on `obj` (record a visit, end a seat, change a status …): the object above,
    the form, Save and Cancel (back to `back`, default the object's page). With `call`, a valid POST runs the
    service — `call(data)`, data the form's `service_data()` or its cleaned data — and goes to `next_url` (default:
    the page of what the service returns) saying `done_message` (default "Saved …"); the service's field errors go
    on the form's fields, the others above it, and the page is shown again; a conflict (someone else acted first)
    goes back to `back` saying so."""
    if call is not None and request.method == "POST" and form.is_valid():
        data = form.service_data() if hasattr(form, "service_data") else dict(form.cleaned_data)
        try:
            done = call(data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        except Conflict as exc:  # someone else acted first: nothing was written; the object's page shows what is
            messages.error(request, str(exc))
            return redirect(back or obj.get_absolute_url())
        else:
            messages.success(request, done_message or _("Saved %(obj)s.") % {"obj": done})
            return redirect(next_url or done.get_absolute_url())
    context = {"object": obj, "form": form, "title": title, "back": back or obj.get_absolute_url()}
    return render(request, "generic/object_action.html", context)


class ParentedEditView(ObjectEditView):
    """The edit page of a `core.forms.ParentedForm`, opened from the parent's page with ?<parent_field>=: first
    the parent (when none is given), then the fields it decides. The views class may name its own template (one
    extending generic/parented_edit.html)."""

    def _form(self, obj, data=None):
        kwargs = {"instance": obj, "user": self.request.user}
        parent_field = self.views.form.parent_field
        if obj is None and data is None and self.request.GET.get(parent_field):
            kwargs["initial"] = {parent_field: self.request.GET[parent_field]}
        return self.views.form(data, **kwargs)

    def _render(self, form, obj):
        template = getattr(self.views, "edit_template", "generic/parented_edit.html")
        return render(self.request, template, self.base_context(form=form, object=obj))


class ObjectDeleteView(BaseObjectView):
    def get(self, request, pk):
        obj = self.get_object("delete")
        # the confirmation says at once when the service would refuse (no Delete button then)
        errors = delete_refusal(self.views, obj, request.user)
        return render(request, "generic/object_delete.html", self.base_context(object=obj, errors=errors))

    def post(self, request, pk):
        obj = self.get_object("delete")
        try:
            self.views.delete_service(obj, acting_user=request.user)
        except ValidationError as exc:
            return render(
                request, "generic/object_delete.html", self.base_context(object=obj, errors=exc.messages), status=409
            )
        messages.success(request, _("Deleted %(obj)s.") % {"obj": obj})
        return redirect(self.views.url_name("list"))


class ObjectImportView(BaseObjectView):
    """Upload → dry-run preview → confirm → result, each run as a background job (core.jobs) with a progress bar,
    and a retry button when it failed. A batch is visible only to the user who started it."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may(request.user, "add"):
            raise PermissionDenied(_("You have no role that lets you import."))
        return super().dispatch(request, *args, **kwargs)

    def _batch(self, batch_id):
        try:
            user: Any = self.request.user  # signed in: dispatch() is behind LoginRequiredMixin
            return ImportBatch.objects.get(pk=batch_id, user=user, kind=self.views.importer.kind)
        except (ImportBatch.DoesNotExist, ValueError, ValidationError):
            return None

    def _render(self, **ctx):
        importer = self.views.importer
        ctx.setdefault("form", ImportForm())
        batch = ctx.get("batch")
        if batch is not None:  # the progress in figures that agree with the bar; the summary kept with the batch
            ctx["progress"] = jobs.import_progress(batch)
        if batch is not None and batch.status == ImportBatch.Status.DONE:
            ctx["result"] = batch.result
            ctx["confirmed"] = not batch.dry_run
            ctx["preview"] = jobs.import_preview(batch)
            ctx["report_ready"] = bool(batch.result.get("report_rows")) and jobs.report_file(batch).exists()
        if batch is not None and batch.status == ImportBatch.Status.FAILED:
            ctx["retryable"] = jobs.pending_file(batch).exists()
        htmx = getattr(self.request, "htmx", False)  # django-htmx's middleware sets it
        template = "generic/_import_batch.html" if htmx else "generic/object_import.html"
        headers = importer.template_headers or importer.headers  # the template's (interfaces.md §2)
        return render(self.request, template, self.base_context(headers=headers, kind=importer.kind, **ctx))

    def _retry(self, batch_id):
        """Run a failed batch again (its file is kept); a batch that is done, waiting or running is left alone."""
        batch = self._batch(batch_id)
        if batch is None:
            raise Http404
        if not jobs.retry(jobs.refresh(batch)):
            if batch.status == ImportBatch.Status.FAILED:
                messages.error(self.request, _("This import has expired; please upload the file again."))
            else:
                messages.info(self.request, _("This import is not failed: there is nothing to retry."))
        return redirect(f"{reverse(self.views.url_name('import'))}?batch={batch.pk}")

    def get(self, request):
        jobs.purge_stale_files()
        if request.GET.get("template"):  # the template to fill in (core.import_templates)
            return import_templates.download(self.views.importer(user=request.user))
        batch_id = request.GET.get("batch")
        if batch_id:
            batch = self._batch(batch_id)
            if batch is None:
                raise Http404
            if request.GET.get("report"):  # the uploaded sheet with its messages
                return jobs.report_download(batch)
            return self._render(batch=jobs.refresh(batch))  # failed if its worker died
        return self._render()

    def post(self, request):
        jobs.purge_stale_files()
        importer_cls = self.views.importer
        if request.POST.get("retry"):
            return self._retry(request.POST["retry"])
        batch_id = request.POST.get("token", "")
        if batch_id:
            preview = self._batch(batch_id)
            usable = preview is not None and preview.dry_run and (preview.result or {}).get("ok")
            if request.POST.get("cancel"):
                if preview is not None:
                    jobs.discard(preview)
                messages.info(request, _("The import was cancelled; nothing was written."))
                return redirect(self.views.url_name("import"))
            batch = jobs.confirm_import(preview, user=request.user) if usable else None
            if batch is None:
                messages.error(request, _("This import has expired; please upload the file again."))
                return redirect(self.views.url_name("import"))
            return redirect(f"{reverse(self.views.url_name('import'))}?batch={batch.pk}")
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form=form)
        upload = form.cleaned_data["file"]
        if upload.size > settings.SQDJ_IMPORT_MAX_BYTES:
            form.add_error(
                "file", _("The file is larger than %(mb)d MB.") % {"mb": settings.SQDJ_IMPORT_MAX_BYTES // 2**20}
            )
            return self._render(form=form)
        batch = jobs.start_import(
            importer_cls.kind, upload.read(), Path(upload.name).name, user=request.user, dry_run=True
        )
        return redirect(f"{reverse(self.views.url_name('import'))}?batch={batch.pk}")


class ParentedViews(ModelViews):
    """The pages of a model added from its parent's page (?<parent_field>=): add and edit are the two-step
    `ParentedEditView` (the parent first, then what it decides); `edit_template` may extend its template."""

    @classmethod
    def urls(cls):
        name = cls.meta().model_name
        patterns = []
        for p in super().urls():
            if p.name in (f"{name}_add", f"{name}_edit"):
                p = path(str(p.pattern), ParentedEditView.as_view(views=cls), name=p.name)
            patterns.append(p)
        return patterns


def reveal_fragment(http, obj, context: dict, *, allowed: bool, reveal, fields) -> HttpResponse:
    """The htmx fragment that shows a record's masked personal fields in full once a reason is given
    (generic/_reveal.html): 403 when not `allowed`, 400 with the form while the reason is missing; else `reveal(reason,
    remote_addr)` — the app's service, which logs the look — and the values, never cached. `context`: what the
    template needs besides (pii_rows, reveal_url, denied_text, reveal_hint)."""
    from_form = RevealForm(http.POST)
    ctx = {"object": obj, **context}
    if not allowed:
        return render(http, "generic/_reveal.html", {**ctx, "denied": True}, status=403)
    if from_form.is_valid():
        try:
            values = reveal(from_form.cleaned_data["reason"], http.META.get("REMOTE_ADDR"))
        except ValidationError as exc:
            from_form.add_error("reason", exc.message_dict.get("reason", exc.messages))
        else:
            ctx["pii_rows"] = reveal_rows(obj, fields, values)
            response = render(http, "generic/_reveal.html", {**ctx, "values": values})
            response["Cache-Control"] = "no-store"
            return response
    return render(http, "generic/_reveal.html", {**ctx, "reveal_form": from_form}, status=400)
