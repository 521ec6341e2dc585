from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup, MenuItem

menu = [
    MenuGroup(
        "rulebook",
        _("Rulebook"),
        (MenuItem("rulebook:parameter_list", _("Rulebook parameters"), "journal-text"),),
        order=50,
    )
]
