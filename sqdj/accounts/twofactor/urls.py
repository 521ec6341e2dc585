"""Mounted at /account/2fa/ by sqdj/urls.py (the gate leaves /account/ open)."""

from django.urls import path

from . import views

app_name = "twofactor"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("verify/", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("recovery/", views.recovery, name="recovery"),
    path("remove/", views.remove, name="remove"),
]
