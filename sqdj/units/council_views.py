"""Pages of joint councils (seats, meetings, decisions and their record) and co-building agreements (reviews, early
end, the printable agreement). Thin: every rule is in units.councils."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sqdj.core import dates
from sqdj.core.views import ModelViews, ParentedViews, action_page
from sqdj.orgs.models import Org

from . import councils
from .council_filtersets import AgreementFilterSet, CouncilFilterSet, CouncilMeetingFilterSet, DecisionFilterSet
from .council_forms import (
    AgreementForm,
    AgreementReviewForm,
    CouncilForm,
    CouncilMeetingForm,
    CouncilMemberForm,
    DecisionForm,
    DecisionStatusForm,
    EndDateForm,
)
from .council_tables import AgreementTable, CouncilMeetingTable, CouncilTable, DecisionTable
from .models import Agreement, Council, CouncilMeeting, CouncilMember, Decision, Unit

DETAIL = "units/councils/detail.html"


def _date(value):
    return value.isoformat() if value else "—"


def _link(obj, model, user, label):
    """(label, name, url if the user may open it)."""
    if obj is None:
        return (label, "—", None)
    visible = model.objects.restrict(user, "view").filter(pk=obj.pk).exists()
    return (label, str(obj), obj.get_absolute_url() if visible else None)


def _may(model, obj, user, action="change") -> bool:
    return model.objects.restrict(user, action).filter(pk=obj.pk).exists()


def _object(model, request, pk, action="change"):
    """404 outside the view scope; 403 when seen but not allowed to `action` (as core.views)."""
    obj = get_object_or_404(model.objects.restrict(request.user, "view"), pk=pk)
    if action != "view" and not _may(model, obj, request.user, action):
        raise PermissionDenied(_("You may view this but not change it."))
    return obj


# ---- councils -------------------------------------------------------------------------------------------------------


class CouncilViews(ModelViews):
    model = Council
    queryset = Council.objects.select_related("org")
    table = CouncilTable
    filterset = CouncilFilterSet
    form = CouncilForm
    detail_template = DETAIL
    create_service = staticmethod(councils.do_create_council)
    update_service = staticmethod(councils.do_update_council)
    delete_service = staticmethod(councils.do_delete_council)

    @classmethod
    def detail_context(cls, obj, user):
        today = dates.today()
        decisions = list(
            Decision.objects.restrict(user, "view").filter(council=obj).select_related("owner").order_by("due_on")
        )
        return {
            "rows": [
                _link(obj.org, Org, user, gettext_lazy("convening organization")),
                (gettext_lazy("kind"), obj.get_kind_display(), None),
                (gettext_lazy("current term started on"), _date(obj.term_started_on), None),
                (gettext_lazy("current term ends on"), _date(obj.term_ends_on), None),
                (gettext_lazy("dissolved on"), _date(obj.ended_on), None),
            ],
            "council": obj,
            "seats": CouncilMember.objects.restrict(user, "view")
            .filter(council=obj)
            .select_related("unit", "org")
            .order_by("ended_on", "started_on", "pk"),
            "meetings": CouncilMeeting.objects.restrict(user, "view").filter(council=obj)[:20],
            "record": councils.decision_record(decisions, today),
            "today": today,
            "may_manage": _may(Council, obj, user),
        }


@login_required
def council_seat_add(request, pk):
    council = _object(Council, request, pk)
    form = CouncilMemberForm(request.POST or None, user=request.user, initial={"started_on": dates.today()})
    back = council.get_absolute_url()
    return action_page(
        request, council, form, _("Add a seat"), back=back, next_url=back, done_message=_("The seat was added."),
        call=lambda d: councils.do_add_council_member(council, acting_user=request.user, **d),
    )  # fmt: skip


@login_required
def council_seat_end(request, pk):
    seat = _object(CouncilMember, request, pk)
    form = EndDateForm(request.POST or None, label=_("seat ends on"))
    back = seat.council.get_absolute_url()
    return action_page(
        request, seat.council, form, _("End the seat of %(seat)s") % {"seat": seat}, back=back, next_url=back,
        done_message=_("The seat was ended."),
        call=lambda d: councils.do_end_council_seat(seat, acting_user=request.user, ended_on=d["ended_on"]),
    )  # fmt: skip


# ---- meetings and decisions -----------------------------------------------------------------------------------------


class CouncilMeetingViews(ParentedViews):
    model = CouncilMeeting
    queryset = CouncilMeeting.objects.select_related("council")
    table = CouncilMeetingTable
    filterset = CouncilMeetingFilterSet
    form = CouncilMeetingForm
    detail_template = DETAIL
    create_service = staticmethod(councils.do_create_meeting)
    update_service = staticmethod(councils.do_update_meeting)
    delete_service = staticmethod(councils.do_delete_meeting)

    @classmethod
    def detail_context(cls, obj, user):
        return {
            "rows": [
                _link(obj.council, Council, user, gettext_lazy("council")),
                (gettext_lazy("meeting held on"), _date(obj.held_on), None),
                (gettext_lazy("place"), obj.place or "—", None),
                (gettext_lazy("agenda"), obj.agenda, None),
                (gettext_lazy("minutes"), obj.minutes or "—", None),
            ],
            "attendance": obj.attendees.select_related("unit", "org"),
            "show_attendance": True,
            "meeting_decisions": Decision.objects.restrict(user, "view").filter(meeting=obj).select_related("owner"),
        }


def _update_decision(decision, *, acting_user, **data):
    """The edit page's save: a stale version is the form's error, not a server error."""
    try:
        return councils.do_update_decision(decision, acting_user=acting_user, **data)
    except councils.Conflict as exc:
        raise ValidationError(str(exc)) from None


class DecisionViews(ParentedViews):
    model = Decision
    queryset = Decision.objects.select_related("council", "owner", "meeting")
    table = DecisionTable
    filterset = DecisionFilterSet
    form = DecisionForm
    detail_template = DETAIL
    create_service = staticmethod(councils.do_create_decision)
    update_service = staticmethod(_update_decision)

    @classmethod
    def detail_context(cls, obj, user):
        may_change = _may(Decision, obj, user)
        return {
            "rows": [
                _link(obj.council, Council, user, gettext_lazy("council")),
                _link(obj.meeting, CouncilMeeting, user, gettext_lazy("decided at")),
                _link(obj.owner, Unit, user, gettext_lazy("owner unit")),
                (gettext_lazy("due on"), _date(obj.due_on), None),
                (gettext_lazy("status"), obj.get_status_display(), None),
                (gettext_lazy("closed on"), _date(obj.closed_on), None),
                (gettext_lazy("progress note or reason"), obj.status_note or "—", None),
                (gettext_lazy("detail"), obj.detail or "—", None),
            ],
            "status_form": DecisionStatusForm(decision=obj) if may_change and not obj.closed_on else None,
        }


@login_required
@require_POST
def decision_status(request, pk):
    """Move a decision to its next status; a version older than the stored one is a conflict (someone else was
    first): nothing is written and the page says so."""
    decision = _object(Decision, request, pk)
    form = DecisionStatusForm(request.POST, decision=decision)
    if form.is_valid():
        try:
            councils.do_set_decision_status(decision, acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("The decision's status was changed."))
        except councils.Conflict as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
    return redirect(decision.get_absolute_url())


# ---- agreements -----------------------------------------------------------------------------------------------------


class AgreementViews(ModelViews):
    model = Agreement
    queryset = Agreement.objects.select_related("org")
    table = AgreementTable
    filterset = AgreementFilterSet
    form = AgreementForm
    detail_template = DETAIL
    create_service = staticmethod(councils.do_create_agreement)
    update_service = staticmethod(councils.do_update_agreement)

    @classmethod
    def detail_context(cls, obj, user):
        visible = set(Unit.objects.restrict(user, "view").filter(agreements=obj).values_list("pk", flat=True))
        may_change = _may(Agreement, obj, user)
        return {
            "rows": [
                _link(obj.org, Org, user, gettext_lazy("party organization")),
                (gettext_lazy("kind"), obj.get_kind_display(), None),
                (gettext_lazy("agreement number"), obj.number or "—", None),
                (gettext_lazy("signed on"), _date(obj.signed_on), None),
                (gettext_lazy("starts on"), _date(obj.starts_on), None),
                (gettext_lazy("ends on"), _date(obj.ends_on), None),
                (gettext_lazy("ended early on"), _date(obj.ended_on), None),
            ],
            "agreement_units": [(u, u.pk in visible) for u in obj.units.all()],
            "show_agreement": True,
            "reviews": obj.reviews.all(),
            "may_review": may_change,
            "may_end": may_change and obj.ended_on is None,
        }


@login_required
def agreement_review(request, pk):
    agreement = _object(Agreement, request, pk)
    back = agreement.get_absolute_url()
    return action_page(
        request, agreement, AgreementReviewForm(request.POST or None), _("Yearly review"), back=back, next_url=back,
        done_message=_("The review was saved."),
        call=lambda d: councils.do_review_agreement(agreement, acting_user=request.user, **d),
    )  # fmt: skip


@login_required
def agreement_end(request, pk):
    agreement = _object(Agreement, request, pk)
    form = EndDateForm(request.POST or None, label=_("ended early on"))
    back = agreement.get_absolute_url()
    return action_page(
        request, agreement, form, _("End the agreement early"), back=back, next_url=back,
        done_message=_("The agreement was ended."),
        call=lambda d: councils.do_end_agreement(agreement, acting_user=request.user, ended_on=d["ended_on"]),
    )  # fmt: skip
