from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from sqdj.core.api import FORBIDDEN, NO_NUL, NOT_AUTHENTICATED, NOT_FOUND, VALIDATION_ERROR, WWW_AUTHENTICATE

from .. import services
from .serializers import StatsQuerySerializer, StatsSerializer


class StatsView(APIView):
    """The statistics of an organization and everything below it, counting only the organizations and members
    the caller may see; the same object as `sqdj stats --json`."""

    @extend_schema(
        operation_id="stats_retrieve",
        tags=["stats"],
        parameters=[
            OpenApiParameter(
                "org",
                {"type": "string", "minLength": 1, "pattern": NO_NUL},
                required=True,
                description=_("Organization code; the organization must be within your scope (else 404)."),
            ),
            OpenApiParameter(
                "as_of", OpenApiTypes.DATE, description=_("Count as of this day, YYYY-MM-DD (default today).")
            ),
            WWW_AUTHENTICATE,
        ],
        responses={
            200: StatsSerializer,
            400: VALIDATION_ERROR,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request):
        params = StatsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        org = services.find_org(params.validated_data["org"], request.user)
        if org is None:
            raise NotFound(_("Not found."))
        return Response(services.compute(org, user=request.user, as_of=params.validated_data.get("as_of")))
