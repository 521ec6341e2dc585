from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "sqdj.orgs"
    label = "orgs"
    verbose_name = _("Party organizations")
