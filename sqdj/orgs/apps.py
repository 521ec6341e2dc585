from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqdj.core.scope import register_org_tree


class OrgsConfig(AppConfig):
    name = "sqdj.orgs"
    label = "orgs"
    verbose_name = _("Party organizations")

    def ready(self):
        register_org_tree(self.get_model("Org"))
