from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqdj.core.scope import register_guidance, register_org_tree


class OrgsConfig(AppConfig):
    name = "sqdj.orgs"
    label = "orgs"
    verbose_name = _("Party organizations")

    def ready(self):
        from . import services  # the app's own module, loaded once the models are ready

        register_org_tree(self.get_model("Org"))
        register_guidance(services.guided_by)
