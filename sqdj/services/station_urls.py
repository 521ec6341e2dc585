"""The station part's pages (issue 17 item 6): `urlpatterns` and `menu_items` (core.plugins.MenuItem)."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem

from . import station_views as views

urlpatterns = [
    path("stations/<int:pk>/close/", views.station_close, name="station_close"),
    path("stations/", include(views.StationViews.urls())),
]
menu_items = [MenuItem("services:station_list", _("Service stations"), "house-heart", order=40)]
