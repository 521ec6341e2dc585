"""Pages of the authority lists (待对接 entries, the `unit-changes` import), the end of a unit, and the instructors
with their visits. Thin: the rules are in intake.py; every read goes through `restrict()` (out of scope: 404; seen
but not changeable: 403)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.pii import mask_phone
from sqdj.core.views import ModelViews, ObjectChangesView, ObjectDetailView, ObjectListView, action_page
from sqdj.members.models import Member

from . import intake
from .choices import IntakeStatus
from .intake_filtersets import AuthorityEntryFilterSet, InstructorFilterSet
from .intake_forms import EndInstructorForm, EndUnitForm, InstructorForm, MarkContactedForm, VisitForm
from .intake_importers import UnitChangeImporter
from .intake_tables import AuthorityEntryTable, InstructorTable
from .models import AuthorityEntry, Instructor, Unit


def _date(value):
    return value.isoformat() if value else "—"


def _may(model, user, obj, action="change") -> bool:
    return model.objects.restrict(user, action).filter(pk=obj.pk).exists()


def _unit_row(unit, user):
    if unit is None:
        return (_("unit"), "—", None)
    return (_("unit"), unit.name, unit.get_absolute_url() if _may(Unit, user, unit, "view") else None)


class AuthorityEntryViews(ModelViews):
    """The lines of the authorities' lists; written only by the import (and "mark contacted")."""

    model = AuthorityEntry
    queryset = AuthorityEntry.objects.select_related("area", "unit")
    table = AuthorityEntryTable
    filterset = AuthorityEntryFilterSet
    importer = UnitChangeImporter
    detail_template = "units/intake/authorityentry_detail.html"

    @classmethod
    def detail_context(cls, obj, user):
        rows = [
            (_("registration authority"), obj.get_authority_display(), None),
            (_("type of change"), obj.get_kind_display(), None),
            (_("unified social credit code"), obj.credit_code, None),
            (_("registered or deregistered on"), _date(obj.changed_on), None),
            (_("located in area"), obj.area.name, None),
            _unit_row(obj.unit, user),
            (_("status"), obj.get_status_display(), None),
            (_("contact due by"), _date(obj.due_on), None),
            (_("contacted on"), _date(obj.contacted_on), None),
            (_("note"), obj.note or "—", None),
        ]
        pending = obj.status == IntakeStatus.PENDING
        may_mark = pending and _may(AuthorityEntry, user, obj)
        return {"rows": rows, "contacted_form": MarkContactedForm() if may_mark else None}


class InstructorViews(ModelViews):
    """Instructors and liaisons: added from their unit's page, changed by the actions of their own page."""

    model = Instructor
    queryset = Instructor.objects.select_related("unit", "member")
    table = InstructorTable
    filterset = InstructorFilterSet
    detail_template = "units/intake/instructor_detail.html"

    @classmethod
    def urls(cls):
        return [
            path("instructors/", ObjectListView.as_view(views=cls), name="instructor_list"),
            path("instructors/<int:pk>/", ObjectDetailView.as_view(views=cls), name="instructor"),
            path("instructors/<int:pk>/changes/", ObjectChangesView.as_view(views=cls), name="instructor_changes"),
            path("<int:unit_pk>/instructors/add/", add_instructor, name="instructor_add"),
            path("instructors/<int:pk>/edit/", edit_instructor, name="instructor_edit"),
            path("instructors/<int:pk>/end/", end_instructor, name="instructor_end"),
            path("instructors/<int:pk>/visits/add/", add_visit, name="visit_add"),
        ]  # fmt: skip

    @classmethod
    def detail_context(cls, obj, user):
        member = obj.member
        rows = [
            _unit_row(obj.unit, user),
            (_("kind"), obj.get_kind_display(), None),
            (_("name"), obj.name, None),
            (_("party member"), member.name if member else "—",
             member.get_absolute_url() if member and _may(Member, user, member, "view") else None),
            (_("sent by"), obj.sent_by or "—", None),
            (_("phone number"), mask_phone(obj.phone) or "—", None),
            (_("assigned on"), _date(obj.started_on), None),
            (_("assignment ended on"), _date(obj.ended_on), None),
            (_("reason the assignment ended"), obj.end_reason or "—", None),
        ]  # fmt: skip
        may_change = _may(Instructor, user, obj)
        return {
            "rows": rows,
            "visits": obj.visits.all(),
            "may_change": may_change,
            "is_open": obj.ended_on is None,
        }


def _changeable(model, request, pk):
    """The object by pk: 404 outside the user's view scope, 403 when seen but not changeable."""
    obj = get_object_or_404(model.objects.restrict(request.user, "view"), pk=pk)
    if not _may(model, request.user, obj):
        raise PermissionDenied(_("You may view this but not change it."))
    return obj


@login_required
def end_unit(request, pk):
    """The unit is deregistered, revoked or has moved out (intake.do_end_unit)."""
    unit = _changeable(Unit, request, pk)
    return action_page(
        request, unit, EndUnitForm(request.POST or None), gettext_lazy("End the unit"),
        call=lambda d: intake.do_end_unit(unit, status=d["status"], on=d["ended_on"], reason=d["reason"],
                                     acting_user=request.user),
    )  # fmt: skip


@login_required
def mark_contacted(request, pk):
    entry = _changeable(AuthorityEntry, request, pk)
    return action_page(
        request, entry, MarkContactedForm(request.POST or None), gettext_lazy("Mark as contacted"),
        call=lambda d: intake.do_mark_contacted(entry, on=d["contacted_on"], note=d["note"], acting_user=request.user),
    )  # fmt: skip


@login_required
def end_instructor(request, pk):
    instructor = _changeable(Instructor, request, pk)
    return action_page(
        request, instructor, EndInstructorForm(request.POST or None), gettext_lazy("End the assignment"),
        call=lambda d: intake.do_end_instructor(instructor, on=d["ended_on"], reason=d["end_reason"],
                                           acting_user=request.user),
    )  # fmt: skip


@login_required
def add_instructor(request, unit_pk):
    unit = _changeable(Unit, request, unit_pk)
    return action_page(
        request, unit, InstructorForm(request.POST or None, user=request.user),
        gettext_lazy("Assign an instructor or liaison"),
        call=lambda d: intake.do_add_instructor(unit, acting_user=request.user, **d),
    )  # fmt: skip


@login_required
def edit_instructor(request, pk):
    instructor = _changeable(Instructor, request, pk)
    form = InstructorForm(request.POST or None, instance=Instructor.objects.get(pk=pk), user=request.user)
    return action_page(
        request, instructor, form, gettext_lazy("Edit"),
        call=lambda d: intake.do_update_instructor(instructor, acting_user=request.user, **d),
    )  # fmt: skip


@login_required
def add_visit(request, pk):
    instructor = _changeable(Instructor, request, pk)
    return action_page(
        request, instructor, VisitForm(request.POST or None, user=request.user), gettext_lazy("Record a visit"),
        call=lambda d: intake.do_record_visit(instructor, acting_user=request.user, **d),
    )  # fmt: skip
