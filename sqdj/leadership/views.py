import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from sqdj.areas.models import Area
from sqdj.core import dates
from sqdj.core.forms import errors_to_form
from sqdj.core.views import ParentedViews
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from . import queries, services
from .choices import PositionRole
from .filtersets import ElectionFilterSet, PositionFilterSet, ResidentsCommitteeFilterSet, ResidentsSeatFilterSet
from .forms import ElectionForm, ExtendTermForm, PositionForm, ResidentsCommitteeForm, ResidentsSeatForm, counted_label
from .models import Election, Position, ResidentsCommittee, ResidentsSeat
from .tables import ElectionTable, PositionTable, ResidentsCommitteeTable, ResidentsSeatTable
from .terms import regular_term_end, term_end

# ---- leadership (班子) --------------------------------------------------------------------------------------------


class LeadershipViews(ParentedViews):
    detail_template = "leadership/leadership_detail.html"
    edit_template = "leadership/leadership_edit.html"

    @classmethod
    def rows(cls, obj, user) -> list[tuple]:
        """(label, value, url or None) for the detail page."""
        return []

    @classmethod
    def detail_context(cls, obj, user):
        return {"rows": cls.rows(obj, user)}


def _org_link(org, user):
    visible = Org.objects.restrict(user, "view").filter(pk=org.pk).exists()
    return (_("party organization"), org.name, org.get_absolute_url() if visible else None)


def _member_link(member, user):
    visible = Member.objects.restrict(user, "view").filter(pk=member.pk).exists()
    return (_("party member"), member.name, member.get_absolute_url() if visible else None)


def _date(value):
    return value.isoformat() if value else "—"


class PositionViews(LeadershipViews):
    model = Position
    queryset = Position.objects.select_related("org", "member")
    table = PositionTable
    filterset = PositionFilterSet
    form = PositionForm
    create_service = staticmethod(services.do_create_position)
    update_service = staticmethod(services.do_update_position)
    delete_service = staticmethod(services.do_delete_position)

    @classmethod
    def rows(cls, obj, user):
        return [
            _org_link(obj.org, user),
            _member_link(obj.member, user),
            (_("post"), obj.get_role_display(), None),
            (_("portfolio"), obj.get_portfolio_display() or "—", None),
            (_("started on"), _date(obj.started_on), None),
            (_("left office on"), _date(obj.ended_on), None),
            (_("election"), str(obj.election) if obj.election_id else "—",
             obj.election.get_absolute_url() if obj.election_id else None),
        ]  # fmt: skip


class ElectionViews(LeadershipViews):
    model = Election
    queryset = Election.objects.select_related("org").annotate(candidate_count=Count("candidates"))
    table = ElectionTable
    filterset = ElectionFilterSet
    form = ElectionForm
    create_service = staticmethod(services.do_create_election)
    update_service = staticmethod(services.do_update_election)
    delete_service = staticmethod(services.do_delete_election)

    @classmethod
    def rows(cls, obj, user):
        return [
            _org_link(obj.org, user),
            (_("kind"), obj.get_kind_display(), None),
            (_("office elected"), obj.get_office_display(), None),
            (_("held on"), _date(obj.held_on), None),
            (_("seats"), obj.seats, None),
            (_("elected by"), obj.get_assembly_display(), None),
            (_("members entitled to vote"), counted_label(obj), None),
            (_("excused members"), obj.excused_voters, None),
            (_("reason for the excused members"), obj.excused_reason or "—", None),
            (_("members who should attend"), obj.entitled_voters, None),
            (_("voters present"), obj.voters_present, None),
            (_("approval by the superior"), obj.approval or "—", None),
            (_("approved by the superior on"), _date(obj.approved_on) if obj.approved_on else "—", None),
            (
                _("result"),
                _("Pending approval by the superior organization") if obj.pending_approval else _("In force"),
                None,
            ),
            (_("note"), obj.note or "—", None),
        ]

    @classmethod
    def detail_context(cls, obj, user):
        candidates = list(obj.candidates.select_related("member"))
        visible = set(
            Member.objects.restrict(user, "view")
            .filter(pk__in=[c.member_id for c in candidates])
            .values_list("pk", flat=True)
        )
        return {
            "rows": cls.rows(obj, user),
            "show_candidates": True,
            "candidates": [(c, c.member_id in visible) for c in candidates],
            "min_candidates": services.min_candidates(obj.seats, obj.held_on, obj.office) if obj.seats else None,
        }


class ResidentsCommitteeViews(LeadershipViews):
    model = ResidentsCommittee
    queryset = ResidentsCommittee.objects.select_related("area")
    table = ResidentsCommitteeTable
    filterset = ResidentsCommitteeFilterSet
    form = ResidentsCommitteeForm
    create_service = staticmethod(services.do_create_residents_committee)
    update_service = staticmethod(services.do_update_residents_committee)
    delete_service = staticmethod(services.do_delete_residents_committee)

    @classmethod
    def rows(cls, obj, user):
        return [
            (_("community"), obj.area.name, obj.area.get_absolute_url()),
            (_("current term started on"), _date(obj.term_started_on), None),
        ]

    @classmethod
    def detail_context(cls, obj, user):
        seats = ResidentsSeat.objects.restrict(user, "view").filter(committee=obj).select_related("member")
        return {
            "rows": cls.rows(obj, user),
            "show_seats": True,
            "seats": seats.order_by("role", "-started_on"),
            "today": dates.today(),
            "can_add_seat": ResidentsCommittee.objects.restrict(user, "add").filter(pk=obj.pk).exists(),
        }


class ResidentsSeatViews(LeadershipViews):
    model = ResidentsSeat
    queryset = ResidentsSeat.objects.select_related("committee", "member")
    table = ResidentsSeatTable
    filterset = ResidentsSeatFilterSet
    form = ResidentsSeatForm
    create_service = staticmethod(services.do_create_residents_seat)
    update_service = staticmethod(services.do_update_residents_seat)
    delete_service = staticmethod(services.do_delete_residents_seat)

    @classmethod
    def rows(cls, obj, user):
        rows = [(_("residents' committee"), obj.committee.name, obj.committee.get_absolute_url())]
        rows.append((_("post"), obj.get_role_display(), None))
        if obj.member_id:
            rows.append(_member_link(obj.member, user))
        else:
            rows += [
                (_("name"), obj.person_name, None),
                (_("date of birth"), _date(obj.birth_date), None),
                (_("education"), obj.get_education_display() or "—", None),
            ]
        rows += [(_("started on"), _date(obj.started_on), None), (_("left office on"), _date(obj.ended_on), None)]
        return rows


def leadership_context(org, user) -> dict:
    """The 领导班子 section of the org page: current positions, the term, recent elections, the residents'
    committee with 一肩挑 / 交叉任职 for a community org, and the cadre structure of the subtree."""

    today = dates.today()
    order = {r: i for i, r in enumerate(PositionRole.values)}
    positions = sorted(
        Position.objects.restrict(user, "view").filter(queries.held_on_q(today), org=org).select_related("member"),
        key=lambda p: (order.get(p.role, 9), p.started_on, p.pk),
    )
    committee = queries.residents_committee(org, user)
    area = queries.community_of(org)
    may_change = Org.objects.restrict(user, "change").filter(pk=org.pk).exists()
    ctx = {
        "positions": positions,
        "term": {
            "start": org.term_started_on,
            "regular_end": regular_term_end(org),
            "end": term_end(org),
            "extended_to": org.term_extended_to,
            "approval": org.term_extension_approval,
        },
        "elections": Election.objects.restrict(user, "view")
        .filter(org=org)
        .annotate(candidate_count=Count("candidates"))
        .order_by("-held_on", "-pk")[:5],
        "community_area": area,
        "residents_committee": committee,
        "cadres": queries.cadre_structure(org, user=user, on=today),
        "may_lead": may_change,
        "may_add_committee": area is not None
        and committee is None
        and Area.objects.restrict(user, "add").filter(pk=area.pk).exists(),
    }
    if committee is not None:
        ctx["committee_seats"] = (
            ResidentsSeat.objects.restrict(user, "view")
            .filter(queries.held_on_q(today), committee=committee)
            .select_related("member")
            .order_by("role", "started_on")
        )
        ctx["one_shoulder"] = queries.one_shoulder(org, today, user)
        ctx["cross_appointed"] = queries.cross_appointed(org, today, user)
    return ctx


@login_required
def extend_term(request, pk):
    """延期换届: record the superior's approval to keep the committee in office past the regular end."""
    org = get_object_or_404(Org.objects.restrict(request.user, "view").select_related("area"), pk=pk)
    if not Org.objects.restrict(request.user, "change").filter(pk=org.pk).exists():
        raise PermissionDenied(_("You may view this but not change it."))
    initial = {"term_extended_to": org.term_extended_to, "term_extension_approval": org.term_extension_approval}
    form = ExtendTermForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_extend_term(
                org,
                extended_to=form.cleaned_data["term_extended_to"],
                approval=form.cleaned_data["term_extension_approval"],
                acting_user=request.user,
            )
            messages.success(request, _("The term of %(org)s was extended.") % {"org": org})
            return redirect(org.get_absolute_url())
        except ValidationError as exc:
            errors_to_form(form, exc)
    regular_end = regular_term_end(org)
    return render(
        request,
        "leadership/extend_term.html",
        {
            "object": org,
            "form": form,
            "regular_last_day": regular_end - datetime.timedelta(days=1) if regular_end else None,
        },
    )
