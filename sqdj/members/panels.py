from sqdj.core.plugins import Panel

from .choices import Standing
from .models import Member


def _org_members(org, user):
    members = Member.objects.restrict(user, "view").filter(org__path__startswith=org.path, standing=Standing.ACTIVE)
    return {"member_count": members.count()}


panels = [Panel("orgs.Org", _org_members, row="members/_org_row.html", order=10)]
