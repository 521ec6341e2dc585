from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup, MenuItem

menu = [
    MenuGroup(
        "orgs",
        _("Party organizations"),
        (
            MenuItem("leadership:position_list", _("Leadership positions"), "person-badge"),
            MenuItem("leadership:election_list", _("Elections"), "check2-square"),
            MenuItem("leadership:residentscommittee_list", _("Residents' committees"), "house-heart"),
        ),
        order=10,
    )
]
