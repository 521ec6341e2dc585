from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup, MenuItem

menu = [
    MenuGroup(
        "transfers",
        _("Membership transfers"),
        (
            MenuItem("transfers:transfer_list", _("Transfer cases"), "arrow-left-right"),
            MenuItem("transfers:transfer_open", _("Open cases"), "hourglass-split"),
            MenuItem("transfers:residence_list", _("To receive into the residence community"), "house", "change"),
            MenuItem("transfers:outflow_list", _("Outflow members"), "box-arrow-right"),
            MenuItem("transfers:inflow_list", _("Inflow members"), "box-arrow-in-left"),
        ),
        order=30,
    )
]
