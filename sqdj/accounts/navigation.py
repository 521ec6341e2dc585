from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup, MenuItem

from .services import administers_users

# the user administration: the superuser, the system and security administrators, city and district administrators
menu = [
    MenuGroup(
        "users",
        _("User administration"),
        (MenuItem("users:user_list", _("Users"), "people", visible=administers_users),),
        order=85,
    )
]
