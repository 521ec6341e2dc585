"""Sign-in throttling (security.md R2): django-axes with two limits instead of one.

Axes counts failures per lockout parameter and compares the largest count with one limit. We record attempts by
username and by address (`AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]`) but judge them separately: 5
failures for one username lock that username (from every address), 20 failures from one address lock that address
(for every username) — a password spray over many usernames stays below the per-username limit but not below the
per-address one, while an office behind one NAT is not locked out by one person's typos.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a reverse proxy the header that proxy sets
    (`SQDJ_PROXY_CLIENT_IP_HEADER`, e.g. `HTTP_X_FORWARDED_FOR`). Only the right-most entry is taken — the address
    our proxy saw; anything left of it came from the client and can be forged."""
    header = settings.SQDJ_PROXY_CLIENT_IP_HEADER
    if header:
        value = request.META.get(header, "")
        if value:
            return value.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a separate, higher limit for the address."""

    def _recent(self, request, **lookup):
        attempts = AccessAttempt.objects.filter(**lookup)
        if settings.AXES_COOLOFF_TIME is None:
            return attempts
        return attempts.filter(attempt_time__gte=get_cool_off_threshold(request))

    def get_failures(self, request, credentials=None) -> int:
        """The username's failures; the failure limit itself once the address has reached its own limit."""
        username = get_client_username(request, credentials)
        by_user = _failures(self._recent(request, username=username)) if username is not None else 0
        by_address = _failures(self._recent(request, ip_address=request.axes_ip_address))
        if by_address >= settings.SQDJ_LOGIN_IP_FAILURE_LIMIT:
            return max(by_user, settings.AXES_FAILURE_LIMIT)
        return by_user

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful sign-in clears that username's failures only: not the address's failures for other
        usernames (axes would clear everything matching either parameter, so one good sign-in from an address
        would wipe out a spray's count there)."""
        username = get_client_username(request, credentials)
        if username is None:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


# ---- the lockout as the sign-in page and the user administration see it (security.md R2) ----


def _counting():
    """The attempts that still count: those within the cool-off time (all of them without one)."""
    attempts = AccessAttempt.objects.all()
    if settings.AXES_COOLOFF_TIME is None:
        return attempts
    return attempts.filter(attempt_time__gte=timezone.now() - get_cool_off())


def failures_of(username: str) -> int:
    """The username's failed sign-ins that still count (within the cool-off time)."""
    return _failures(_counting().filter(username=username)) if username else 0


def tries_left(username: str) -> int:
    """How many more failures the username may have before it is locked (0: locked)."""
    return max(0, settings.AXES_FAILURE_LIMIT - failures_of(username))


def is_locked(username: str) -> bool:
    return tries_left(username) == 0


def locked_usernames(usernames) -> set[str]:
    """Which of `usernames` are locked now, in one query (the user list)."""
    rows = (
        _counting()
        .filter(username__in=list(usernames))
        .order_by()
        .values("username")
        .annotate(n=Sum("failures_since_start"))
    )
    return {r["username"] for r in rows if r["n"] >= settings.AXES_FAILURE_LIMIT}


def cooloff_minutes() -> int | None:
    """The lock's length in minutes (None: until an administrator unlocks it)."""
    cool_off = get_cool_off()
    return None if cool_off is None else max(1, round(cool_off.total_seconds() / 60))


def clear_username(username: str) -> int:
    """Delete the username's recorded failures (the lock goes with them); the address counts of other usernames
    stay. Returns the rows deleted."""
    count, _ = AccessAttempt.objects.filter(username=username).delete()
    return count
