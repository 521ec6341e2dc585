"""Account operations: create users, grant roles, issue tokens."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

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
from sqdj.core.scope import assignments as scope_assignments
from sqdj.core.scope import org_tree, roles_allowing

from . import lockout
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
    Duty.SYSTEM_ADMIN: frozenset({"create_user", "disable_user", "set_password", "unlock"}),
    # R2: the security administrator may unlock a locked-out account
    Duty.SECURITY_ADMIN: frozenset({"grant_role", "set_duty", "unlock"}),
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


# ---- user administration (the pages under /users/ and `sqdj user`; security.md R5, R7, R8) ----
# Who administers users: a superuser and the system and security administrators for the whole deployment, each duty
# for its own operations (DUTY_OPERATIONS); a holder of one of USER_ADMIN_ROLES within the subtree of that role's
# org. A scoped administrator sees the users holding a role in their subtree, grants roles there no higher than
# their own, and resets or unlocks only users all of whose roles lie there (never a duty holder or a superuser).

USER_ADMIN_ROLES: tuple[str, ...] = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
# higher first: a scoped administrator grants nothing above the role they hold on the org's subtree
ROLE_RANK: tuple[str, ...] = (
    Role.CITY_ADMIN,
    Role.DISTRICT_ADMIN,
    Role.SUBDISTRICT_ADMIN,
    Role.COMMUNITY_ADMIN,
    Role.BRANCH_ADMIN,
    Role.VIEWER,
    Role.MEMBER,
    Role.UNIT_CONTACT,
)
TEMPORARY_PASSWORD_LENGTH = 16
_TEMPORARY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"  # no 0/O, 1/l/I to misread
_TEMPORARY_SYMBOLS = "-_#+"


class NotYours(Exception):
    """The user or org is not within the acting administrator's reach: the pages answer 404 (no existence leak)."""


def deployment_wide(acting_user) -> bool:
    """A superuser without a duty, or the system or security administrator: administers every account."""
    if acting_user is None or not acting_user.is_active:
        return False
    if acting_user.duty:
        return acting_user.duty in (Duty.SYSTEM_ADMIN, Duty.SECURITY_ADMIN)
    return acting_user.is_superuser


def admin_anchors(acting_user) -> list[tuple[object, bool, str]]:
    """(org, descendants, role) of the acting user's user-administration roles."""
    if acting_user is None or acting_user.duty or not acting_user.is_active:
        return []
    # the scope gate's per-user cache of the assignments: no query per page for the menu
    return [(a.org, a.descendants, a.role) for a in scope_assignments(acting_user) if a.role in USER_ADMIN_ROLES]


def administers_users(acting_user) -> bool:
    return deployment_wide(acting_user) or bool(admin_anchors(acting_user))


def may_do(acting_user, operation: str) -> bool:
    """Whether the acting user's duty (if any) includes `operation` (the pages show only what may be done)."""
    try:
        check_duty_may(acting_user, operation)
    except PermissionDenied:
        return False
    return True


def _in(org, anchor, descendants: bool) -> bool:
    return org.path.startswith(anchor.path) if descendants else org.pk == anchor.pk


def _org_q(anchors, prefix: str = "") -> Q:
    q = Q(pk__in=[])
    for org, descendants, _role in anchors:
        q |= Q(**{f"{prefix}org__path__startswith": org.path}) if descendants else Q(**{f"{prefix}org": org})
    return q


def manageable_users(acting_user):
    """The users the acting user administers: everyone for a deployment-wide administrator; for a scoped one the
    users holding a role in their subtree, never a superuser or a duty holder."""
    users = User.objects.all()
    if deployment_wide(acting_user):
        return users
    anchors = admin_anchors(acting_user)
    if not anchors:
        return users.none()
    held = RoleAssignment.objects.filter(_org_q(anchors)).values("user_id")
    return users.filter(pk__in=held, is_superuser=False, duty="")


def assignments_in_reach(acting_user, user):
    """The target user's (or users', a list) role assignments the acting user may see and revoke."""
    users = user if isinstance(user, list | tuple) else [user]
    qs = RoleAssignment.objects.filter(user__in=users).select_related("org")
    if deployment_wide(acting_user):
        return qs
    return qs.filter(_org_q(admin_anchors(acting_user)))


def get_manageable_user(acting_user, pk) -> User:
    user = manageable_users(acting_user).filter(pk=pk).first()
    if user is None:
        raise NotYours
    return user


def wholly_in_reach(acting_user, user) -> bool:
    """Whether the account as a whole is the acting user's to reset or unlock: a deployment-wide administrator's
    (a duty holder's or superuser's account only for a superuser: one 三员 does not take over another's), a scoped
    administrator's when every role of the user lies in their subtree."""
    if deployment_wide(acting_user):
        if not acting_user.duty:  # a superuser
            return True
        return not (user.is_superuser or user.duty)
    if user.pk == acting_user.pk or user.is_superuser or user.duty:
        return False
    held = list(user.role_assignments.select_related("org"))
    # every role in their subtree and none above their own: a city administrator is not a district one's to reset
    return bool(held) and all(a.role in grantable_roles(acting_user, a.org) for a in held)


def _check_account_op(acting_user, user, operation: str) -> None:
    check_duty_may(acting_user, operation)
    if not manageable_users(acting_user).filter(pk=user.pk).exists():
        raise NotYours
    if not wholly_in_reach(acting_user, user):
        raise PermissionDenied(
            _("%(name)s also holds roles outside your scope, or is an administrator: ask the system administrator.")
            % {"name": user}
        )


def grantable_roles(acting_user, org) -> list[str]:
    """The roles the acting user may grant on `org` ([] when the org is outside their reach)."""
    if deployment_wide(acting_user):
        return list(ROLE_RANK) if may_do(acting_user, "grant_role") else []
    best = None
    for anchor, descendants, role in admin_anchors(acting_user):
        if _in(org, anchor, descendants):
            rank = ROLE_RANK.index(role)
            best = rank if best is None else min(best, rank)
    return [] if best is None else list(ROLE_RANK[best:])


def role_choices(acting_user) -> list[str]:
    """The roles the acting user may grant somewhere (the form's choices; the org decides the rest)."""
    if deployment_wide(acting_user):
        return list(ROLE_RANK) if may_do(acting_user, "grant_role") else []
    ranks = [ROLE_RANK.index(role) for _org, _d, role in admin_anchors(acting_user)]
    return list(ROLE_RANK[min(ranks) :]) if ranks else []


def admin_orgs(acting_user):
    """The orgs on which the acting user may grant roles (a queryset of the org tree), for the form's picker."""
    from_tree = org_tree().objects.all()
    if deployment_wide(acting_user):
        return from_tree
    q = Q(pk__in=[])
    for org, descendants, _role in admin_anchors(acting_user):
        node: Any = org  # an org of the tree (accounts cannot name the orgs app: org_tree())
        q |= Q(path__startswith=node.path) if descendants else Q(pk=node.pk)
    return from_tree.filter(q)


def _check_grant(acting_user, org, role: str, descendants: bool) -> None:
    if acting_user is None:
        return
    if not admin_orgs(acting_user).filter(pk=org.pk).exists():
        raise NotYours
    if role not in grantable_roles(acting_user, org):
        raise PermissionDenied(_("You may not grant a role above your own."))
    if descendants and not deployment_wide(acting_user):
        # a role held on the org only does not reach below it: neither may the grant
        if not any(d and _in(org, a, d) for a, d, _r in admin_anchors(acting_user)):
            raise PermissionDenied(_("You may not grant a role above your own."))


@transaction.atomic
def do_admin_grant(user: User, *, acting_user, role: str, org, descendants: bool = True) -> RoleAssignment:
    """Grant from the user administration: within the acting user's reach, nothing above their own role."""
    if not deployment_wide(acting_user) and (user.is_superuser or user.duty):
        raise NotYours
    _check_grant(acting_user, org, role, descendants)
    return do_grant_role(user, acting_user=acting_user, role=role, org=org, descendants=descendants)


@transaction.atomic
def do_revoke_role(assignment: RoleAssignment, *, acting_user) -> None:
    """Remove one role assignment (the change log's `role` event records it)."""
    check_duty_may(acting_user, "grant_role")
    if acting_user is not None:
        if not assignments_in_reach(acting_user, assignment.user).filter(pk=assignment.pk).exists():
            raise NotYours
        if assignment.user_id == acting_user.pk:
            raise PermissionDenied(_("You cannot revoke your own role: ask another administrator."))
        if assignment.role not in grantable_roles(acting_user, assignment.org):
            raise PermissionDenied(_("You may not revoke a role above your own."))
    user = assignment.user
    with acting_as(acting_user):
        assignment.delete()
    _clear_scope_cache(user)


@transaction.atomic
def do_admin_create_user(
    username: str, *, acting_user, display_name: str = "", role: str = "", org=None, descendants: bool = True
) -> tuple[User, str]:
    """A new account with a temporary password (returned once: shown on the page, never stored in clear), to be
    changed at the first sign-in. A scoped administrator must grant a role at once (else the account would be
    out of their reach the moment it exists); the system administrator creates it without one (the security
    administrator grants)."""
    if not deployment_wide(acting_user) and not (role and org is not None):
        raise ValidationError(_("Choose a role and an organization for the new user."))
    if role and org is not None:
        check_duty_may(acting_user, "grant_role")  # 三员: the system administrator creates, the security one grants
        _check_grant(acting_user, org, role, descendants)
    password = temporary_password()
    user = do_create_user(
        username, acting_user=acting_user, password=password, display_name=display_name, must_change_password=True
    )
    if role and org is not None:
        do_grant_role(user, acting_user=acting_user, role=role, org=org, descendants=descendants)
    return user, password


def temporary_password() -> str:
    """A random password meeting the policy (length, four character classes), shown once to the administrator."""
    while True:
        body = "".join(secrets.choice(_TEMPORARY_ALPHABET) for _i in range(TEMPORARY_PASSWORD_LENGTH - 2))
        password = body + secrets.choice(_TEMPORARY_SYMBOLS) + secrets.choice("23456789")
        if any(c.islower() for c in password) and any(c.isupper() for c in password):
            return password


@transaction.atomic
def do_reset_password(user: User, *, acting_user) -> str:
    """A new temporary password for `user`, returned once; the user must change it at the next sign-in, and their
    sessions end (the auth hash changes). The password_reset event comes from the user's save (core.audit)."""
    _check_account_op(acting_user, user, "set_password")
    password = temporary_password()
    do_set_password(user, password, acting_user=acting_user, validate=False)  # random and policy-shaped
    return password


@transaction.atomic
def do_unlock(user_or_name, *, acting_user=None) -> int:
    """Lift a sign-in lockout of a username (django-axes' records of its failures) and record an `unlock` event
    (also when nothing was locked: the administrator's action is what is audited). Returns the records removed."""
    user = user_or_name if isinstance(user_or_name, User) else User.objects.filter(username=user_or_name).first()
    username = user.username if user is not None else str(user_or_name)
    if acting_user is not None:
        if user is None:
            raise NotYours
        _check_account_op(acting_user, user, "unlock")
    was_locked = lockout.is_locked(username)
    removed = lockout.clear_username(username)
    with acting_as(acting_user):
        audit.record(
            audit.Event.UNLOCK,
            object_type=User._meta.label_lower,
            object_id=user.pk if user is not None else "",
            detail={"username": username, "was_locked": was_locked, "records": removed},
        )
    return removed


@transaction.atomic
def do_set_active(user: User, active: bool, *, acting_user=None) -> User:
    """Disable (or enable again) an account; a disabled user's sessions end at their next request (Django refuses
    an inactive user) and the `account_disabled` event is recorded."""
    if acting_user is not None:
        _check_account_op(acting_user, user, "disable_user")
    if user.is_active == active:
        return user
    user.is_active = active
    with acting_as(acting_user):
        user.save(update_fields=["is_active"])
        if not active:
            audit.record(
                audit.Event.ACCOUNT_DISABLED,
                object_type=User._meta.label_lower,
                object_id=user.pk,
                detail={"username": user.username},
            )
    return user


# ---- end of user administration ----
