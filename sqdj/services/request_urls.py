"""The request part's pages (issue 17 item 1): `urlpatterns` and `menu_items` (core.plugins.MenuItem)."""

from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem
from sqdj.core.scope import may

from . import request_views as views
from .models import Request

urlpatterns = [
    path("requests/", include(views.RequestViews.urls())),  # first: its `<pk>/changes/` is no step
    path("requests/<int:pk>/reveal/", views.request_reveal, name="request_reveal"),
    re_path(
        rf"^requests/(?P<pk>[0-9]+)/(?P<action>{'|'.join(views.ACTIONS)})/$", views.request_step, name="request_step"
    ),  # fmt: skip
    path("categories/", include(views.CategoryViews.urls())),
]
menu_items = [
    # the member and the unit's liaison too: the requests assigned to them (the self scope)
    MenuItem(
        "services:request_list",
        _("Resident requests"),
        "chat-left-text",
        order=10,
        visible=lambda user: may(user, "view", Request),
    ),  # fmt: skip
    MenuItem("services:category_list", _("Request categories"), "tags", order=19),
]
