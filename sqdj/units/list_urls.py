"""The three lists' pages (需求清单、资源清单、项目清单) and their one menu entry."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem

from .list_views import NeedViews, ProjectViews, ResourceViews

urlpatterns = [
    path("needs/", include(NeedViews.urls())),
    path("resources/", include(ResourceViews.urls())),
    path("projects/", include(ProjectViews.urls())),
]

menu_items = [MenuItem("units:need_list", _("The three lists"), "list-check", order=70)]
