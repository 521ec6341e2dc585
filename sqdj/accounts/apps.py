from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqdj.core.scope import register_roles

from .roles import ROLE_ACTIONS, SELF_ONLY_ROLES


class AccountsConfig(AppConfig):
    name = "sqdj.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        register_roles(ROLE_ACTIONS, self_only=SELF_ONLY_ROLES)
