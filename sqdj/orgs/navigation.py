from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup, MenuItem

menu = [
    MenuGroup(
        "orgs",
        _("Party organizations"),
        (
            MenuItem("orgs:org_tree", _("Organization tree"), "diagram-3"),
            MenuItem("orgs:org_list", _("Organization list"), "list-ul"),
            MenuItem("orgs:org_import", _("Import organizations"), "upload", "add"),
        ),
        order=10,
    )
]
