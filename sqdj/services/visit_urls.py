"""The visit part's pages (issue 17 item 5) and the statistics of serving residents (item 7): `urlpatterns` and
`menu_items` (core.plugins.MenuItem)."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem

from . import request_stats_views, visit_views

urlpatterns = [
    path("visits/coverage/", visit_views.coverage_page, name="visit_coverage"),
    path("visits/", include(visit_views.VisitViews.urls())),
    path("request-stats/", request_stats_views.request_stats_page, name="request_stats"),
]
menu_items = [
    MenuItem("services:visit_list", _("Visit records"), "door-open", order=35),
    MenuItem("services:visit_coverage", _("Visit coverage"), "grid-3x3", order=36),
    MenuItem("services:request_stats", _("Request statistics"), "bar-chart", order=50),
]
