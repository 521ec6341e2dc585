from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import Action

actions = [
    Action(
        "orgs.Org", _("Open transfer cases"), "arrow-left-right",
        lambda org: f"{reverse('transfers:transfer_open')}?org={org.pk}", key="org-open-transfers", order=20,
    )
]  # fmt: skip
