from django.urls import path

from . import guidance_views, views

app_name = "orgs"
urlpatterns = [
    path("tree/", views.org_tree, name="org_tree"),
    path("tree/<int:pk>/children/", views.org_tree_children, name="org_tree_children"),
    path("<int:pk>/guidance/", guidance_views.link, name="org_guidance_add"),
    path("guidance/<int:pk>/end/", guidance_views.end, name="guidancelink_end"),
    *views.OrgViews.urls(),
]
