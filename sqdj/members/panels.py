from sqdj.core.paging import cheap_count
from sqdj.core.plugins import Panel
from sqdj.core.scope import sees_by_guidance

from .choices import Standing
from .models import Member


def _org_members(org, user):
    # an org seen through a guidance link shows its figures whole, and none of its members (core.scope)
    guided = sees_by_guidance(user, org)
    members = Member.objects.all() if guided else Member.objects.restrict(user, "view")
    members = members.filter(org__path__startswith=org.path, standing=Standing.ACTIVE)
    counted = cheap_count(members)  # as the member list counts: a district's subtree is not counted row by row
    return {"member_count": counted.value, "member_count_exact": counted.exact, "member_list_link": not guided}


panels = [Panel("orgs.Org", _org_members, row="members/_org_row.html", order=10)]
