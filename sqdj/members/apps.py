from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "sqdj.members"
    label = "members"
    verbose_name = _("Party members")
