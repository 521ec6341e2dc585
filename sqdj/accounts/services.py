"""Account operations: create users, grant roles, issue tokens."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sqdj.core.context import acting_as
from sqdj.core.notify import notify
from sqdj.core.scope import roles_allowing

from .models import ApiToken, RoleAssignment, User
from .roles import Role


def _clear_scope_cache(user):
    user.__dict__.pop("_sqdj_anchor_cache", None)


@transaction.atomic
def do_create_user(
    username: str, *, acting_user=None, password: str | None = None, display_name: str = "", validate: bool = True
) -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("User %(name)s already exists.") % {"name": username})
    user = User(username=username, display_name=display_name)
    if password:
        if validate:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    with acting_as(acting_user):
        user.save()
    return user


@transaction.atomic
def do_grant_role(user: User, *, acting_user=None, role: str, org, descendants: bool = True) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    with acting_as(acting_user):
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, org=org, defaults={"descendants": descendants}
        )
        if not created and assignment.descendants != descendants:
            assignment.descendants = descendants
            assignment.save()
    _clear_scope_cache(user)
    return assignment


@transaction.atomic
def do_issue_token(user: User, *, acting_user=None) -> str:
    key = secrets.token_hex(20)
    ApiToken.objects.create(user=user, key_hash=ApiToken.hash(key), prefix=key[:8])
    return key


def staff_of(org, action: str = "change"):
    """Active users whose role assignments let them `action` on `org` (held on it, or above it with descendants)."""
    ancestors = [org.path[:i] for i in range(org.steplen, len(org.path), org.steplen)]
    held = RoleAssignment.objects.filter(role__in=roles_allowing(action)).filter(
        Q(org=org) | Q(descendants=True, org__path__in=ancestors)
    )
    return User.objects.filter(is_active=True, pk__in=held.values("user_id"))


def notify_org(org, text: str, url: str = "", exclude=None) -> int:
    """Notify whoever may act on `org` (not `exclude`, who is acting)."""
    return notify(staff_of(org), text, url, exclude=exclude) if org is not None else 0
