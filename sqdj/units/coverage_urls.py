"""The coverage page (两新组织覆盖): /units/coverage/?org=CODE[&area=CODE][&as_of=YYYY-MM-DD]."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem

from .coverage_views import coverage_page

urlpatterns = [path("coverage/", coverage_page, name="coverage")]
menu_items = [MenuItem("units:coverage", _("Coverage of new economic and social organizations"), "diagram-3", order=20)]
