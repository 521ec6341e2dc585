from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    """组织体检: the rulebook's findings for an org subtree (page, export, `sqdj check`, /api/v1/checks/). The
    checks themselves are declared by the apps (their checks.py)."""

    name = "sqdj.health"
    verbose_name = _("Organization health check")
