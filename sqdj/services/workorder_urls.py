"""The work orders' pages (issue 17 item 1, 接诉即办): `urlpatterns` and `menu_items` (core.plugins.MenuItem)."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem

from . import workorder_views as views

urlpatterns = [path("workorders/", include(views.WorkOrderViews.urls()))]

menu_items: list = [
    MenuItem("services:workorder_list", _("12345 work orders"), "telephone-inbound", order=20),
    MenuItem("services:workorder_unplaced", _("Waiting to be placed"), "inbox", order=21),
]
