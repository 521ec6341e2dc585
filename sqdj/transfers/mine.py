"""我的 (core.plugins.MineSection): the member's open transfer case (its step and the step's due day) and whether
they are recorded as away (流动党员: where, since when). Read through the gate (the member's self scope), narrowed to
the member's own rows by key."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import MineSection
from sqdj.members.mine import own_member

from .choices import OPEN_STATES
from .models import Outflow, Transfer
from .services import due_date, waiting_on


def _mobility(request) -> dict | None:
    member = own_member(request)
    if member is None:
        return None
    user = request.user
    case = (
        Transfer.objects.restrict(user, "view")
        .filter(member=member, state__in=OPEN_STATES)
        .select_related("from_org", "to_org", "sending_approver", "receiving_approver")
        .defer("incoming_details")  # an incoming case's encrypted package: not shown here
        .order_by("-pk")
        .first()
    )
    outflow = (
        Outflow.objects.restrict(user, "view")
        .filter(member=member, ended_on__isnull=True)
        .only("pk", "member_id", "left_on", "destination", "destination_org", "ended_on")
        .first()
    )
    waiting = waiting_on(case) if case is not None else None
    return {
        "case": case,
        "due": due_date(case) if case is not None else None,
        "waiting_on": waiting.name if waiting is not None else "",
        "outflow": outflow,
    }


sections = [MineSection("mobility", _("My transfer and mobility"), "workbench/me/_mobility.html", _mobility, order=30)]
