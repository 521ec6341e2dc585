"""The feedback letters' pages: the list (with the community's drafting form), a letter, its edit and sign-off by the
community side, and its A4 PDF once signed (both sides)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats
from django.utils.translation import gettext as _

from sqdj.core.forms import errors_to_form
from sqdj.core.pdf import page_counter_css, pdf_response, render_pdf
from sqdj.core.services import ScopeViolation
from sqdj.core.views import ModelViews, ObjectListView, ObjectPickView, action_page, may
from sqdj.members.models import Member, Registration
from sqdj.orgs.models import Org

from . import feedback as services
from .choices import FeedbackState
from .feedback_filtersets import FeedbackFilterSet
from .feedback_forms import (
    FeedbackAddForm,
    FeedbackDraftForm,
    FeedbackEditForm,
    FeedbackSignForm,
    registration_label,
)
from .feedback_tables import FeedbackTable
from .models import Feedback


def _draft_one(*, acting_user, registration, **data):
    return services.do_draft_one(registration, acting_user=acting_user, **data)


class FeedbackListView(ObjectListView):
    """The list, and above it the community side's form that drafts a round."""

    def base_context(self, **extra):
        ctx = super().base_context(**extra)
        if may(self.request.user, "add"):
            ctx["draft_form"] = FeedbackDraftForm(user=self.request.user)
        return ctx


class RegistrationPick(ModelViews):
    """The add page's registration picker: the registrations the user sees (the form's own queryset), found by the
    member's name or its pinyin."""

    model = Registration
    queryset = Registration.objects.select_related("member", "community")
    pick_fields = ("member__name",)
    pick_pinyin_fields = ("member__name_pinyin", "member__name_initials")

    @classmethod
    def pick_label(cls, obj) -> str:
        return registration_label(obj)


class FeedbackViews(ModelViews):
    model = Feedback
    queryset = Feedback.objects.select_related("member", "community", "unit_org", "org")
    table = FeedbackTable
    filterset = FeedbackFilterSet
    form = FeedbackAddForm  # the add page drafts one member's letter; a draft is edited on its own page (below)
    create_service = staticmethod(_draft_one)
    list_template = "volunteers/feedback/list.html"
    detail_template = "volunteers/feedback/detail.html"

    @classmethod
    def urls(cls):
        patterns = [p for p in super().urls() if p.name not in ("feedback_list", "feedback_edit")]
        return [
            path("", FeedbackListView.as_view(views=cls), name="feedback_list"),
            path("draft/", feedback_draft, name="feedback_draft"),
            path("<int:pk>/edit/", feedback_edit, name="feedback_edit"),
            path("<int:pk>/sign/", feedback_sign, name="feedback_sign"),
            path("<int:pk>/pdf/", feedback_pdf, name="feedback_pdf"),
            path(
                "registrations/pick/", ObjectPickView.as_view(views=RegistrationPick), name="feedback_registration_pick"
            ),
            *patterns,
        ]

    @classmethod
    def detail_context(cls, obj, user):
        member_visible = Member.objects.restrict(user, "view").filter(pk=obj.member_id).exists()
        visible_orgs = set(Org.objects.restrict(user, "view").filter(pk__in=[obj.org_id, obj.unit_org_id])
                           .values_list("pk", flat=True))  # fmt: skip

        def org_row(label, org):
            return (label, org.name, org.get_absolute_url() if org.pk in visible_orgs else None)

        rows = [
            (_("party member"), obj.member.name, obj.member.get_absolute_url() if member_visible else None),
            org_row(_("community party organization"), obj.org),
            (_("community"), obj.community.name, None),
            org_row(_("the member's party organization"), obj.unit_org),
            (_("period"), f"{services.period_label(obj)}（{obj.period_start:%Y-%m-%d} — {obj.period_end:%Y-%m-%d}）",
             None),
            (_("posts held"), obj.posts or "—", None),
            (_("teams"), obj.teams or "—", None),
            (_("activities taken part in"), str(obj.activities), None),
            (_("verified hours"), str(obj.hours), None),
            (_("evaluation"), obj.get_evaluation_display() or "—", None),
            (_("the community's note"), obj.note or "—", None),
            (_("state"), obj.get_state_display(), None),
        ]  # fmt: skip
        if obj.state == FeedbackState.SIGNED:
            rows += [
                (_("number"), obj.number, None),
                (_("signed off by"), str(obj.signed_by) if obj.signed_by else "—", None),
                (_("signed off on"), f"{obj.signed_on:%Y-%m-%d}" if obj.signed_on else "—", None),
            ]
        writable = obj.state == FeedbackState.DRAFT and _writable(obj, user)
        return {"rows": rows, "can_change": writable, "may_sign": writable,
                "signed": obj.state == FeedbackState.SIGNED}  # fmt: skip


def _writable(fb: Feedback, user) -> bool:
    return Feedback.objects.restrict(user, "change").filter(pk=fb.pk).exists() and services.is_community_side(fb, user)


def _draft_of(request, pk) -> Feedback:
    """A draft the user sees (else 404) and may write (else 403): the community side's; a signed letter is final."""
    fb = get_object_or_404(Feedback.objects.restrict(request.user, "view").select_related("member"), pk=pk)
    if not _writable(fb, request.user):
        raise PermissionDenied(_("Only the community's party organization writes and signs the feedback letter."))
    if fb.state == FeedbackState.SIGNED:
        raise PermissionDenied(_("This letter is signed off: it is final and can no longer be changed."))
    return fb


@login_required
def feedback_draft(request):
    """The community side drafts a round: one letter per member registered with the org's community."""
    if not may(request.user, "add"):
        raise PermissionDenied(_("You have no role that lets you add this."))
    form = FeedbackDraftForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, skipped = services.do_draft_feedback(acting_user=request.user, org=data["org"],
                                                          period_kind=data["period_kind"], year=data["year"],
                                                          quarter=data.get("quarter"))  # fmt: skip
        except ValidationError as exc:
            errors_to_form(form, exc)
        except ScopeViolation as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(created)d letters drafted; %(skipped)d members had one for the period "
                                        "already.") % {"created": created, "skipped": skipped})  # fmt: skip
            return redirect(reverse("volunteers:feedback_list") + "?to_sign=true")
    return render(request, "volunteers/feedback/draft.html", {"form": form})


@login_required
def feedback_edit(request, pk):
    fb = _draft_of(request, pk)
    back = fb.get_absolute_url()
    initial = {"evaluation": fb.evaluation, "note": fb.note, "version": fb.version}
    form = FeedbackEditForm(request.POST or None, initial=initial)
    return action_page(
        request, fb, form, _("Edit the letter"), back=back, next_url=back, done_message=_("The letter is saved."),
        call=lambda d: services.do_edit_feedback(fb, acting_user=request.user, **d),
    )  # fmt: skip


@login_required
def feedback_sign(request, pk):
    fb = _draft_of(request, pk)
    back = fb.get_absolute_url()
    form = FeedbackSignForm(request.POST or None, initial={"version": fb.version})
    return action_page(
        request, fb, form, _("Sign off the letter"), back=back, next_url=back,
        done_message=_("The letter is signed off; the member's organization can read it now."),
        call=lambda d: services.do_sign_feedback(fb, acting_user=request.user, **d),
    )  # fmt: skip


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def feedback_pdf_bytes(fb: Feedback) -> bytes:
    context = {
        "letter": fb,
        "period": services.period_label(fb),
        "period_start": _date(fb.period_start),
        "period_end": _date(fb.period_end),
        "signed_on": _date(fb.signed_on),
        "page_counter": page_counter_css(),
    }
    return render_pdf("volunteers/feedback/pdf.html", context)


@login_required
def feedback_pdf(request, pk):
    """The signed letter as an A4 PDF, for both sides (a draft has none)."""
    fb = get_object_or_404(Feedback.objects.restrict(request.user, "view")
                           .select_related("member", "org", "unit_org", "community", "signed_by"), pk=pk)  # fmt: skip
    if fb.state != FeedbackState.SIGNED:
        raise Http404
    return pdf_response(lambda: feedback_pdf_bytes(fb), f"{fb.number}.pdf")
