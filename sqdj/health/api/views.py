from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from sqdj.core.api import FORBIDDEN, NO_NUL, NOT_AUTHENTICATED, NOT_FOUND, VALIDATION_ERROR, WWW_AUTHENTICATE
from sqdj.stats.services import find_org

from .. import services
from .serializers import ChecksQuerySerializer, ChecksSerializer


class ChecksView(APIView):
    """The rulebook's findings (组织体检) for an organization and everything below it, as the caller may see
    them; the same object as `sqdj check --json`."""

    @extend_schema(
        operation_id="checks_retrieve",
        tags=["checks"],
        parameters=[
            OpenApiParameter(
                "org",
                {"type": "string", "minLength": 1, "pattern": NO_NUL},
                required=True,
                description=_("Organization code; the organization must be within your scope (else 404)."),
            ),
            OpenApiParameter(
                "as_of", OpenApiTypes.DATE, description=_("Check as of this day, YYYY-MM-DD (default today).")
            ),
            WWW_AUTHENTICATE,
        ],
        responses={
            200: ChecksSerializer,
            400: VALIDATION_ERROR,
            401: NOT_AUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def get(self, request):
        params = ChecksQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        org = find_org(params.validated_data["org"], request.user)
        if org is None:
            raise NotFound(_("Not found."))
        on = params.validated_data.get("as_of") or datetime.date.today()
        findings = services.findings_for(org, user=request.user, on=on)
        return Response(services.as_json(org, findings, on))
