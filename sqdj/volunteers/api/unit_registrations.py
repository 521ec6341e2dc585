"""`/api/v1/unit-registrations/`: 单位报到 (issue 16). Made by `POST` (the unit's own org, any community), what the
unit offers changed by `PATCH`, ended by either side with `POST …/end/`; never deleted (the history stays)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.api import COMMON_WRITE, ERROR, WITH_BODY, ServiceViewSet, scoped_schema
from sqdj.core.serializers import CodeRelatedField, ScopedModelSerializer, ScopedSlugRelatedField, StrictCharField
from sqdj.orgs.models import Org

from .. import services
from ..choices import UnitRegistrationEnd
from ..filtersets import UnitRegistrationFilterSet
from ..models import UnitRegistration

CONFLICT = OpenApiResponse(ERROR, description=_("Someone else ended it first; nothing was written."))


class UnitRegistrationSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:unitregistration-detail")
    org = ScopedSlugRelatedField(model=Org, help_text=_("organization code (the unit's party organization)"))
    community = CodeRelatedField(queryset=Area.objects.filter(type=AreaType.COMMUNITY), help_text=_("community code"))

    class Meta:
        model = UnitRegistration
        fields = ["id", "url", "org", "community", "registered_on", "commitments", "active", "ended_on",
                  "end_reason", "end_note"]  # fmt: skip
        read_only_fields = ["active", "ended_on", "end_reason", "end_note"]


class UnitRegistrationEndSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=UnitRegistrationEnd.choices)
    ended_on = serializers.DateField(required=False, help_text=_("default today"))
    note = StrictCharField(required=False, allow_blank=True, max_length=200)


@scoped_schema(UnitRegistrationSerializer, tags=["volunteers"])
class UnitRegistrationViewSet(ServiceViewSet):
    """单位报到 of your scope: your organizations' and those with your communities. `?active=`, `?community=CODE`,
    `?q=`."""

    queryset = UnitRegistration.objects.select_related("org", "community").order_by("-registered_on", "pk")
    serializer_class = UnitRegistrationSerializer
    filterset_class = UnitRegistrationFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]  # ended, never deleted
    create_service = staticmethod(services.do_register_unit)
    update_service = staticmethod(services.do_update_unit_registration)

    @extend_schema(request=UnitRegistrationEndSerializer,
                   responses={200: UnitRegistrationSerializer, **COMMON_WRITE, **WITH_BODY, 409: CONFLICT},
                   tags=["volunteers"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None, **kwargs):
        """Either side ends it, with the day and the reason; it stays in the history."""
        registration = self.get_object()
        body = UnitRegistrationEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        registration = services.do_end_unit_registration(registration, acting_user=request.user,
                                                         **body.validated_data)  # fmt: skip
        return Response(self.get_serializer(registration).data)


routes = [("unit-registrations", UnitRegistrationViewSet, "unitregistration")]
