"""The public part's pages (issue 17 item 2): no account needed (tests/test_url_auth.py's PUBLIC list)."""

from django.urls import path

from . import public_views as views

urlpatterns = [
    path("public/track/", views.track, name="public_track"),
    path("public/<str:code>/", views.community_page, name="public_community"),
    path("public/<str:code>/new/", views.request_new, name="public_request_new"),
]
menu_items: list = []
