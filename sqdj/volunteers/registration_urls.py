"""单位报到's pages (part 1; its menu entry stands with the members' own registrations: navigation.py)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("unit-registrations/<int:pk>/end/", views.unitregistration_end, name="unitregistration_end"),
    path("unit-registrations/", include(views.UnitRegistrationViews.urls())),
]
menu_items: list = []
