"""API root /api/v1/: one router for every app's resources, the OpenAPI schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from sqdj.areas.api.views import AreaViewSet
from sqdj.orgs.api.views import OrgViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("orgs", OrgViewSet, basename="org")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
]

schema_urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
