from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup, MenuItem

menu = [
    MenuGroup("developers", _("Developers"), (MenuItem("api:docs", _("API documentation"), "code-slash"),), order=90)
]
