from django.urls import include, path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("unit-registrations/<int:pk>/end/", views.unitregistration_end, name="unitregistration_end"),
    path("unit-registrations/", include(views.UnitRegistrationViews.urls())),
]
