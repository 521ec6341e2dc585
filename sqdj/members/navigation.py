from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup, MenuItem

menu = [
    MenuGroup(
        "members",
        _("Party members"),
        (
            MenuItem("members:member_list", _("Member roster"), "people"),
            MenuItem("members:registration_list", _("Community registrations (在职党员报到)"), "house-check"),
        ),
        order=20,
    )
]
