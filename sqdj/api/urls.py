"""API root /api/v1/: one router for every app's resources, the OpenAPI schema and its docs."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from sqdj.areas.api.views import AreaViewSet
from sqdj.members.api.views import MemberViewSet
from sqdj.orgs.api.views import (
    ElectionViewSet,
    OrgViewSet,
    PositionViewSet,
    ResidentsCommitteeViewSet,
    ResidentsSeatViewSet,
)
from sqdj.transfers.api.mobile import InflowViewSet, OutflowViewSet
from sqdj.transfers.api.views import TransferViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("orgs", OrgViewSet, basename="org")
router.register("members", MemberViewSet, basename="member")
router.register("positions", PositionViewSet, basename="position")
router.register("elections", ElectionViewSet, basename="election")
router.register("residents-committees", ResidentsCommitteeViewSet, basename="residentscommittee")
router.register("residents-seats", ResidentsSeatViewSet, basename="residentsseat")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("outflows", OutflowViewSet, basename="outflow")
router.register("inflows", InflowViewSet, basename="inflow")


@csrf_exempt  # nothing is done here; a cookie-authenticated PUT must get this 404 too, not a CSRF page
def not_found(request, *args, **kwargs):
    """Any other /api/v1/…/ URL (e.g. /api/v1/orgs/1.5/: an id is digits) answers in the API's own error
    format rather than with Django's HTML page. URLs without the trailing slash are left to APPEND_SLASH."""
    return JsonResponse({"detail": _("Not found.")}, status=404, json_dumps_params={"ensure_ascii": False})


app_name = "api"
urlpatterns = [
    path("v1/stats/", include("sqdj.stats.api.urls")),
    path("v1/checks/", include("sqdj.health.api.urls")),
    path("v1/", include(router.urls)),
    re_path(r"^v1/.*/$", not_found),
]

schema_urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
