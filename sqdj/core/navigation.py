from django.utils.translation import gettext_lazy as _

from .plugins import MenuGroup, MenuItem

# "My jobs" is every signed-in user's own (imports and exports they started): shown to anyone who may add something
menu = [MenuGroup("workbench", _("Workbench"), (MenuItem("jobs", _("My jobs"), "hourglass", order=90),), order=0)]

# the audit trail: a page of the audit administrator's, and of nobody else's (core.audit_views)
AUDIT_ITEM = MenuItem("audit", _("Audit trail"), "journal-check", duty="audit_admin")
menu.append(MenuGroup("audit", _("Audit"), (AUDIT_ITEM,), order=90))
