"""The user administration, mounted at /users/ by sqdj/urls.py (not under /account/: see admin_views)."""

from django.urls import path

from . import admin_views as views

app_name = "users"
urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("add/", views.user_add, name="user_add"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
    path("<int:pk>/grant/", views.user_grant, name="user_grant"),
    path("<int:pk>/roles/<int:assignment_pk>/revoke/", views.user_revoke, name="user_revoke"),
    path("<int:pk>/password/", views.user_reset_password, name="user_reset_password"),
    path("<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
]
