"""In-app notifications to the people who must act on something held by an org."""

from __future__ import annotations

from django.db.models import Q


def staff_of(org, action: str = "change"):
    """Active users whose role assignments let them `action` on `org` (held on it, or above it with descendants)."""
    from sqdj.accounts.models import RoleAssignment, User
    from sqdj.accounts.roles import ROLE_ACTIONS

    roles = [role for role, actions in ROLE_ACTIONS.items() if action in actions]
    ancestors = [org.path[:i] for i in range(org.steplen, len(org.path), org.steplen)]
    held = RoleAssignment.objects.filter(role__in=roles).filter(
        Q(org=org) | Q(descendants=True, org__path__in=ancestors)
    )
    return User.objects.filter(is_active=True, pk__in=held.values("user_id"))


def notify(users, text: str, url: str = "", exclude=None) -> int:
    """One unread notification per user (not to `exclude`, who is acting). Written in the caller's transaction,
    so that a rolled-back change notifies nobody."""
    from .models import Notification

    ids = {u.pk for u in users} - {getattr(exclude, "pk", None)}
    if not ids:
        return 0
    Notification.objects.bulk_create([Notification(user_id=pk, text=text[:300], url=url) for pk in sorted(ids)])
    return len(ids)


def notify_org(org, text: str, url: str = "", exclude=None) -> int:
    return notify(staff_of(org), text, url, exclude=exclude) if org is not None else 0
