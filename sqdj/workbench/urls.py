from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("todo/", views.todo_list, name="todo_list"),  # ?list=<to-do key>
]
