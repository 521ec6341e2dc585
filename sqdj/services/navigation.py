from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup

from .urls import PARTS

menu = [
    MenuGroup(
        "services", _("Serving residents"), tuple(item for part in PARTS for item in part.menu_items), order=26
    ),  # fmt: skip
]
