"""The posts part's pages (issue 16, item 2): the catalogue, posts, teams, post claims and team requests. A member
claims a post or asks to join a team from its page (phone first); the community approves, declines; either side
ends an approved one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sqdj.core import dates
from sqdj.core.forms import EndForm
from sqdj.core.scope import can
from sqdj.core.scope import may as scope_may
from sqdj.core.views import ModelViews, action_page
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from . import posts as services
from .choices import ClaimEnd, ClaimState
from .common import member_of
from .models import Post, PostClaim, PostKind, Team, TeamMember
from .post_filtersets import (
    PostClaimFilterSet,
    PostFilterSet,
    PostKindFilterSet,
    TeamFilterSet,
    TeamMemberFilterSet,
)
from .post_forms import ClosePostForm, DecisionForm, EndTeamForm, OnBehalfForm, PostForm, PostKindForm, TeamForm
from .post_tables import PostClaimTable, PostKindTable, PostTable, TeamMemberTable, TeamTable, verbatim

ROWS = "volunteers/posts/rows.html"


def _day(value) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


def _link_if(obj, visible: bool, label=None):
    return (label or str(obj), obj.get_absolute_url() if visible else None)


def _org_row(user, org, label):
    visible = Org.objects.restrict(user, "view").filter(pk=org.pk).exists()
    return (label, *_link_if(org, visible, org.name))


def _member_row(user, member, label=None):
    """A member by name; linked to the member's page only for a user who may view the member."""
    if member is None:
        return (label, "—", None)
    visible = Member.objects.restrict(user, "view").filter(pk=member.pk).exists()
    return (label or _("party member"), *_link_if(member, visible, member.name))


# ---- the catalogue ----------------------------------------------------------------------------------------------


class PostKindViews(ModelViews):
    model = PostKind
    queryset = PostKind.objects.select_related("org")
    table = PostKindTable
    filterset = PostKindFilterSet
    form = PostKindForm
    create_service = staticmethod(services.do_create_post_kind)
    update_service = staticmethod(services.do_update_post_kind)
    detail_template = ROWS

    @classmethod
    def detail_context(cls, obj, user):
        rows = [
            (_("code"), verbatim(obj.code), None),
            (_("kind name"), obj.name, None),
            _org_row(user, obj.org, _("party organization")) if obj.org else (_("party organization"), "—", None),
            (_("duties"), obj.duties or "—", None),
            (_("in use"), _("Yes") if obj.active else _("No"), None),
        ]
        # the gate shows the national kinds and those above: changed only where the service allows
        return {"rows": rows, "can_change": services.may_edit_kind(user, obj.org)}


# ---- posts ------------------------------------------------------------------------------------------------------


def _claims_of(qs, user):
    return qs.restrict(user, "view").select_related("member").order_by("-applied_on", "-pk")[:100]


class PostViews(ModelViews):
    model = Post
    queryset = Post.objects.select_related("community", "kind").annotate(
        approved=Count("claims", filter=Q(claims__state=ClaimState.APPROVED))
    )
    table = PostTable
    filterset = PostFilterSet
    form = PostForm
    create_service = staticmethod(services.do_create_post)
    update_service = staticmethod(services.do_update_post)
    detail_template = "volunteers/posts/post.html"

    @classmethod
    def detail_context(cls, obj, user):
        approved = services.approved_count(obj)
        rows = [
            _org_row(user, obj.org, _("publishing organization")),
            (_("community"), obj.community.name, None),
            (_("post kind"), obj.kind.name, None),
            (_("service area"), obj.get_service_area_display(), None),
            (_("duties"), obj.duties or "—", None),
            (_("place"), obj.place or "—", None),
            (_("approved / wanted"), f"{approved} / {obj.places}", None),
            (_("starts on"), _day(obj.starts_on), None),
            (_("ends on"), _day(obj.ends_on), None),
        ]
        if obj.closed_on:
            rows.append((_("closed to claims on"), _day(obj.closed_on), None))
        may_change = can(user, "change", obj)
        return {
            "rows": rows,
            "is_open": Post.objects.filter(services.open_q(dates.today()), pk=obj.pk).exists(),
            "full": approved >= obj.places,
            "may_close": may_change and obj.closed_on is None,
            "claims": _claims_of(PostClaim.objects.filter(post=obj), user),
            **_claim_context(user, PostClaim, "post", obj, "volunteers:post_claim"),
        }


def _claim_context(user, model, field, target, url_name) -> dict:
    """The claim (or join) buttons: the user's own, when they have a member record and no open one here; and for an
    admin, a form to do it for a member they may change."""
    member = member_of(user)
    own = None
    if member is not None:
        own = model.objects.filter(**{field: target}, member=member, state__in=services.OPEN_CLAIM).first()
    return {
        "own_member": member,
        "own_claim": own,
        "claim_url": reverse(url_name, args=[target.pk]),
        "on_behalf_form": OnBehalfForm(user=user) if scope_may(user, "change") else None,
    }


@login_required
def post_close(request, pk):
    post = get_object_or_404(Post.objects.restrict(request.user, "change"), pk=pk)
    back = post.get_absolute_url()
    return action_page(
        request, post, ClosePostForm(request.POST or None), _("Close the post"), back=back, next_url=back,
        done_message=_("The post is closed to new claims."),
        call=lambda d: services.do_close_post(post, acting_user=request.user, **d),
    )  # fmt: skip


def _claim(request, target, call):
    """Claim `target` (or ask to join it) for the user's own member record, or — with `member` — for a member the
    user may change. A refusal goes back to the target's page saying why; nothing is written."""
    back = target.get_absolute_url()
    if request.POST.get("member"):
        form = OnBehalfForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
            return redirect(back)
        member = form.cleaned_data["member"]
    else:
        member = member_of(request.user)
    if member is None:
        messages.error(request, _("Your account is not linked to a party member's record."))
        return redirect(back)
    try:
        claim = call(target, member, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(back)
    messages.success(request, _("Sent: the community will decide."))
    return redirect(claim.get_absolute_url())


@login_required
@require_POST
def post_claim(request, pk):
    post = get_object_or_404(Post.objects.restrict(request.user, "view"), pk=pk)
    return _claim(request, post, services.do_claim_post)


# ---- teams ------------------------------------------------------------------------------------------------------


class TeamViews(ModelViews):
    model = Team
    queryset = Team.objects.select_related("community", "org", "leader")
    table = TeamTable
    filterset = TeamFilterSet
    form = TeamForm
    create_service = staticmethod(services.do_create_team)
    update_service = staticmethod(services.do_update_team)
    detail_template = "volunteers/posts/team.html"

    @classmethod
    def detail_context(cls, obj, user):
        rows = [
            _org_row(user, obj.org, _("party organization")),
            (_("community"), obj.community.name, None),
            (_("service area"), obj.get_service_area_display(), None),
            (_("what it does"), obj.purpose or "—", None),
            _member_row(user, obj.leader, _("team leader")),
            (_("founded on"), _day(obj.founded_on), None),
        ]
        if not obj.active:
            rows.append((_("ended on"), _day(obj.ended_on), None))
        return {
            "rows": rows,
            "may_end": obj.active and can(user, "change", obj),
            "claims": _claims_of(TeamMember.objects.filter(team=obj), user),
            **_claim_context(user, TeamMember, "team", obj, "volunteers:team_join"),
        }


@login_required
def team_end(request, pk):
    team = get_object_or_404(Team.objects.restrict(request.user, "change"), pk=pk)
    back = team.get_absolute_url()
    return action_page(
        request, team, EndTeamForm(request.POST or None), _("End the team"), back=back, next_url=back,
        done_message=_("The team has ended."),
        call=lambda d: services.do_end_team(team, acting_user=request.user, **d),
    )  # fmt: skip


@login_required
@require_POST
def team_join(request, pk):
    team = get_object_or_404(Team.objects.restrict(request.user, "view"), pk=pk)
    return _claim(request, team, services.do_join_team)


# ---- claims and team requests: one set of pages for both -----------------------------------------------------


class _ClaimViews(ModelViews):
    detail_template = "volunteers/posts/claim.html"
    target_field = ""

    @classmethod
    def detail_context(cls, obj, user):
        target = services.target_of(obj)
        target_visible = type(target).objects.restrict(user, "view").filter(pk=target.pk).exists()
        rows = [
            _member_row(user, obj.member),
            (_("volunteer post") if isinstance(target, Post) else _("service team"), *_link_if(target, target_visible)),
            (_("community"), target.community.name, None),
            (_("state"), obj.get_state_display(), None),
            (_("applied on"), _day(obj.applied_on), None),
        ]
        if obj.decided_at:
            rows += [
                (_("decided by"), str(obj.decided_by) if obj.decided_by else "—", None),
                (_("decision time"), f"{timezone.localtime(obj.decided_at):%Y-%m-%d %H:%M}", None),
                (_("note on the decision"), obj.decision_note or "—", None),
            ]
        if obj.state == ClaimState.ENDED:
            rows += [
                (_("ended on"), _day(obj.ended_on), None),
                (_("why it ended"), obj.get_end_reason_display() or "—", None),
                (_("note on the end"), obj.end_note or "—", None),
            ]
        name = obj._meta.model_name
        pending = obj.state == ClaimState.PENDING
        return {
            "rows": rows,
            "may_decide": pending and services.may_decide(obj, user),
            "may_end": obj.state == ClaimState.APPROVED and services.may_end(obj, user),
            "approve_url": reverse(f"volunteers:{name}_approve", args=[obj.pk]),
            "decline_url": reverse(f"volunteers:{name}_decline", args=[obj.pk]),
            "end_url": reverse(f"volunteers:{name}_end", args=[obj.pk]),
        }


class PostClaimViews(_ClaimViews):
    model = PostClaim
    queryset = PostClaim.objects.select_related("member", "post", "post__community")
    table = PostClaimTable
    filterset = PostClaimFilterSet


class TeamMemberViews(_ClaimViews):
    model = TeamMember
    queryset = TeamMember.objects.select_related("member", "team", "team__community")
    table = TeamMemberTable
    filterset = TeamMemberFilterSet


def _claim_of(request, model, pk):
    return get_object_or_404(model.objects.restrict(request.user, "view"), pk=pk)


def _decision(request, model, pk, *, approve: bool):
    claim = _claim_of(request, model, pk)
    if not services.may_decide(claim, request.user):  # seen by the member or their unit: not theirs to decide
        raise PermissionDenied(_("Only the community that published it decides."))
    back = claim.get_absolute_url()
    call = services.do_approve if approve else services.do_decline
    return action_page(
        request, claim, DecisionForm(request.POST or None), _("Approve") if approve else _("Decline"),
        back=back, next_url=back, done_message=_("Approved.") if approve else _("Declined."),
        call=lambda d: call(claim, acting_user=request.user, **d),
    )  # fmt: skip


def _end(request, model, pk):
    claim = _claim_of(request, model, pk)
    if not services.may_end(claim, request.user):
        raise PermissionDenied(_("Only the member or the community ends this."))
    back = claim.get_absolute_url()
    return action_page(
        request, claim, EndForm(request.POST or None, reasons=ClaimEnd.choices), _("End"), back=back, next_url=back,
        done_message=_("It has ended."), call=lambda d: services.do_end_claim(claim, acting_user=request.user, **d),
    )  # fmt: skip


@login_required
def postclaim_approve(request, pk):
    return _decision(request, PostClaim, pk, approve=True)


@login_required
def postclaim_decline(request, pk):
    return _decision(request, PostClaim, pk, approve=False)


@login_required
def postclaim_end(request, pk):
    return _end(request, PostClaim, pk)


@login_required
def teammember_approve(request, pk):
    return _decision(request, TeamMember, pk, approve=True)


@login_required
def teammember_decline(request, pk):
    return _decision(request, TeamMember, pk, approve=False)


@login_required
def teammember_end(request, pk):
    return _end(request, TeamMember, pk)
