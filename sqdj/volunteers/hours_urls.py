"""The hours part's pages (issue 16): `urlpatterns` and `menu_items` (core.plugins.MenuItem)."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem
from sqdj.core.scope import acts_for_self

from . import hours_views as views
from .models import ServiceHours

urlpatterns = [
    path("hours/declare/", views.servicehours_declare, name="servicehours_declare"),
    path("hours/<int:pk>/verify/", views.servicehours_verify, name="servicehours_verify"),
    path("hours/<int:pk>/reject/", views.servicehours_reject, name="servicehours_reject"),
    path("hours/<int:pk>/correct/", views.servicehours_correct, name="servicehours_correct"),  # = the edit page
    path("hours/", include(views.ServiceHoursViews.urls())),
    path("activities/<int:pk>/hours/", views.activity_hours, name="activity_hours"),
]
menu_items: list = [
    MenuItem("volunteers:servicehours_list", _("Service records"), "clock-history", order=30),
    # a member declares their own hours (the self-only role: no org scope, so the item above is not theirs)
    MenuItem(
        "volunteers:servicehours_declare",
        _("Declare service hours"),
        "clock",
        order=31,
        visible=lambda user: acts_for_self(user, "view", ServiceHours),
    ),  # fmt: skip
]
