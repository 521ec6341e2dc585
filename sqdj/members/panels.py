from sqdj.core.paging import cheap_count
from sqdj.core.plugins import Panel

from .choices import Standing
from .models import Member


def _org_members(org, user):
    members = Member.objects.restrict(user, "view").filter(org__path__startswith=org.path, standing=Standing.ACTIVE)
    counted = cheap_count(members)  # as the member list counts: a district's subtree is not counted row by row
    return {"member_count": counted.value, "member_count_exact": counted.exact}


panels = [Panel("orgs.Org", _org_members, row="members/_org_row.html", order=10)]
