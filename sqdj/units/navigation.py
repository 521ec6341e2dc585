from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup

from .urls import PARTS

menu = [
    MenuGroup("units", _("Units and co-building"), tuple(item for part in PARTS for item in part.menu_items), order=30)
]
