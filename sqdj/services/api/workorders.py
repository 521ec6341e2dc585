"""`/api/v1/work-orders/`: the 12345 hotline work orders (issue 17, 接诉即办) — read only (written by `sqdj import
workorders` and the import wizard), with the list page's filters; `POST …/place/` places a waiting order (待分派) in a
community or below (`area` code, and the `version` of its request you read: placed meanwhile, 409)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from sqdj.areas.models import Area
from sqdj.core.api import COMMON_WRITE, ERROR, WITH_BODY, ServiceViewSet, scoped_schema
from sqdj.core.serializers import CodeRelatedField, ScopedModelSerializer

from .. import workorders as services
from ..models import WorkOrder
from ..workorder_filtersets import WorkOrderFilterSet

CONFLICT = OpenApiResponse(ERROR, description=_("Someone else placed the order first; nothing was written."))


class WorkOrderSerializer(ScopedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:workorder-detail")
    dispatched_to = serializers.CharField(source="dispatched_to.code", read_only=True)
    dispatched_to_name = serializers.CharField(source="dispatched_to.name", read_only=True)
    request_number = serializers.CharField(source="request.number", read_only=True)
    area = serializers.SerializerMethodField(help_text=_("code of the area it is placed in (empty: waiting)"))
    placed = serializers.BooleanField(source="request.placed", read_only=True)
    state = serializers.CharField(source="request.state", read_only=True)
    accepted_at = serializers.DateTimeField(source="request.accepted_at", read_only=True, allow_null=True)
    resolved_at = serializers.DateTimeField(source="request.resolved_at", read_only=True, allow_null=True)
    resolution = serializers.CharField(source="request.resolution", read_only=True)
    satisfaction = serializers.CharField(source="request.satisfaction", read_only=True)
    version = serializers.IntegerField(source="request.version", read_only=True)

    class Meta:
        model = WorkOrder
        fields = ["id", "url", "number", "received_at", "category_text", "content", "address", "dispatched_to",
                  "dispatched_to_name", "due_at", "area_code", "request", "request_number", "area", "placed", "state",
                  "accepted_at", "resolved_at", "resolution", "satisfaction", "version"]  # fmt: skip
        read_only_fields = fields

    def get_area(self, obj) -> str:
        return obj.request.area.code if obj.request.placed else ""


class PlaceSerializer(serializers.Serializer):
    area = CodeRelatedField(queryset=Area.objects.all(), help_text=_("code of a community, or of a place in it"))
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                       help_text=_("the version you read"))  # fmt: skip


@extend_schema_view(create=extend_schema(exclude=True))
@scoped_schema(WorkOrderSerializer, tags=["services"])
class WorkOrderViewSet(ServiceViewSet):
    """Work orders of your scope. `?q=` (number, content, address), `?area=CODE`, `?state=`, `?placed=`,
    `?warning=red|yellow`, `?received_from=` / `?received_to=`, `?figure=`."""

    queryset = WorkOrder.objects.select_related("request", "request__area", "dispatched_to").order_by(
        "-received_at", "-pk"
    )
    serializer_class = WorkOrderSerializer
    filterset_class = WorkOrderFilterSet
    http_method_names = ["get", "post", "head", "options"]  # POST: the place action only

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST")  # orders come from the platform's file

    @property
    def allowed_methods(self):
        """The list takes no POST (its `Allow` says so); an order's `place/` does."""
        methods = super().allowed_methods
        return methods if getattr(self, "detail", False) else [m for m in methods if m != "POST"]

    @extend_schema(request=PlaceSerializer,
                   responses={200: WorkOrderSerializer, **COMMON_WRITE, **WITH_BODY, 409: CONFLICT},
                   tags=["services"])  # fmt: skip
    @action(detail=True, methods=["post"])
    def place(self, request, pk=None, **kwargs):
        """A subdistrict admin places a waiting order in a community or below."""
        order = self.get_object()
        body = PlaceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.do_place_order(order, data["area"], request.user, version=data.get("version"))
        order = self.get_queryset().get(pk=order.pk)
        return Response(self.get_serializer(order).data)


routes = [("work-orders", WorkOrderViewSet, "workorder")]
