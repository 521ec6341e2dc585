from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup, MenuItem

menu = [
    MenuGroup(
        "areas",
        _("Territory"),
        (
            MenuItem("areas:area_list", _("Area list"), "geo-alt"),
            MenuItem("areas:area_import", _("Import areas"), "upload", "add"),
        ),
        order=60,
    )
]
