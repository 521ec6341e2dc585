from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup, MenuItem

menu = [MenuGroup("stats", _("Statistics"), (MenuItem("stats:stats", _("Statistics"), "bar-chart"),), order=40)]
