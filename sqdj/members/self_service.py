"""The member's self service: the link between a member's record and the user account of that very person.

With the self-only role `member` (accounts.roles) the linked user sees their own record — and their own transfer
cases, outflow records and community registrations — and nothing else (core.scope: `scope_self_q`). An
administrator who may change the member sets the link; one member per user.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sqdj.core.context import acting_as
from sqdj.core.services import ScopeViolation

from .models import Member


def member_of(user) -> Member | None:
    """The member record linked to `user`, if any."""
    if user is None or not getattr(user, "pk", None):
        return None
    return Member.objects.filter(user=user).first()


@transaction.atomic
def do_link_user(member: Member, user, *, acting_user) -> Member:
    """Link `member` to `user` (None: unlink). The acting user must be allowed to change the member; a user is
    linked to one member at most."""
    if acting_user is not None and not Member.objects.restrict(acting_user, "change").filter(pk=member.pk).exists():
        raise ScopeViolation(_("You may view this but not change it."))
    if user is not None and Member.objects.filter(user=user).exclude(pk=member.pk).exists():
        raise ValidationError({"user": [_("This user account is already linked to another member.")]})
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.user_id == getattr(user, "pk", None):
        return member
    member.user = user
    with acting_as(acting_user):
        member.save(update_fields=["user", "last_updated"])
    return member
