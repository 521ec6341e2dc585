"""我的 (core.plugins.MineSection): the member's own record, community registration and requests to change their
contact details. Every read goes through the gate (`restrict`, the member's self scope) and narrows to the member's
own row by its key."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from sqdj.core import dates
from sqdj.core.plugins import MineSection, mine_link

from .choices import RegistrationStatus
from .models import Member, Registration

_OWN = "_sqdj_own_member"


def own_member(request) -> Member | None:
    """The member record of the signed-in user (read once per request: every card of 我的 asks for it)."""
    if not hasattr(request, _OWN):
        user = request.user
        found = None
        if user.is_authenticated:
            found = Member.objects.restrict(user, "view").filter(user=user).select_related("org").first()
        setattr(request, _OWN, found)
    return getattr(request, _OWN)


def _record(request) -> dict | None:
    member = own_member(request)
    if member is None:
        return None
    # the member's own ID number masked: revealing it is an administrator's logged act, not offered here
    return {"member": member, "id_masked": member.id_number_masked}


def _contact_changes(member, user) -> list:
    """The member's latest requests to change their phone or home address (the model of another part: none
    until it is installed)."""
    try:
        model = apps.get_model("members", "ContactChange")
    except LookupError:
        return []
    qs = model.objects.restrict(user, "view").filter(member=member)
    return list(qs.order_by("-requested_at", "-pk")[:3])


def _registration(request) -> dict | None:
    member = own_member(request)
    if member is None:
        return None
    user = request.user
    reg = (
        Registration.objects.restrict(user, "view")
        .filter(member=member)
        .select_related("community")
        .order_by("-active", "-registered_on", "-pk")
        .first()
    )
    status = reg.status_on(dates.today()) if reg is not None else None
    return {
        "registration": reg,
        "status": status,
        "status_label": RegistrationStatus(status).label if status else "",
        "contact_changes": _contact_changes(member, user),
        "contact_change_url": mine_link("members:member_contact_change"),
    }


sections = [
    MineSection("record", _("My record"), "workbench/me/_record.html", _record, order=10),
    MineSection(
        "registration", _("My community registration"), "workbench/me/_registration.html", _registration, order=20
    ),  # fmt: skip
]
