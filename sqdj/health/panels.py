from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import Action

actions = [
    Action(
        "orgs.Org", _("Organization health check"), "clipboard2-pulse",
        lambda org: reverse("health:org_health", args=[org.pk]), key="org-health-link", order=10,
    )
]  # fmt: skip
