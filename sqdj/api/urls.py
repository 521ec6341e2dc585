"""API root /api/v1/: one router for the resources every app declares (the `routes` of its api/urls.py), the
other endpoints the apps declare (its `urlpatterns`), the OpenAPI schema and its docs."""

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from sqdj.core.plugins import api_declarations

routes, endpoints = api_declarations()
router = DefaultRouter()
for prefix, viewset, basename in routes:
    router.register(prefix, viewset, basename=basename)


@csrf_exempt  # nothing is done here; a cookie-authenticated PUT must get this 404 too, not a CSRF page
def not_found(request, *args, **kwargs):
    """Any other /api/v1/…/ URL (e.g. /api/v1/orgs/1.5/: an id is digits) answers in the API's own error
    format rather than with Django's HTML page. URLs without the trailing slash are left to APPEND_SLASH."""
    return JsonResponse({"detail": _("Not found.")}, status=404, json_dumps_params={"ensure_ascii": False})


app_name = "api"
urlpatterns = [
    path("v1/", include(endpoints)),
    path("v1/", include(router.urls)),
    re_path(r"^v1/.*/$", not_found),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves its start-up script as a file (?script): the Content-Security-Policy allows no inline script
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
]
