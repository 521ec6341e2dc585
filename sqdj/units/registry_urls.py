"""The unit registry's pages (namespace `units`): unit_list, unit, unit_add, unit_edit, unit_changes, unit_import,
the reveal of the contact phone and the liaison accounts."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuItem

from . import views

urlpatterns = [
    path("<int:pk>/reveal/", views.reveal, name="unit_reveal"),
    path("<int:pk>/contacts/", views.link_contact, name="unit_contact_link"),
    path("contacts/<int:pk>/end/", views.end_contact, name="unitcontact_end"),
    *views.UnitViews.urls(),
]
menu_items = [MenuItem("units:unit_list", _("Units"), "building", order=10)]
