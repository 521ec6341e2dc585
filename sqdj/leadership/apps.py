from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadershipConfig(AppConfig):
    """班子: positions, elections, terms, residents' committees, cadre structure, and the org checks that need
    members."""

    name = "sqdj.leadership"
    label = "leadership"
    verbose_name = _("Leadership")
    url_prefix = "orgs/"  # the leadership pages sit beside the org pages (/orgs/positions/ …)
