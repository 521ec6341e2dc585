"""Account operations: create users, grant roles, issue tokens."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.core import audit
from sqdj.core.context import acting_as
from sqdj.core.notify import notify
from sqdj.core.scope import roles_allowing

from .models import ApiToken, RoleAssignment, User
from .roles import Duty, Role


def _clear_scope_cache(user):
    user.__dict__.pop("_sqdj_anchor_cache", None)


@transaction.atomic
def do_create_user(
    username: str,
    *,
    acting_user=None,
    password: str | None = None,
    display_name: str = "",
    validate: bool = True,
    must_change_password: bool = False,
) -> User:
    """`must_change_password`: the password was issued by someone else, so the user must replace it at the first
    sign-in (security.md R5)."""
    check_duty_may(acting_user, "create_user")  # 三员: of the duties, only the system administrator creates accounts
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("User %(name)s already exists.") % {"name": username})
    user = User(username=username, display_name=display_name)
    if password:
        if validate:
            validate_password(password, user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.must_change_password = must_change_password
    else:
        user.set_unusable_password()
    with acting_as(acting_user):
        user.save()
    return user


@transaction.atomic
def do_grant_role(user: User, *, acting_user=None, role: str, org, descendants: bool = True) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    check_duty_may(acting_user, "grant_role")
    if user.duty:  # 三员: a duty holder holds no role on an org (security.md R7)
        raise ValidationError(
            _("%(name)s holds the duty of %(duty)s and may hold no role on an organization.")
            % {"name": user.username, "duty": user.get_duty_display()}
        )
    with acting_as(acting_user):
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, org=org, defaults={"descendants": descendants}
        )
        if not created and assignment.descendants != descendants:
            assignment.descendants = descendants
            assignment.save()
    _clear_scope_cache(user)
    return assignment


# ---- the three separated duties, 三员 (security.md R7) ----
# What each duty may do among the account operations; a user without a duty keeps what they had (the operator at
# the shell, acting_user None, may do everything: the set-up of a deployment).
DUTY_OPERATIONS: dict[str, frozenset[str]] = {
    Duty.SYSTEM_ADMIN: frozenset({"create_user", "disable_user", "set_password"}),
    Duty.SECURITY_ADMIN: frozenset({"grant_role", "set_duty"}),
    Duty.AUDIT_ADMIN: frozenset(),
}


def check_duty_may(acting_user, operation: str) -> None:
    """Refuse `operation` to an acting duty holder whose duty does not include it; set_duty also needs a duty
    (security administrator) or a superuser."""
    if acting_user is None:
        return
    duty = getattr(acting_user, "duty", "")
    if duty:
        if operation not in DUTY_OPERATIONS.get(duty, frozenset()):
            raise PermissionDenied(_("The %(duty)s may not do this.") % {"duty": acting_user.get_duty_display()})
    elif operation == "set_duty" and not acting_user.is_superuser:
        raise PermissionDenied(_("Only the security administrator assigns administrative duties."))


@transaction.atomic
def do_set_duty(user: User, duty: str, *, acting_user=None) -> User:
    """Give `user` one of the three duties, or none (""): only the security administrator (or a superuser, or the
    operator at the shell during set-up) does; one duty at most, and never to a holder of roles on an org."""
    duty = duty or ""
    if duty and duty not in Duty.values:
        raise ValidationError(_("Unknown duty: %(duty)s") % {"duty": duty})
    check_duty_may(acting_user, "set_duty")
    before = user.duty
    if duty and before and before != duty:
        raise ValidationError(
            _("%(name)s already holds the duty of %(duty)s: a user holds one duty at most (set none first).")
            % {"name": user.username, "duty": user.get_duty_display()}
        )
    if duty and user.role_assignments.exists():
        raise ValidationError(
            _("%(name)s holds roles on organizations: a user with an administrative duty holds none.")
            % {"name": user.username}
        )
    if before != duty:
        user.duty = duty
        with acting_as(acting_user):
            user.save(update_fields=["duty"])
            audit.record(
                audit.Event.DUTY,
                object_type=user._meta.label_lower,
                object_id=user.pk,
                detail={"username": user.username, "before": before, "after": duty},
            )
        _clear_scope_cache(user)
    return user


# ---- end of the three separated duties ----


# ---- passwords and API tokens (security.md R1, R5, R35) ----


def password_expired(user) -> bool:
    """Older than SQDJ_PASSWORD_MAX_AGE_DAYS (0: never); a password of unknown age counts from the account's
    creation."""
    days = settings.SQDJ_PASSWORD_MAX_AGE_DAYS
    if not days or not user.has_usable_password():
        return False
    changed = user.password_changed_at or user.date_joined
    return changed is not None and timezone.now() - changed > datetime.timedelta(days=days)


def needs_password_change(user) -> bool:
    return user.must_change_password or password_expired(user)


@transaction.atomic
def do_set_password(user: User, password: str, *, acting_user=None, validate: bool = True) -> User:
    """Set a password. Set by someone else (an administrator's reset: `acting_user` is not the user) it must be
    changed at the next sign-in; set by the user, it clears that demand."""
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = acting_user is None or acting_user.pk != user.pk
    with acting_as(acting_user):
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    return user


def token_expiry(*, days: int | None = None, until: datetime.date | None = None) -> datetime.datetime:
    """When a token issued now stops working: at the end of `until` (local time), or after `days` (default
    SQDJ_API_TOKEN_DAYS)."""
    if until is not None:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time())
        return timezone.make_aware(end)
    days = settings.SQDJ_API_TOKEN_DAYS if days is None else days
    if days < 1:
        raise ValidationError(_("A token must be valid for at least one day."))
    return timezone.now() + datetime.timedelta(days=days)


@transaction.atomic
def do_issue_token(
    user: User, *, acting_user=None, name: str = "", days: int | None = None, until: datetime.date | None = None
) -> str:
    """A new token; the key is returned once and only its hash is stored."""
    expires_at = token_expiry(days=days, until=until)
    if expires_at <= timezone.now():
        raise ValidationError(_("The expiry date must be in the future."))
    key = secrets.token_hex(20)
    ApiToken.objects.create(
        user=user, key_hash=ApiToken.hash(key), prefix=key[:8], name=name[:50], expires_at=expires_at
    )
    return key


@transaction.atomic
def do_revoke_tokens(user: User, *, acting_user=None, prefix: str | None = None) -> int:
    """Revoke the user's live tokens, or the one whose key starts with `prefix`; the rows stay, marked revoked."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if prefix is not None:
        tokens = tokens.filter(prefix=prefix[:8])
        if not tokens.exists():
            raise ValidationError(
                _("No live token of %(name)s starts with %(prefix)s.") % {"name": user, "prefix": prefix}
            )
    return tokens.update(revoked_at=timezone.now())


def token_state(token: ApiToken, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


# ---- end of passwords and API tokens ----


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
