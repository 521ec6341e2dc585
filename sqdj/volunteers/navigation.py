from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup, MenuItem

from .urls import PARTS

menu = [
    # with the members' own registrations (在职党员报到): one menu group for both kinds of 报到
    MenuGroup(
        "members",
        _("Party members"),
        (MenuItem("volunteers:unitregistration_list", _("Unit registrations (单位报到)"), "building-check"),),
        order=20,
    ),
    MenuGroup(
        "volunteers", _("Volunteer service"), tuple(item for part in PARTS for item in part.menu_items), order=25
    ),  # fmt: skip
]
