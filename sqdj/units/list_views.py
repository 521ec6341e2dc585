"""Pages of the three lists: needs (with the suggested matches for whoever may act on the need), resources and
projects, each list with tabs to the other two."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.views import ModelViews, ObjectEditView

from . import lists
from .list_filtersets import NeedFilterSet, ProjectFilterSet, ResourceFilterSet
from .list_forms import NeedForm, ProjectForm, ResourceForm
from .list_tables import NeedTable, ProjectTable, ResourceTable
from .models import Need, Project, Resource


class ListEditView(ObjectEditView):
    """The generic edit page, prefilled from the link that opened it (`?org=`, `?need=`, `?resources=`)."""

    def _form(self, obj, data=None):
        kwargs = {"instance": obj, "user": self.request.user}
        if obj is None and data is None:
            get = self.request.GET
            initial = {f: get.getlist(f) if f == "resources" else get[f] for f in self.views.form.prefill_fields
                       if get.get(f)}  # fmt: skip
            if initial:
                kwargs["initial"] = initial
        return self.views.form(data, **kwargs)


class ListViews(ModelViews):
    detail_template = "units/lists/detail.html"
    list_template = "units/lists/list.html"

    @classmethod
    def urls(cls):
        name = cls.meta().model_name
        return [
            type(p)(p.pattern, ListEditView.as_view(views=cls), name=p.name)
            if p.name in (f"{name}_add", f"{name}_edit")
            else p
            for p in super().urls()
        ]

    @classmethod
    def rows(cls, obj, user) -> list[tuple]:
        return []

    @classmethod
    def detail_context(cls, obj, user):
        return {"rows": cls.rows(obj, user)}


def _date(value):
    return value.isoformat() if value else "—"


def _value(value):
    return "—" if value in (None, "") else value


def _link(obj, user):
    """The object's page if the user may see it."""
    if not type(obj).objects.restrict(user, "view").filter(pk=obj.pk).exists():
        return None
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:  # a page another part of the app has not mounted (yet): the name without a link
        return None


def _org_row(org, user):
    return (_("party organization"), org.name, _link(org, user))


class NeedViews(ListViews):
    model = Need
    queryset = Need.objects.select_related("org", "area")
    table = NeedTable
    filterset = NeedFilterSet
    form = NeedForm
    create_service = staticmethod(lists.do_create_need)
    update_service = staticmethod(lists.do_update_need)
    delete_service = staticmethod(lists.do_delete_need)

    @classmethod
    def rows(cls, obj, user):
        return [
            _org_row(obj.org, user),
            (_("where"), obj.area.name, None),
            (_("category"), obj.get_category_display(), None),
            (_("for whom"), obj.beneficiaries, None),
            (_("description"), _value(obj.description), None),
            (_("wanted from"), _date(obj.wanted_from), None),
            (_("wanted until"), _date(obj.wanted_until), None),
            (_("people to serve"), _value(obj.people), None),
            (_("status"), obj.get_status_display(), None),
        ]

    @classmethod
    def detail_context(cls, obj, user):
        ctx = super().detail_context(obj, user)
        ctx["projects"] = Project.objects.restrict(user, "view").filter(need=obj).order_by("-pk")
        # suggestions are for whoever acts for the community: they lead to a new project
        if Need.objects.restrict(user, "change").filter(pk=obj.pk).exists():
            add = reverse("units:project_add")
            ctx["suggestions"] = [
                (s, add + "?" + urlencode({"org": obj.org_id, "need": obj.pk, "resources": s.resource.pk}))
                for s in lists.suggestions(obj, user)
            ]
            ctx["show_suggestions"] = True
        return ctx


class ResourceViews(ListViews):
    model = Resource
    queryset = Resource.objects.select_related("unit")
    table = ResourceTable
    filterset = ResourceFilterSet
    form = ResourceForm
    create_service = staticmethod(lists.do_create_resource)
    update_service = staticmethod(lists.do_update_resource)
    delete_service = staticmethod(lists.do_delete_resource)

    @classmethod
    def rows(cls, obj, user):
        return [
            (_("unit"), obj.unit.name, _link(obj.unit, user)),
            (_("category"), obj.get_category_display(), None),
            (_("description"), _value(obj.description), None),
            (_("capacity (people)"), _value(obj.capacity), None),
            (_("opening times"), _value(obj.opening_hours), None),
            (_("amount (yuan)"), _value(obj.amount), None),
            (_("volunteers offered"), _value(obj.people), None),
            (_("available from"), _date(obj.available_from), None),
            (_("available until"), _date(obj.available_until), None),
            (_("offered"), _("Yes") if obj.active else _("No"), None),
        ]

    @classmethod
    def detail_context(cls, obj, user):
        ctx = super().detail_context(obj, user)
        ctx["projects"] = Project.objects.restrict(user, "view").filter(resources=obj).order_by("-pk")
        return ctx


class ProjectViews(ListViews):
    model = Project
    queryset = Project.objects.select_related("org", "need")
    table = ProjectTable
    filterset = ProjectFilterSet
    form = ProjectForm
    create_service = staticmethod(lists.do_create_project)
    update_service = staticmethod(lists.do_update_project)
    delete_service = staticmethod(lists.do_delete_project)

    @classmethod
    def rows(cls, obj, user):
        need = obj.need
        return [
            _org_row(obj.org, user),
            (_("need"), need.title if need else "—", _link(need, user) if need else None),
            (_("status"), obj.get_status_display(), None),
            (_("starts on"), _date(obj.starts_on), None),
            (_("ends on"), _date(obj.ends_on), None),
            (_("people served"), _value(obj.people_served), None),
            (_("outcome"), _value(obj.outcome), None),
        ]

    @classmethod
    def detail_context(cls, obj, user):
        ctx = super().detail_context(obj, user)
        resources = obj.resources.select_related("unit").order_by("unit__name", "title")
        ctx["resources"] = [(r, _link(r, user), _link(r.unit, user)) for r in resources]
        ctx["show_resources"] = True
        return ctx
