from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from sqdj.core.api import org_report_schema
from sqdj.orgs.services import find_org

from .. import services
from .serializers import StatsQuerySerializer, StatsSerializer


class StatsView(APIView):
    """The statistics of an organization and everything below it, counting only the organizations and members
    the caller may see; the same object as `sqdj stats --json`."""

    @org_report_schema(
        "stats_retrieve", "stats", StatsSerializer, _("Count as of this day, YYYY-MM-DD (default today).")
    )
    def get(self, request):
        params = StatsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        org = find_org(params.validated_data["org"], request.user)
        if org is None:
            raise NotFound(_("Not found."))
        return Response(services.compute(org, user=request.user, as_of=params.validated_data.get("as_of")))
