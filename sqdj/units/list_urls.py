"""The three lists' pages (需求清单、资源清单、项目清单) and their one menu entry."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem
from sqdj.core.scope import may

from .list_views import NeedViews, ProjectViews, ResourceViews
from .models import Need, Project

urlpatterns = [
    path("needs/", include(NeedViews.urls())),
    path("resources/", include(ResourceViews.urls())),
    path("projects/", include(ProjectViews.urls())),
]


def _projects_only(user) -> bool:
    """A unit's liaison sees the projects of their unit, not the community's needs: the projects are their entry."""
    return not may(user, "view", Need) and may(user, "view", Project)


menu_items = [
    MenuItem("units:need_list", _("The three lists"), "list-check", order=70),
    MenuItem("units:project_list", _("Co-building projects"), "list-check", order=71, visible=_projects_only),
]
