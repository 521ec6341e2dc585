from django.urls import path

from . import views

app_name = "health"
urlpatterns = [
    path("org/<int:pk>/", views.org_health, name="org_health"),
    path("org/<int:pk>/export.xlsx", views.org_health_export, name="org_health_export"),
    path("tiles/", views.workbench_tiles, name="workbench_tiles"),
]
