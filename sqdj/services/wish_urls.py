"""The wish part's pages (issue 17 item 3): `urlpatterns` and `menu_items` (core.plugins.MenuItem)."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem
from sqdj.core.scope import may

from . import wish_views as views
from .models import Request

urlpatterns = [
    path("wishes/", include(views.WishViews.urls())),
    path("wishes/<int:pk>/claim/", views.wish_claim, name="wish_claim"),
    path("wishes/<int:pk>/withdraw/", views.wish_withdraw, name="wish_withdraw"),
    path("wishes/<int:pk>/fulfil/", views.wish_fulfil, name="wish_fulfil"),
    path("wishes/claims/<int:pk>/photo/", views.wish_photo, name="wish_photo"),
]
menu_items = [
    # a member and a unit's liaison too: the open wishes of their communities, and those they claimed
    MenuItem(
        "services:wish_list", _("Small wishes"), "gift", order=20, visible=lambda user: may(user, "view", Request)
    ),  # fmt: skip
]
