from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup, MenuItem
from sqdj.core.scope import acts_for_self
from sqdj.members.models import Member


def acts_as_member(user) -> bool:
    """Whether `user` holds the member's self-service role (我的: their own record): read from the role assignments
    every page has loaded already (core.scope), not from the member table."""
    return acts_for_self(user, "view", Member)


menu = [
    MenuGroup(
        "workbench",
        _("Workbench"),
        (
            MenuItem("home", _("To-do and overview"), "house", order=0),
            MenuItem("me", _("My page"), "person-circle", order=5, visible=acts_as_member),
        ),
        order=0,
    )
]
