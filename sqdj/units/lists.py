"""The three lists (需求清单、资源清单、项目清单, issue 15 item 7): a community org's needs, the units' resources,
and the projects that match a need with resources of units in the community's territory. Every rule answers with a
Chinese message on its field and nothing is saved: each service is one transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from sqdj.core import dates
from sqdj.core.context import acting_as
from sqdj.core.services import Errors, do_create, do_update, ensure_in_scope, merged
from sqdj.orgs.models import Org

from .choices import ENDED_STATUSES, NeedStatus, ProjectStatus
from .models import Need, Project, Resource

NEED_FIELDS = ("org", "area", "category", "title", "description", "beneficiaries", "wanted_from", "wanted_until",
               "people", "status")  # fmt: skip
RESOURCE_FIELDS = ("unit", "category", "title", "description", "capacity", "opening_hours", "amount", "people",
                   "available_from", "available_until", "active")  # fmt: skip
PROJECT_FIELDS = ("org", "need", "title", "status", "starts_on", "ends_on", "people_served", "outcome")

# the statuses a person may set (a need becomes `matched` only when a project takes it, and falls back to `open`
# when its last live project is cancelled or moved to another need)
NEED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    NeedStatus.OPEN: (NeedStatus.CLOSED,),
    NeedStatus.MATCHED: (NeedStatus.CLOSED,),
    NeedStatus.CLOSED: (NeedStatus.OPEN,),
}
PROJECT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProjectStatus.PLANNED: (ProjectStatus.RUNNING, ProjectStatus.CANCELLED),
    ProjectStatus.RUNNING: (ProjectStatus.DONE, ProjectStatus.CANCELLED),
    ProjectStatus.DONE: (),
    ProjectStatus.CANCELLED: (),
}
LIVE_PROJECT = ~Q(status=ProjectStatus.CANCELLED)


def _required(errors: Errors, data: dict, fields: tuple[str, ...]):
    for f in fields:
        if data.get(f) in (None, ""):
            errors.add(f, _("This field is required."), "required")


def window_error(start, end) -> str | None:
    """Why start–end is no period (it ends before it starts), or None."""
    if start and end and end < start:
        return _("The end date cannot be before the start date.")
    return None


def _window(errors: Errors, start, end, field: str):
    message = window_error(start, end)
    if message:
        errors.add(field, message, "ends_before_start")


def _status(errors: Errors, table: dict, old: str | None, new: str, field: str = "status"):
    if old is not None and new != old and new not in table.get(old, ()):
        labels = dict(NeedStatus.choices) | dict(ProjectStatus.choices)
        errors.add(field, _("The status cannot change from “%(old)s” to “%(new)s”.")
                   % {"old": labels.get(old, old), "new": labels.get(new, new)}, "transition")  # fmt: skip


def in_territory(area, org) -> bool:
    """Whether `area` lies in `org`'s territory (the org's area and everything below it)."""
    return org.area_id is not None and area is not None and area.path.startswith(org.area.path)


# ---- needs --------------------------------------------------------------------------------------------------------


def _check_need(data: dict, instance=None):
    errors = Errors()
    _required(errors, data, ("org", "category", "title", "beneficiaries"))
    errors.raise_if_any()
    org = data["org"]
    if data["area"] is None:
        if org.area_id is None:
            errors.add("area", _("The organization is located in no area: choose where the need is."), "no_area")
        else:
            data["area"] = org.area  # where the community is, unless said otherwise
    elif not in_territory(data["area"], org):
        errors.add("area", _("The place must lie within the organization's area."), "area_outside_org")
    _window(errors, data["wanted_from"], data["wanted_until"], "wanted_until")
    old = instance.status if instance is not None else None
    status = data["status"] or NeedStatus.OPEN
    data["status"] = status
    if status == NeedStatus.MATCHED and (instance is None or instance.status != NeedStatus.MATCHED):
        errors.add("status", _("A need is matched when a project takes it."), "matched_by_project")
    else:
        _status(errors, NEED_TRANSITIONS, old, status)
    errors.raise_if_any()


@transaction.atomic
def do_create_need(*, acting_user, **data) -> Need:
    data = merged(None, NEED_FIELDS, data)
    data["description"] = data["description"] or ""
    _check_need(data)
    return do_create(Need, acting_user=acting_user, data=data)


@transaction.atomic
def do_update_need(need: Need, *, acting_user, **data) -> Need:
    ensure_in_scope(need, acting_user, "change")
    data = merged(need, NEED_FIELDS, data)
    data["description"] = data["description"] or ""
    _check_need(data, instance=need)
    need = do_update(need, acting_user=acting_user, data=data)
    _sync_need(need, acting_user)  # reopened while a project holds it: matched
    return need


@transaction.atomic
def do_delete_need(need: Need, *, acting_user) -> None:
    ensure_in_scope(need, acting_user, "delete")
    if need.projects.exists():
        raise ValidationError(_("A need taken by a project cannot be deleted: close it instead."))
    with acting_as(acting_user):
        need.delete()


# ---- resources ----------------------------------------------------------------------------------------------------


def _check_resource(data: dict):
    errors = Errors()
    _required(errors, data, ("unit", "category", "title"))
    errors.raise_if_any()
    if data["unit"].status in ENDED_STATUSES and data["active"]:
        errors.add("unit", _("The unit has been deregistered or has moved out: it offers nothing."), "unit_ended")
    _window(errors, data["available_from"], data["available_until"], "available_until")
    errors.raise_if_any()


def _resource_data(obj, data: dict) -> dict:
    data = merged(obj, RESOURCE_FIELDS, data)
    for f in ("description", "opening_hours"):
        data[f] = data[f] or ""
    if data["active"] is None:
        data["active"] = True
    return data


@transaction.atomic
def do_create_resource(*, acting_user, **data) -> Resource:
    data = _resource_data(None, data)
    _check_resource(data)
    return do_create(Resource, acting_user=acting_user, data=data)


@transaction.atomic
def do_update_resource(resource: Resource, *, acting_user, **data) -> Resource:
    ensure_in_scope(resource, acting_user, "change")
    data = _resource_data(resource, data)
    _check_resource(data)
    return do_update(resource, acting_user=acting_user, data=data)


@transaction.atomic
def do_delete_resource(resource: Resource, *, acting_user) -> None:
    ensure_in_scope(resource, acting_user, "delete")
    if resource.projects.exists():
        raise ValidationError(_("A resource used by a project cannot be deleted: stop offering it instead."))
    with acting_as(acting_user):
        resource.delete()


# ---- projects -----------------------------------------------------------------------------------------------------


def _check_project(data: dict, resources, acting_user, instance=None):
    errors = Errors()
    _required(errors, data, ("org", "title"))
    errors.raise_if_any()
    org, need = data["org"], data["need"]
    if need is not None and need.org_id != org.pk:
        errors.add("need", _("The need must be one of this organization's."), "need_of_other_org")
    if need is not None and need.status == NeedStatus.CLOSED and (instance is None or instance.need_id != need.pk):
        errors.add("need", _("This need is closed."), "need_closed")
    if resources:
        if acting_user is not None:
            seen = set(Resource.objects.restrict(acting_user, "view").filter(pk__in=[r.pk for r in resources])
                       .values_list("pk", flat=True))  # fmt: skip
            if any(r.pk not in seen for r in resources):
                errors.add("resources", _("Unknown resource, or outside your scope."), "resource_out_of_scope")
        outside = [r for r in resources if not in_territory(r.unit.area, org)]
        if outside:
            errors.add("resources", _("The resource's unit is not within this community's territory: %(names)s.")
                       % {"names": "、".join(f"{r.title}（{r.unit.name}）" for r in outside)},
                       "resource_outside_territory")  # fmt: skip
    _window(errors, data["starts_on"], data["ends_on"], "ends_on")
    data["status"] = data["status"] or ProjectStatus.PLANNED
    _status(errors, PROJECT_TRANSITIONS, instance.status if instance is not None else None, data["status"])
    errors.raise_if_any()


def _sync_need(need: Need | None, acting_user):
    """A need taken by a live project is matched; one whose last live project went is open again."""
    if need is None or need.status == NeedStatus.CLOSED:
        return
    need = Need.objects.select_for_update().get(pk=need.pk)
    live = need.projects.filter(LIVE_PROJECT).exists()
    status = NeedStatus.MATCHED if live else NeedStatus.OPEN
    if need.status != status:
        do_update(need, acting_user=acting_user, data={"status": status}, action="change")


def _load_resources(resources) -> list[Resource]:
    pks = [r.pk for r in resources or ()]
    return list(Resource.objects.filter(pk__in=pks).select_related("unit__area"))


@transaction.atomic
def do_create_project(*, acting_user, resources=(), **data) -> Project:
    data = merged(None, PROJECT_FIELDS, data)
    data["outcome"] = data["outcome"] or ""
    chosen = _load_resources(resources)
    _check_project(data, chosen, acting_user)
    project = do_create(Project, acting_user=acting_user, data=data)
    project.resources.set(chosen)
    _sync_need(project.need, acting_user)
    return project


@transaction.atomic
def do_update_project(project: Project, *, acting_user, resources=None, **data) -> Project:
    ensure_in_scope(project, acting_user, "change")
    old_need = project.need
    data = merged(project, PROJECT_FIELDS, data)
    data["outcome"] = data["outcome"] or ""
    chosen = _load_resources(resources) if resources is not None else list(project.resources.all())
    _check_project(data, chosen, acting_user, instance=project)
    project = do_update(project, acting_user=acting_user, data=data)
    if resources is not None:
        project.resources.set(chosen)
    _sync_need(project.need, acting_user)
    if old_need is not None and old_need.pk != project.need_id:
        _sync_need(old_need, acting_user)
    return project


@transaction.atomic
def do_delete_project(project: Project, *, acting_user) -> None:
    ensure_in_scope(project, acting_user, "delete")
    need = project.need
    with acting_as(acting_user):
        project.resources.clear()
        project.delete()
    _sync_need(need, acting_user)


# ---- suggested matches --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    resource: Resource
    distance: int  # steps between the unit's area and the need's in the territory tree (0: the same area)


def overlapping(start: datetime.date | None, end: datetime.date | None) -> Q:
    """Resources available on some day of start–end (an open end, on either side, overlaps everything)."""
    q = Q()
    if end is not None:
        q &= Q(available_from__isnull=True) | Q(available_from__lte=end)
    if start is not None:
        q &= Q(available_until__isnull=True) | Q(available_until__gte=start)
    return q


def _tree_distance(a: str, b: str, steplen: int) -> int:
    common = 0
    while common < min(len(a), len(b)) and a[common : common + steplen] == b[common : common + steplen]:
        common += steplen
    return (len(a) - common + len(b) - common) // steplen


SUGGESTIONS_SHOWN = 20
SUGGESTION_CANDIDATES = 500  # the largest ones first; a community's territory holds far fewer resources


def suggestions(need: Need, user) -> list[Suggestion]:
    """The offered resources the user may see of the active units in the need's community territory (the org's
    area subtree) with the need's category and availability overlapping the wanted window, best first: the unit
    nearest the need's place in the territory tree, then the largest capacity."""
    territory = need.org.area
    if territory is None:
        return []
    qs = (
        Resource.objects.restrict(user, "view")
        .filter(active=True, category=need.category, unit__area__path__startswith=territory.path)
        .exclude(unit__status__in=ENDED_STATUSES)
        .filter(overlapping(need.wanted_from, need.wanted_until))
        .exclude(projects__need=need)
        .select_related("unit__area")
        .order_by(F("capacity").desc(nulls_last=True), "pk")[:SUGGESTION_CANDIDATES]
    )
    steplen = type(need.area).steplen
    found = [Suggestion(r, _tree_distance(r.unit.area.path, need.area.path, steplen)) for r in qs]
    found.sort(key=lambda s: (s.distance, -(s.resource.capacity or 0), s.resource.pk))
    return found[:SUGGESTIONS_SHOWN]


# ---- to-do: needs waiting for a project ----------------------------------------------------------------------------


def needs_waiting(user, on: datetime.date | None = None):
    """Open needs of the orgs the user may change whose wanted-from day has passed and that no project has taken."""
    on = on or dates.today()
    return (
        Need.objects.filter(org__in=Org.objects.restrict(user, "change"))
        .filter(status=NeedStatus.OPEN, wanted_from__lt=on, projects__isnull=True)
        .order_by("wanted_from", "pk")
    )
