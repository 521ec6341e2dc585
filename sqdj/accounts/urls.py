"""The user's own account pages, at /account/ (AccountsConfig.url_prefix)."""

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("password/", views.password_change, name="password_change"),
]
