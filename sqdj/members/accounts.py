"""Member accounts in bulk (issue 16 item 7): from the member list, an account for each chosen member without one.

Each account: a username that says nothing about the person (`dy` and the member's record number — never the ID or
phone number, never the name), a random initial password to be changed at the first sign-in (accounts.middleware),
the self-only role `member` (it reaches the holder's own record and nothing else, so whoever may change the member
may grant it: no user-administration role is needed), and the link to the record (self_service.do_link_user). The
passwords are returned once to the caller — never stored in clear, never logged; the audit event says who and how
many.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sqdj.accounts.models import User
from sqdj.accounts.roles import Role
from sqdj.accounts.services import check_duty_may, do_create_user, do_grant_role, temporary_password
from sqdj.core import audit
from sqdj.core.services import ScopeViolation

from .models import Member
from .self_service import do_link_user

USERNAME_PREFIX = "dy"  # 党员
MAX_BATCH = 500  # one request: the slips of a branch or a community, not a city


@dataclass(frozen=True)
class NewAccount:
    member_id: int
    name: str
    org: str
    username: str
    password: str


@dataclass(frozen=True)
class AccountsResult:
    created: list[NewAccount]
    skipped: list[tuple[int, str]]  # (member pk, name): already had an account


def username_for(member: Member) -> str:
    """`dy000123` from the record number (not personal, stable); a taken name gets a suffix."""
    base = f"{USERNAME_PREFIX}{member.pk:06d}"
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


@transaction.atomic
def do_create_member_accounts(members, *, acting_user) -> AccountsResult:
    """Accounts for `members` (Members or pks) that have none; those that have one are skipped and reported. Every
    member must be one the acting user may change: one that is not, and nothing is written."""
    pks = sorted({getattr(m, "pk", m) for m in members})
    if not pks:
        raise ValidationError(_("Choose at least one member."))
    if len(pks) > MAX_BATCH:
        raise ValidationError(_("At most %(n)d members at a time.") % {"n": MAX_BATCH})
    check_duty_may(acting_user, "create_user")
    check_duty_may(acting_user, "grant_role")
    # locked (the member rows only): two administrators at once create one account per member, not two
    locked = Member.objects.select_for_update(of=("self",)).select_related("org").filter(pk__in=pks)
    rows = list(locked.order_by("org__path", "name", "pk"))
    # the operator at the shell (acting_user None) acts on any member, as do_link_user lets them
    changeable = Member.objects.all() if acting_user is None else Member.objects.restrict(acting_user, "change")
    allowed = set(changeable.filter(pk__in=pks).values_list("pk", flat=True))
    if len(rows) != len(pks) or allowed != set(pks):
        raise ScopeViolation(_("Some of the chosen members are outside your scope: no account was created."))
    created, skipped = [], []
    for member in rows:
        if member.user_id is not None:
            skipped.append((member.pk, member.name))
            continue
        password = temporary_password()
        # random and policy-shaped: the validators would only compare it with the username
        user = do_create_user(username_for(member), acting_user=acting_user, password=password,
                              display_name=member.name, validate=False, must_change_password=True)  # fmt: skip
        do_grant_role(user, acting_user=acting_user, role=Role.MEMBER, org=member.org, descendants=False)
        do_link_user(member, user, acting_user=acting_user)
        created.append(NewAccount(member.pk, member.name, member.org.name, user.username, password))
    # who and how many — never a password, never a username list (R9: the detail stays short)
    audit.record(audit.Event.ACCOUNT_CREATED, user=acting_user, object_type="members.member",
                 detail={"bulk": True, "created": len(created), "skipped": len(skipped)})  # fmt: skip
    return AccountsResult(created, skipped)
