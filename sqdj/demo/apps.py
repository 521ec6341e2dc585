from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The synthetic city: `sqdj demo`, `sqdj generate`, the demo accounts. Nothing depends on it."""

    name = "sqdj.demo"
    label = "demo"
    verbose_name = _("Demo city")
    url_prefix = None
