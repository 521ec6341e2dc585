"""`/api/v1/registrations/`: 在职党员报到 as both sides see them (issue 16, part 1). Made by `POST` (the member and the
residence community — any community: their names are public divisions), confirmed by the member's own org with
`POST …/confirm/`, ended by either side with `POST …/end/`; never changed otherwise, never deleted (the history
stays). Two confirmations at once: one answers 200, the other 409."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core import dates
from sqdj.core.api import COMMON_WRITE, ERROR, WITH_BODY, ServiceViewSet, scoped_schema
from sqdj.core.serializers import CodeRelatedField, ScopedModelSerializer, ScopedPrimaryKeyRelatedField, StrictCharField

from .. import services
from ..choices import RegistrationEnd, RegistrationStatus
from ..filtersets import RegistrationFilterSet
from ..models import Member, Registration

CONFLICT = OpenApiResponse(ERROR, description=_("Someone else acted on the registration first; nothing was written."))


class RegistrationSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:registration-detail")
    member = ScopedPrimaryKeyRelatedField(model=Member, help_text=_("member id (an in-service member)"))
    member_name = serializers.CharField(source="member.name", read_only=True)
    community = CodeRelatedField(queryset=Area.objects.filter(type=AreaType.COMMUNITY), help_text=_("community code"))
    status = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["id", "url", "member", "member_name", "community", "registered_on", "posts_of_interest", "skills",
                  "status", "confirm_by", "confirmed_on", "ended_on", "end_reason", "end_note"]  # fmt: skip
        read_only_fields = ["confirm_by", "confirmed_on", "ended_on", "end_reason", "end_note"]

    @extend_schema_field(serializers.ChoiceField(choices=RegistrationStatus.choices))
    def get_status(self, obj) -> str:
        return obj.status_on(dates.today())


class RegistrationConfirmSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text=_("the day of the confirmation (default today)"))


class RegistrationEndSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RegistrationEnd.choices)
    ended_on = serializers.DateField(required=False, help_text=_("default today"))
    note = StrictCharField(required=False, allow_blank=True, max_length=200)


@scoped_schema(RegistrationSerializer, tags=["members"])
class RegistrationViewSet(ServiceViewSet):
    """在职党员报到 of your scope: those of your organizations' members and those registered with your communities.
    `?status=pending|confirmed|ended`, `?community=CODE`, `?org=CODE` (and below), `?to_confirm=true` (those awaiting
    your confirmation), `?q=` (the member's name)."""

    queryset = Registration.objects.select_related("member", "community").order_by("-registered_on", "pk")
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilterSet
    http_method_names = ["get", "post", "head", "options"]  # confirmed and ended by their actions, never deleted

    def create_object(self, data):
        return services.do_register(data.pop("member"), acting_user=self.request.user, **data)

    def _answer(self, registration):
        return Response(self.get_serializer(registration).data)

    @extend_schema(request=RegistrationConfirmSerializer,
                   responses={200: RegistrationSerializer, **COMMON_WRITE, **WITH_BODY, 409: CONFLICT},
                   tags=["members"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The member's own organization confirms the registration (the community's side may not)."""
        registration = self.get_object()
        body = RegistrationConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.do_confirm_registration(registration, acting_user=request.user,
                                                             **body.validated_data))  # fmt: skip

    @extend_schema(request=RegistrationEndSerializer,
                   responses={200: RegistrationSerializer, **COMMON_WRITE, **WITH_BODY, 409: CONFLICT},
                   tags=["members"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """Either side ends the registration, with the day and the reason; it stays in the history."""
        registration = self.get_object()
        body = RegistrationEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.do_end_registration(registration, acting_user=request.user,
                                                         **body.validated_data))  # fmt: skip


routes = [("registrations", RegistrationViewSet, "registration")]
