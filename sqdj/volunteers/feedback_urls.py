"""The feedback part's pages (issue 16 item 5): `urlpatterns` and `menu_items` (core.plugins.MenuItem)."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem

from . import feedback_views as views

urlpatterns = [path("feedback/", include(views.FeedbackViews.urls()))]
menu_items = [MenuItem("volunteers:feedback_list", _("Feedback letters"), "envelope-paper", order=40)]
