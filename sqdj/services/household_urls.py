"""The household part's pages (issue 17 item 4): `urlpatterns` and `menu_items` (core.plugins.MenuItem)."""

from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem
from sqdj.core.scope import may

from . import household_views as views
from .models import Household

urlpatterns = [
    path("households/", include(views.HouseholdViews.urls())),
    path("households/<int:pk>/reveal/", views.household_reveal, name="household_reveal"),
    re_path(
        rf"^households/(?P<pk>[0-9]+)/(?P<action>{'|'.join(views.ACTIONS)})/$",
        views.household_action,
        name="household_action",
    ),  # fmt: skip
    path("household-pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
]
menu_items = [
    # a paired member and a paired unit's liaison too: the households they help (the self scope)
    MenuItem(
        "services:household_list",
        _("Households in hardship"),
        "house-heart",
        order=30,
        visible=lambda user: may(user, "view", Household),
    ),  # fmt: skip
]
