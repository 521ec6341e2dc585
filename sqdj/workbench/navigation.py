from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MenuGroup, MenuItem

menu = [MenuGroup("workbench", _("Workbench"), (MenuItem("home", _("To-do and overview"), "house", order=0),), order=0)]
