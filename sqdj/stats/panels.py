from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import Action


def _url(org) -> str:
    return f"{reverse('stats:stats')}?{urlencode({'org': org.code})}"


actions = [Action("orgs.Org", _("Statistics"), "bar-chart", _url, key="org-stats-link", order=30)]
