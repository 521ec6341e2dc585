"""The pages of the authority lists, the end of a unit, and the instructors (mounted under /units/)."""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem

from . import intake_views as views

urlpatterns = [
    path("intake/", include(views.AuthorityEntryViews.urls())),
    path("intake/<int:pk>/contacted/", views.mark_contacted, name="authorityentry_contacted"),
    path("<int:pk>/end/", views.end_unit, name="unit_end"),
    *views.InstructorViews.urls(),
]

menu_items = [
    MenuItem("units:authorityentry_list", _("Registration authority lists"), "inbox", order=30),
    MenuItem("units:instructor_list", _("Party-building instructors"), "person-workspace", order=35),
]
