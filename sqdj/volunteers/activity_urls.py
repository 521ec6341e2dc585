"""The activity part's pages (issue 16): `urlpatterns` and `menu_items` (core.plugins.MenuItem)."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem

from . import activity_views as views

urlpatterns = [
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/signup/", views.activity_signup, name="activity_signup"),
    path("activities/<int:pk>/withdraw/", views.activity_withdraw, name="activity_withdraw"),
    path("activities/<int:pk>/roster/", views.activity_roster, name="activity_roster"),
    path("activities/<int:pk>/attendance/", views.activity_attendance, name="activity_attendance"),
    path("activities/", include(views.ActivityViews.urls())),
]
# members see it too (the model's self scope: their own communities' activities)
menu_items = [MenuItem("volunteers:activity_list", _("Service activities"), "calendar-event", order=20)]
