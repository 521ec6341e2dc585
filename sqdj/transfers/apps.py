from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransfersConfig(AppConfig):
    name = "sqdj.transfers"
    verbose_name = _("Transfers and mobile members")

    def ready(self):
        # 流动 is an open outflow or inflow: the members app derives its stored category from what we declare
        from sqdj.members import mobility as members_mobility

        from . import mobility

        members_mobility.register(mobility)
