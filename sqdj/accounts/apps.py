from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqdj.core.scope import register_roles

from .roles import ROLE_ACTIONS, SELF_ONLY_ROLES
from .twofactor import checks as _twofactor_checks  # noqa: F401  (registers the second factor's system check)


class AccountsConfig(AppConfig):
    name = "sqdj.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    url_prefix = "account/"  # the user's own account pages: /account/password/ (accounts/urls.py)

    def ready(self):
        register_roles(ROLE_ACTIONS, self_only=SELF_ONLY_ROLES)
        from . import middleware  # noqa: F401  (connects the sign-in time stamp; imports models, so not at the top)
