"""/api/v1/ of the posts part (issue 16, item 2): `post-kinds` (the catalogue, read only), `posts` (published by
`POST`, changed by `PATCH`, closed by `POST …/close/`), `post-claims` (made by `POST` — the claim — then
`…/approve/`, `…/decline/`, `…/end/`), `teams` (`POST`, `PATCH`, `…/end/`) and `team-members` (as the claims).
Never deleted: the history stays. Two decisions at once: one answers 200, the other 409."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.api import COMMON_WRITE, ERROR, WITH_BODY, ServiceViewSet, scoped_schema
from sqdj.core.rest import SelfServicePermission
from sqdj.core.serializers import (
    CodeRelatedField,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    StrictCharField,
)
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .. import posts as services
from ..choices import ClaimEnd, ClaimState
from ..common import member_of
from ..models import Post, PostClaim, PostKind, Team, TeamMember
from ..post_filtersets import (
    PostClaimFilterSet,
    PostFilterSet,
    PostKindFilterSet,
    TeamFilterSet,
    TeamMemberFilterSet,
)

CONFLICT = OpenApiResponse(ERROR, description=gettext_lazy("Someone else acted on it first; nothing was written."))
ACTION_RESPONSES = {**COMMON_WRITE, **WITH_BODY, 409: CONFLICT}


def _merged(obj, fields, data) -> dict:
    """A PATCH's values over the stored ones: the services take the whole of what may change."""
    return {**{f: getattr(obj, f) for f in fields}, **data}


# ---- the catalogue ----------------------------------------------------------------------------------------------


class PostKindSerializer(ScopedModelSerializer):
    org: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = PostKind
        fields = ["id", "org", "code", "name", "duties", "position", "active"]


@scoped_schema(PostKindSerializer, tags=["volunteers"])
class PostKindViewSet(ServiceViewSet):
    """The post kinds you may use: the national ones (the 五员), those of your organizations and the ones above.
    `?q=`, `?active=`."""

    queryset = PostKind.objects.select_related("org").order_by("position", "code")
    serializer_class = PostKindSerializer
    filterset_class = PostKindFilterSet
    http_method_names = ["get", "head", "options"]


# ---- posts ------------------------------------------------------------------------------------------------------

POST_FIELDS = ["kind", "service_area", "title", "duties", "place", "places", "starts_on", "ends_on"]


class PostSerializer(ScopedModelSerializer):
    org = ScopedSlugRelatedField(model=Org, help_text=gettext_lazy("organization code (the publishing one)"))
    community: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind = ScopedSlugRelatedField(model=PostKind, help_text=gettext_lazy("post kind code"))
    approved = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = ["id", "org", "community", "kind", "service_area", "title", "duties", "place", "places",
                  "approved", "starts_on", "ends_on", "closed_on"]  # fmt: skip
        read_only_fields = ["closed_on"]

    def get_approved(self, obj) -> int:
        """Approved claims (of `places`)."""
        counted = getattr(obj, "approved", None)
        return counted if counted is not None else services.approved_count(obj)


class PostCloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField(required=False, help_text=gettext_lazy("default today"))


@scoped_schema(PostSerializer, tags=["volunteers"])
class PostViewSet(ServiceViewSet):
    """Posts of your scope (a member: those of their communities). `?q=` (title), `?community=CODE`, `?kind=ID`,
    `?service_area=`, `?open=`."""

    queryset = (
        Post.objects.select_related("org", "community", "kind")
        .annotate(approved=Count("claims", filter=Q(claims__state=ClaimState.APPROVED)))
        .order_by("-starts_on", "-pk")
    )
    serializer_class = PostSerializer
    filterset_class = PostFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]  # closed, never deleted
    create_service = staticmethod(services.do_create_post)

    def update_object(self, obj, data):
        data.pop("org", None)  # the org stays (the service ignores it; the field's check refuses a foreign one)
        return services.do_update_post(obj, acting_user=self.request.user, **_merged(obj, POST_FIELDS, data))

    @extend_schema(request=PostCloseSerializer, responses={200: PostSerializer, **ACTION_RESPONSES},
                   tags=["volunteers"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, **kwargs):
        """No more claims from `closed_on`."""
        post = self.get_object()
        body = PostCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.do_close_post(post, acting_user=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=post.pk)).data)


# ---- teams ------------------------------------------------------------------------------------------------------

TEAM_FIELDS = ["name", "service_area", "purpose", "leader", "founded_on"]


class TeamSerializer(ScopedModelSerializer):
    org = ScopedSlugRelatedField(model=Org, help_text=gettext_lazy("organization code"))
    community = CodeRelatedField(
        queryset=Area.objects.filter(type=AreaType.COMMUNITY), required=False,
        help_text=gettext_lazy("community code (a unit's organization's team only)"),
    )  # fmt: skip
    leader = ScopedPrimaryKeyRelatedField(model=Member, required=False, allow_null=True,
                                          help_text=gettext_lazy("member id"))  # fmt: skip

    class Meta:
        model = Team
        fields = ["id", "org", "community", "name", "service_area", "purpose", "leader", "founded_on", "active",
                  "ended_on"]  # fmt: skip
        read_only_fields = ["active", "ended_on"]
        validators: list = []  # the service checks the name among the community's active teams


class TeamEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, help_text=gettext_lazy("default today"))


@scoped_schema(TeamSerializer, tags=["volunteers"])
class TeamViewSet(ServiceViewSet):
    """Service teams of your scope (a member: those of their communities). `?q=` (name), `?community=CODE`,
    `?service_area=`, `?active=`."""

    queryset = Team.objects.select_related("org", "community").order_by("name", "pk")
    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]  # ended, never deleted
    create_service = staticmethod(services.do_create_team)

    def update_object(self, obj, data):
        for fixed in ("org", "community"):  # they stay
            data.pop(fixed, None)
        return services.do_update_team(obj, acting_user=self.request.user, **_merged(obj, TEAM_FIELDS, data))

    @extend_schema(request=TeamEndSerializer, responses={200: TeamSerializer, **ACTION_RESPONSES},
                   tags=["volunteers"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None, **kwargs):
        """The team disbands: no more requests."""
        team = self.get_object()
        body = TeamEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self.get_serializer(services.do_end_team(team, acting_user=request.user,
                                                                 **body.validated_data)).data)  # fmt: skip


# ---- claims and team requests -----------------------------------------------------------------------------------

CLAIM_FIELDS = ["id", "member", "member_name", "state", "applied_on", "decided_at", "decision_note", "ended_on",
                "end_reason", "end_note"]  # fmt: skip
CLAIM_READ_ONLY = ["state", "applied_on", "decided_at", "decision_note", "ended_on", "end_reason", "end_note"]


class _ClaimSerializer(ScopedModelSerializer):
    member = ScopedPrimaryKeyRelatedField(model=Member, required=False,
                                          help_text=gettext_lazy("member id (default: your own record)"))  # fmt: skip
    member_name = serializers.CharField(source="member.name", read_only=True)
    end_reason = serializers.CharField(read_only=True)  # blank while the claim stands


class PostClaimSerializer(_ClaimSerializer):
    post = ScopedPrimaryKeyRelatedField(model=Post, help_text=gettext_lazy("post id"))

    class Meta:
        model = PostClaim
        fields = [*CLAIM_FIELDS, "post"]
        read_only_fields = CLAIM_READ_ONLY
        validators: list = []  # the service refuses a second open claim, in Chinese


class TeamMemberSerializer(_ClaimSerializer):
    team = ScopedPrimaryKeyRelatedField(model=Team, help_text=gettext_lazy("team id"))

    class Meta:
        model = TeamMember
        fields = [*CLAIM_FIELDS, "team"]
        read_only_fields = CLAIM_READ_ONLY
        validators: list = []  # the service refuses a second open request, in Chinese


class ClaimDecisionSerializer(serializers.Serializer):
    note = StrictCharField(required=False, allow_blank=True, max_length=200)


class ClaimEndSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ClaimEnd.choices)
    ended_on = serializers.DateField(required=False, help_text=gettext_lazy("default today"))
    note = StrictCharField(required=False, allow_blank=True, max_length=200)


class _ClaimViewSet(ServiceViewSet):
    """Made by `POST` (the member's own claim, or one for a member you may change), decided by the community with
    `…/approve/` or `…/decline/`, ended by either side with `…/end/`."""

    http_method_names = ["get", "post", "head", "options"]  # acted on by their actions, never deleted
    permission_classes = [SelfServicePermission]
    self_service_actions = ("create", "end")  # a member claims (asks to join) and ends their own
    target_field = ""
    apply_service: Any = None

    def create_object(self, data):
        member = data.get("member") or member_of(self.request.user)
        if member is None:
            raise ValidationError({"member": [_("Your account is not linked to a party member's record.")]})
        apply = type(self).apply_service
        return apply(data[self.target_field], member, acting_user=self.request.user)

    def _answer(self, claim):
        return Response(self.get_serializer(claim).data)

    def _decide(self, request, call):
        claim = self.get_object()
        body = ClaimDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(call(claim, acting_user=request.user, **body.validated_data))

    @extend_schema(request=ClaimDecisionSerializer, tags=["volunteers"])
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, **kwargs):
        """The community approves (never past a post's places)."""
        return self._decide(request, services.do_approve)

    @extend_schema(request=ClaimDecisionSerializer, tags=["volunteers"])
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None, **kwargs):
        """The community declines."""
        return self._decide(request, services.do_decline)

    @extend_schema(request=ClaimEndSerializer, tags=["volunteers"])
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None, **kwargs):
        """Either side ends an approved one, with the day and the reason."""
        claim = self.get_object()
        body = ClaimEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.do_end_claim(claim, acting_user=request.user, **body.validated_data))


def _answers(serializer):
    """The actions answer the claim (the base class declares their requests)."""
    answer = extend_schema(responses={200: serializer, **ACTION_RESPONSES})
    return extend_schema_view(approve=answer, decline=answer, end=answer)


@_answers(PostClaimSerializer)
@scoped_schema(PostClaimSerializer, tags=["volunteers"])
class PostClaimViewSet(_ClaimViewSet):
    """Post claims of your scope (the community's, and the unit side's members'; a member: their own). `?state=`,
    `?post=ID`, `?community=CODE`, `?q=` (the member's name), `?to_decide=true`."""

    queryset = PostClaim.objects.select_related("member", "post").order_by("-applied_on", "-pk")
    serializer_class = PostClaimSerializer
    filterset_class = PostClaimFilterSet
    target_field = "post"
    apply_service = staticmethod(services.do_claim_post)


@_answers(TeamMemberSerializer)
@scoped_schema(TeamMemberSerializer, tags=["volunteers"])
class TeamMemberViewSet(_ClaimViewSet):
    """Team requests and memberships of your scope. `?state=`, `?team=ID`, `?community=CODE`, `?q=`,
    `?to_decide=true`."""

    queryset = TeamMember.objects.select_related("member", "team").order_by("-applied_on", "-pk")
    serializer_class = TeamMemberSerializer
    filterset_class = TeamMemberFilterSet
    target_field = "team"
    apply_service = staticmethod(services.do_join_team)


routes = [
    ("post-kinds", PostKindViewSet, "postkind"),
    ("posts", PostViewSet, "post"),
    ("post-claims", PostClaimViewSet, "postclaim"),
    ("teams", TeamViewSet, "team"),
    ("team-members", TeamMemberViewSet, "teammember"),
]
