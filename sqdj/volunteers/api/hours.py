"""`/api/v1/service-hours/`: service records (issue 16). `POST` records a member's hours (an organizer: `member`,
and `activity` or `org`) or, from a member's own account, declares them (`community`); `POST …/verify/` and
`…/reject/` (the community's side, with the `version` read), `…/correct/` (whoever may change it, with a reason).
Never deleted nor changed otherwise: the history stays. Two verifications at once: one answers 200, the other 409."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.api import COMMON_WRITE, ERROR, WITH_BODY, ServiceViewSet, scoped_schema
from sqdj.core.rest import SelfServicePermission
from sqdj.core.scope import may
from sqdj.core.serializers import (
    CodeRelatedField,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    StrictCharField,
)
from sqdj.members.models import Member
from sqdj.orgs.models import Org

from .. import hours as services
from ..common import member_of
from ..hours_filtersets import ServiceHoursFilterSet
from ..models import Activity, Post, ServiceHours, Team

CONFLICT = OpenApiResponse(ERROR, description=_("Someone else handled the record first; nothing was written."))


class HoursField(serializers.DecimalField):
    """Hours in: any decimal (the service refuses what is not a half-hour step, in Chinese); out: one decimal place."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=6, decimal_places=3, **kwargs)

    def to_representation(self, value):
        return str(Decimal(value).quantize(Decimal("0.1")))


class ServiceHoursSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:servicehours-detail")
    member = ScopedPrimaryKeyRelatedField(model=Member, required=False,
                                          help_text=_("member id (an organizer's record)"))  # fmt: skip
    member_name = serializers.CharField(source="member.name", read_only=True)
    org = ScopedSlugRelatedField(model=Org, required=False,
                                 help_text=_("recording organization code (without an activity)"))  # fmt: skip
    community = CodeRelatedField(queryset=Area.objects.filter(type=AreaType.COMMUNITY), required=False,
                                 help_text=_("community code (a member's declaration)"))  # fmt: skip
    activity = ScopedPrimaryKeyRelatedField(model=Activity, required=False, allow_null=True)
    post = ScopedPrimaryKeyRelatedField(model=Post, required=False, allow_null=True)
    team = ScopedPrimaryKeyRelatedField(model=Team, required=False, allow_null=True)
    hours = HoursField(help_text=_("hours, in steps of 0.5, more than 0 and at most 24"))
    content = StrictCharField(max_length=200)
    place = StrictCharField(max_length=200)
    recorded_by: serializers.Field = serializers.StringRelatedField(read_only=True, allow_null=True)
    verified_by: serializers.Field = serializers.StringRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = ServiceHours
        fields = ["id", "url", "member", "member_name", "org", "community", "activity", "post", "team", "served_on",
                  "hours", "content", "place", "source", "state", "recorded_by", "recorded_at", "verified_by",
                  "verified_at", "reject_reason", "correction_reason", "version"]  # fmt: skip
        read_only_fields = ["source", "state", "recorded_at", "verified_at", "reject_reason", "correction_reason",
                            "version"]  # fmt: skip


class HoursVerifySerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=_("the version you read"))


class HoursRejectSerializer(HoursVerifySerializer):
    reason = StrictCharField(max_length=200)


class HoursCorrectSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                       help_text=_("the version you read"))  # fmt: skip
    reason = StrictCharField(max_length=200, help_text=_("why it is corrected"))
    served_on = serializers.DateField(required=False)
    hours = HoursField(required=False)
    content = StrictCharField(max_length=200, required=False)
    place = StrictCharField(max_length=200, required=False)


@scoped_schema(ServiceHoursSerializer, tags=["volunteers"])
class ServiceHoursViewSet(ServiceViewSet):
    """Service records of your scope (a member: their own). `?q=` (the member's name), `?community=CODE`, `?org=CODE`
    (and below), `?state=`, `?source=`, `?month=YYYY-MM`, `?member=ID`, `?activity=ID`, `?to_verify=true`."""

    queryset = ServiceHours.objects.select_related("member", "org", "community", "recorded_by",
                                                   "verified_by").order_by("-served_on", "-pk")  # fmt: skip
    serializer_class = ServiceHoursSerializer
    filterset_class = ServiceHoursFilterSet
    permission_classes = [SelfServicePermission]
    self_service_actions = ("create",)  # a member declares their own hours
    http_method_names = ["get", "post", "head", "options"]  # decided and corrected by their actions, never deleted

    def create_object(self, data):
        user = self.request.user
        if may(user, "add"):  # an organizer records
            if "member" not in data:
                raise ValidationError({"member": [_("This field is required.")]})
            data.pop("community", None)
            return services.do_record_hours(acting_user=user, **data)
        member = member_of(user)  # the member's own account declares
        if member is None:
            raise ValidationError({"member": [_("Only a member with an account declares service hours.")]})
        for name in ("member", "org", "activity", "post", "team"):
            data.pop(name, None)
        return services.do_declare_hours(member, acting_user=user, community=data.pop("community", None), **data)

    def _answer(self, record):
        return Response(self.get_serializer(record).data)

    @extend_schema(request=HoursVerifySerializer,
                   responses={200: ServiceHoursSerializer, **COMMON_WRITE, **WITH_BODY, 409: CONFLICT},
                   tags=["volunteers"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None, **kwargs):
        """The community's side verifies a waiting record (the version you read: changed since, 409)."""
        record = self.get_object()
        body = HoursVerifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.do_verify_hours(record, acting_user=request.user, **body.validated_data))

    @extend_schema(request=HoursRejectSerializer,
                   responses={200: ServiceHoursSerializer, **COMMON_WRITE, **WITH_BODY, 409: CONFLICT},
                   tags=["volunteers"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None, **kwargs):
        """The community's side rejects a waiting record, saying why."""
        record = self.get_object()
        body = HoursRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.do_reject_hours(record, acting_user=request.user, **body.validated_data))

    @extend_schema(request=HoursCorrectSerializer,
                   responses={200: ServiceHoursSerializer, **COMMON_WRITE, **WITH_BODY, 409: CONFLICT},
                   tags=["volunteers"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None, **kwargs):
        """Whoever may change the record corrects it, saying why; it waits for verification again."""
        record = self.get_object()
        body = HoursCorrectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        data["correction_reason"] = data.pop("reason")
        return self._answer(services.do_correct_hours(record, acting_user=request.user, **data))


routes = [("service-hours", ServiceHoursViewSet, "servicehours")]
