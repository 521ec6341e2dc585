"""The transfer buttons of a member's page (the members app's page shows them without knowing transfers)."""

from __future__ import annotations

from django import template

from sqdj.members.models import Member

from .. import residence
from ..choices import OPEN_STATES
from ..models import Transfer
from ..views import residence_start_url

register = template.Library()


@register.inclusion_tag("transfers/_member_buttons.html", takes_context=True)
def transfer_buttons(context, member):
    user = context["request"].user
    open_cases = Transfer.objects.filter(member=member, state__in=OPEN_STATES)
    may_change = member.standing == "active" and Member.objects.restrict(user, "change").filter(pk=member.pk).exists()
    has_open = open_cases.exists()
    target = residence.target_org(member) if may_change and not has_open else None
    return {
        "member": member,
        "may_start": may_change and not has_open,
        "open_case": open_cases.restrict(user, "view").first() if has_open else None,
        "residence_url": residence_start_url(member, target) if target else "",
        "residence_target": target,
    }
