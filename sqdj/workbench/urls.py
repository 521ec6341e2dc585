from django.urls import path

from . import me_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("todo/", views.todo_list, name="todo_list"),  # ?list=<to-do key>
    path("me/", me_views.me, name="me"),  # 我的: the member's own page
]
