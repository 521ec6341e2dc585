"""`/api/v1/stations/`: the service stations (issue 17 item 6). Registered by `POST`, changed by `PATCH`, closed with
`POST …/close/` (kept in the registry, off the public page); never deleted."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sqdj.areas.models import Area
from sqdj.core.api import COMMON_WRITE, ERROR, ServiceViewSet, scoped_schema
from sqdj.core.serializers import ScopedModelSerializer, ScopedSlugRelatedField
from sqdj.orgs.models import Org

from .. import stations
from ..models import Station
from ..station_filtersets import StationFilterSet

CONFLICT = OpenApiResponse(ERROR, description=_("Someone else closed it first; nothing was written."))


class StationSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:station-detail")
    org = ScopedSlugRelatedField(model=Org, help_text=_("organization code"))
    area = ScopedSlugRelatedField(model=Area, help_text=_("area code"))

    class Meta:
        model = Station
        fields = ["id", "url", "org", "area", "name", "address", "hours", "services", "phone", "public", "active"]
        read_only_fields = ["active"]


@scoped_schema(StationSerializer, tags=["services"])
class StationViewSet(ServiceViewSet):
    """The service stations of your scope. `?q=`, `?active=`, `?public=`, `?area=CODE` (and below)."""

    queryset = Station.objects.select_related("org", "area").order_by("area__path", "name", "pk")
    serializer_class = StationSerializer
    filterset_class = StationFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]  # closed, never deleted
    create_service = staticmethod(stations.do_create_station)
    update_service = staticmethod(stations.do_update_station)

    @extend_schema(request=None, responses={200: StationSerializer, **COMMON_WRITE, 409: CONFLICT},
                   tags=["services"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, **kwargs):
        """Close the station: kept in the registry, no longer on the public page."""
        station = stations.do_close_station(self.get_object(), acting_user=request.user)
        return Response(self.get_serializer(station).data)


routes = [("stations", StationViewSet, "station")]
