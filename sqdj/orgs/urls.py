from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("tree/", views.org_tree, name="org_tree"),
    path("tree/<int:pk>/children/", views.org_tree_children, name="org_tree_children"),
    *views.OrgViews.urls(),
]
