"""In-app notifications to the people who must act on something held by an org."""

from __future__ import annotations

from .models import Notification


def notify(users, text: str, url: str = "", exclude=None) -> int:
    """One unread notification per user (not to `exclude`, who is acting). Written in the caller's transaction,
    so that a rolled-back change notifies nobody."""
    ids = {u.pk for u in users} - {getattr(exclude, "pk", None)}
    if not ids:
        return 0
    Notification.objects.bulk_create([Notification(user_id=pk, text=text[:300], url=url) for pk in sorted(ids)])
    return len(ids)
