from sqdj.core.plugins import Panel

from .views import leadership_context

panels = [Panel("orgs.Org", leadership_context, template="leadership/_leadership.html", order=20)]
