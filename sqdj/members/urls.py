from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("<int:pk>/reveal/", views.reveal, name="member_reveal"),
    path("<int:pk>/register/", views.register, name="member_register"),
    *views.MemberViews.urls(),
]
