"""`/api/v1/activities/` and `/api/v1/signups/` (issue 16 item 3). Activities are made, changed and deleted (none
signed up yet) by the organizing side, cancelled with `POST …/cancel/`; a sign-up is made by `POST` (the member, or
whoever may act for them) and withdrawn with `POST …/withdraw/` before the start — never deleted."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
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

from .. import activities
from ..activity_filtersets import ActivityAPIFilterSet, SignupFilterSet
from ..common import member_of
from ..models import Activity, Post, Signup, Team

CONFLICT = OpenApiResponse(ERROR, description=_("Someone else acted first; nothing was written."))


class ActivitySerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:activity-detail")
    org = ScopedSlugRelatedField(model=Org, help_text=_("organization code (the organizing party organization)"))
    community = CodeRelatedField(
        queryset=Area.objects.filter(type=AreaType.COMMUNITY), required=False, allow_null=True,
        help_text=_("community code (a community's own org: its own)"),
    )  # fmt: skip
    team = ScopedPrimaryKeyRelatedField(model=Team, required=False, allow_null=True, help_text=_("team id"))
    # the units app's project, by id (a sibling app's model, by name)
    project = ScopedPrimaryKeyRelatedField(model=apps.get_model("units", "Project"), required=False, allow_null=True,
                                           help_text=_("co-building project id"))  # fmt: skip
    post = ScopedPrimaryKeyRelatedField(
        model=Post,
        required=False,
        allow_null=True,
        help_text=_("volunteer post id (an activity serving a post's duties)"),
    )
    taken = serializers.SerializerMethodField(help_text=_("open sign-ups"))

    class Meta:
        model = Activity
        fields = ["id", "url", "org", "organizer", "team", "project", "post", "community", "service_area", "title",
                  "description", "place", "starts_at", "ends_at", "capacity", "takes_attendance", "taken",
                  "cancelled_on", "cancel_reason"]  # fmt: skip
        read_only_fields = ["cancelled_on", "cancel_reason"]
        extra_kwargs = {"capacity": {"min_value": 1}}

    def get_taken(self, obj) -> int:
        taken = getattr(obj, "taken", None)
        return taken if taken is not None else obj.signups.filter(withdrawn_at__isnull=True).count()


class ActivityCancelSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=200)
    cancelled_on = serializers.DateField(required=False, help_text=_("default today"))


@scoped_schema(ActivitySerializer, tags=["volunteers"])
class ActivityViewSet(ServiceViewSet):
    """Service activities of your scope (a member: those of their own communities). `?q=`, `?community=CODE`,
    `?org=CODE`, `?organizer=`, `?service_area=`, `?upcoming=`, `?open=`, `?month=YYYY-MM`, `?attendance_due=`."""

    queryset = activities.with_taken(Activity.objects.select_related("org", "community")).order_by("-starts_at", "-pk")
    serializer_class = ActivitySerializer
    filterset_class = ActivityAPIFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    create_service = staticmethod(activities.do_create_activity)
    update_service = staticmethod(activities.do_update_activity)
    delete_service = staticmethod(activities.do_delete_activity)

    @extend_schema(request=ActivityCancelSerializer,
                   responses={200: ActivitySerializer, **COMMON_WRITE, **WITH_BODY, 409: CONFLICT},
                   tags=["volunteers"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None, **kwargs):
        """The organizing side cancels it, with the reason (and the day, default today)."""
        activity = self.get_object()
        body = ActivityCancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        activities.do_cancel_activity(activity, acting_user=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=activity.pk)).data)


class SignupSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:signup-detail")
    activity = ScopedPrimaryKeyRelatedField(model=Activity, help_text=_("activity id"))
    member = ScopedPrimaryKeyRelatedField(model=Member, required=False,
                                          help_text=_("member id (default: your own member record)"))  # fmt: skip
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Signup
        fields = ["id", "url", "activity", "member", "member_name", "signed_up_at", "withdrawn_at", "attended"]
        read_only_fields = ["signed_up_at", "withdrawn_at", "attended"]
        validators: list = []  # not DRF's unique-together check (it would require `member`): the service says it

    def validate(self, attrs):
        if attrs.get("member") is None:
            attrs["member"] = member_of(self.context["request"].user)
            if attrs["member"] is None:
                raise serializers.ValidationError({"member": [_("This field is required.")]})
        return attrs


@scoped_schema(SignupSerializer, tags=["volunteers"])
class SignupViewSet(ServiceViewSet):
    """Sign-ups of your scope: the organizing side's activities, your organizations' members', your own (a member).
    `?activity=ID`, `?open=true` (not withdrawn), `?q=` (the member's name)."""

    queryset = Signup.objects.select_related("member", "activity").order_by("-signed_up_at", "-pk")
    serializer_class = SignupSerializer
    filterset_class = SignupFilterSet
    http_method_names = ["get", "post", "head", "options"]  # withdrawn, never changed or deleted
    permission_classes = [SelfServicePermission]
    self_service_actions = ("create", "withdraw")  # a member signs up and withdraws themself
    create_service = staticmethod(activities.do_signup)

    @extend_schema(request=None, responses={200: SignupSerializer, **COMMON_WRITE, 409: CONFLICT},
                   tags=["volunteers"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, **kwargs):
        """The member (or whoever may act for them) withdraws before the start; the row stays."""
        signup = activities.do_withdraw(self.get_object(), acting_user=request.user)
        return Response(self.get_serializer(signup).data)


routes = [("activities", ActivityViewSet, "activity"), ("signups", SignupViewSet, "signup")]
