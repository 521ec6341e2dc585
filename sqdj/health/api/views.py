from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from sqdj.core import dates
from sqdj.core.api import org_report_schema
from sqdj.orgs.services import find_org

from .. import services
from .serializers import ChecksQuerySerializer, ChecksSerializer


class ChecksView(APIView):
    """The rulebook's findings (组织体检) for an organization and everything below it, as the caller may see
    them; the same object as `sqdj check --json`."""

    @org_report_schema(
        "checks_retrieve", "checks", ChecksSerializer, _("Check as of this day, YYYY-MM-DD (default today).")
    )
    def get(self, request):
        params = ChecksQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        org = find_org(params.validated_data["org"], request.user)
        if org is None:
            raise NotFound(_("Not found."))
        on = params.validated_data.get("as_of") or dates.today()
        findings = services.findings_for(org, user=request.user, on=on)
        return Response(services.as_json(org, findings, on))
