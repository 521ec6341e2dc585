"""The tamper-evident audit trail (security.md R8–R11): `record()` appends one `AuditEvent` to a hash chain.

Each row stores sha256(prev_hash + canonical content), so an edited or deleted row breaks the chain from there
on, which `verify()` (`sqdj audit verify`) finds. One writer at a time extends the chain, in the transaction of the
business change (no change without its audit row, no audit row for a change rolled back): on PostgreSQL a
transaction-level advisory lock, released at commit; on SQLite the transactions are IMMEDIATE and writes are
serialized anyway. On PostgreSQL a trigger also refuses UPDATE and DELETE on the table (migration core.0004);
the retention purge alone deletes, through the function `sqdj_audit_purge`, and never a row younger than the
184-day floor.

What is written: every change-log row written one at a time (core.changelog) gives one event (its type: the model's
`audit_event`, else create/update/delete, with the changed field names, never values); an import gives one event
for all its rows, with their count and a digest of its change-log rows (the per-row events are held back inside
`import_scope()`); sign-ins, sign-outs, failed sign-ins and lockouts come from the auth and axes signals below;
the services call `record()` for reveals, exports, duties and the like.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core import checks
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from .context import current
from .models import AuditEvent, ObjectChange
from .scope import _assignments as scope_assignments

Event = AuditEvent.Event
Outcome = AuditEvent.Outcome

# 网络安全法: network logs kept no less than six months; 6 calendar months span 181–184 days (security.md R11)
KEEP_DAYS_FLOOR = 184
# the advisory lock's key on PostgreSQL ("sqdjaudt" as an int64): one chain, one writer at a time
LOCK_KEY = 0x73716A6461756474

_held_back: ContextVar[bool] = ContextVar("sqdj_audit_held_back", default=False)


# ---- the chain ----------------------------------------------------------------------------------------------------

HASHED = ("time", "user_id", "username", "roles", "remote_addr", "request_id", "event", "object_type",
          "object_id", "org_path", "outcome", "detail")  # fmt: skip


def _ip(value) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(str(value).split("/")[0]))
    except ValueError:
        return None


def canonical(values: dict[str, Any]) -> str:
    """The row's content as hashed: one JSON array, in the same form whatever the database gave back."""
    time = values["time"].astimezone(datetime.UTC).isoformat(timespec="microseconds")
    request_id = values["request_id"]
    row = [
        time,
        values["user_id"],
        values["username"] or "",
        values["roles"] or "",
        _ip(values["remote_addr"]),
        str(request_id) if request_id else None,
        values["event"],
        values["object_type"] or "",
        str(values["object_id"] or ""),
        values["org_path"] or "",
        values["outcome"],
        values["detail"] or {},
    ]
    return json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, values: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(values)).encode()).hexdigest()


def _lock() -> None:
    """Be the only writer of the chain until the current transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _head() -> str:
    return AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""


def roles_summary(user) -> str:
    """The user's duty, or their roles (role@org code), or "superuser": who they acted as."""
    if user is None or not getattr(user, "pk", None):
        return ""
    duty = getattr(user, "duty", "")
    if duty:
        return f"duty:{duty}"
    parts = ["superuser"] if getattr(user, "is_superuser", False) else []
    if hasattr(user, "role_assignments"):
        # read through the scope gate's per-user cache: once per user object, not once per audited write
        parts += [f"{a.role}@{a.org.code}" for a in scope_assignments(user)]
    return ",".join(parts)[:200]


def record(
    event: str,
    *,
    user: Any = "context",
    username: str | None = None,
    outcome: str = Outcome.OK,
    object_type: str = "",
    object_id: Any = "",
    org_path: str = "",
    detail: dict | None = None,
    remote_addr: str | None = None,
    time: datetime.datetime | None = None,
) -> AuditEvent:
    """Append one event. The user, address and request id default to the current change context (the request,
    `acting_as`); `detail` is short and holds no personal numbers (R9)."""
    ctx = current()
    if user == "context":
        user = ctx.user if ctx else None
    if user is not None and not getattr(user, "is_authenticated", True):
        user = None  # AnonymousUser
    values = {
        "time": time or timezone.now(),
        "user_id": getattr(user, "pk", None),
        "username": (username if username is not None else getattr(user, "username", "")) or "",
        "roles": roles_summary(user),
        "remote_addr": _ip(remote_addr or (ctx.remote_addr if ctx else None)),
        "request_id": ctx.request_id if ctx else None,
        "event": str(event),
        "object_type": object_type,
        "object_id": str(object_id or "")[:64],
        "org_path": org_path or "",
        "outcome": str(outcome),
        "detail": detail or {},
    }
    with transaction.atomic():
        _lock()
        prev = _head()
        return AuditEvent.objects.create(**values, prev_hash=prev, hash=chain_hash(prev, values))


def detail_text(detail: dict | None) -> str:
    """The detail as shown to the auditor (one line of JSON)."""
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


# ---- the change log's events ------------------------------------------------------------------------------------


def org_path_of(instance) -> str:
    """The org scope of a changed object, when known without a query (a tree node, or its org already loaded)."""
    name = getattr(type(instance), "scope_org_field", None)
    if name is None:
        return ""
    if name == "":
        return getattr(instance, "path", "") or ""
    obj = instance
    for part in name.split("__"):
        try:
            field = obj._meta.get_field(part)
        except Exception:  # a scope path through a reverse relation: leave it out
            return ""
        if not field.is_relation or not field.is_cached(obj):
            return ""
        obj = getattr(obj, part)
        if obj is None:
            return ""
    return getattr(obj, "path", "") or ""


def record_change(instance, change: ObjectChange) -> AuditEvent | None:
    """The event of one change-log row (none inside an import: the import's one event covers its rows)."""
    if _held_back.get():
        return None
    before, after = change.prechange_data or {}, change.postchange_data or {}
    fields = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    event = getattr(type(instance), "audit_event", "") or change.action
    return record(
        event,
        object_type=instance._meta.label_lower,
        object_id=instance.pk,
        org_path=org_path_of(instance),
        detail={"action": change.action, "fields": fields, "change": change.pk},
    )


@contextmanager
def import_scope() -> Iterator[None]:
    """Inside: no event per change-log row (an import writes one event for all its rows, `record_import`)."""
    token = _held_back.set(True)
    try:
        yield
    finally:
        _held_back.reset(token)


def last_change_id() -> int:
    return ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def change_digest(after_pk: int) -> tuple[int, str, int | None, int | None]:
    """(count, sha256, first id, last id) of the change-log rows after `after_pk` written by this request/job
    (the import's own rows: its request id, when it has one). The same function re-reads them later."""
    ctx = current()
    qs = ObjectChange.objects.filter(pk__gt=after_pk)
    if ctx is not None and ctx.request_id:
        qs = qs.filter(request_id=ctx.request_id)
    digest = hashlib.sha256()
    count, first, last = 0, None, None
    # the JSON columns as the database's text, not decoded: a 100,000-row import is hashed in a second or two
    rows = (
        qs.order_by("pk")
        .annotate(pre=Cast("prechange_data", TextField()), post=Cast("postchange_data", TextField()))
        .values_list("pk", "action", "content_type_id", "object_id", "pre", "post")
    )
    for row in rows.iterator(chunk_size=2000):
        digest.update("\x1f".join(map(str, row)).encode())
        digest.update(b"\n")
        count += 1
        first = row[0] if first is None else first
        last = row[0]
    return count, digest.hexdigest(), first, last


def record_import(kind: str, *, after_pk: int, created: int, updated: int, unchanged: int) -> AuditEvent:
    count, digest, first, last = change_digest(after_pk)
    return record(
        Event.IMPORT,
        object_type=kind,
        detail={
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "changes": count,
            "changes_sha256": digest,
            "first_change": first,
            "last_change": last,
        },
    )


# ---- verification -------------------------------------------------------------------------------------------------


def _last_purge() -> dict | None:
    row = AuditEvent.objects.filter(event=Event.AUDIT_PURGE).order_by("-id").values("id", "detail").first()
    return row["detail"] if row else None


def verify() -> dict:
    """Walk the chain from its oldest row: {"ok": True, "rows", "head"} or, at the first broken link,
    {"ok": False, "id", "time", "problem"} ("edited": the row's content does not give its hash; "missing": the
    row does not follow the one before it — rows were deleted or inserted there)."""
    purge = _last_purge()
    prev = (purge or {}).get("through_hash", "")
    count = 0
    qs = AuditEvent.objects.order_by("id").values("id", "prev_hash", "hash", *HASHED)
    for row in qs.iterator(chunk_size=2000):
        if row["prev_hash"] != prev:
            return _broken(row, "missing", count)
        if chain_hash(prev, row) != row["hash"]:
            return _broken(row, "edited", count)
        prev = row["hash"]
        count += 1
    return {"ok": True, "rows": count, "head": prev, "purged_through": (purge or {}).get("through_id")}


def _broken(row: dict, problem: str, count: int) -> dict:
    return {
        "ok": False,
        "id": row["id"],
        "time": row["time"].astimezone(datetime.UTC).isoformat(),
        "problem": problem,
        "rows_ok": count,
    }


# ---- retention ----------------------------------------------------------------------------------------------------


def keep_days() -> int:
    """Days the audit trail is kept: SQDJ_AUDIT_KEEP_DAYS, never below the 184-day floor."""
    return max(KEEP_DAYS_FLOOR, int(getattr(settings, "SQDJ_AUDIT_KEEP_DAYS", KEEP_DAYS_FLOOR)))


@checks.register(checks.Tags.security)
def check_keep_days(app_configs=None, **kwargs):
    configured = int(getattr(settings, "SQDJ_AUDIT_KEEP_DAYS", KEEP_DAYS_FLOOR))
    if configured < KEEP_DAYS_FLOOR:
        return [
            checks.Warning(
                f"SQDJ_AUDIT_KEEP_DAYS={configured} is below the legal floor: the audit trail is kept "
                f"{KEEP_DAYS_FLOOR} days.",
                id="sqdj.audit.W001",
            )
        ]
    return []


def purge(now: datetime.datetime | None = None) -> dict:
    """Delete the events older than `keep_days()` (never the newest one), then append an `audit_purge` event
    naming the last deleted row and its hash: `verify()` starts the chain from there."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days())
    with transaction.atomic():
        _lock()
        head_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
        last = (
            AuditEvent.objects.filter(time__lt=cutoff, id__lt=head_id or 0).order_by("-id").values("id", "hash").first()
        )
        if last is None:
            return {"deleted": 0, "keep_days": keep_days()}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT sqdj_audit_purge(%s)", [last["id"]])
                deleted = cursor.fetchone()[0]
        else:
            deleted = AuditEvent.objects.filter(id__lte=last["id"])._raw_delete(connection.alias)
        detail = {
            "deleted": deleted,
            "through_id": last["id"],
            "through_hash": last["hash"],
            "cutoff": cutoff.astimezone(datetime.UTC).isoformat(),
            "keep_days": keep_days(),
        }
        record(Event.AUDIT_PURGE, user=None, detail=detail)
    return {"deleted": deleted, "keep_days": keep_days(), "through_id": last["id"]}


# ---- sign-in events -----------------------------------------------------------------------------------------------


def _addr(request) -> str | None:
    ctx = current()
    if ctx is not None and ctx.remote_addr:
        return ctx.remote_addr
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in, dispatch_uid="sqdj.audit.login")
def _logged_in(sender, request, user, **kwargs):
    record(Event.LOGIN, user=user, remote_addr=_addr(request))


@receiver(user_logged_out, dispatch_uid="sqdj.audit.logout")
def _logged_out(sender, request, user, **kwargs):
    record(Event.LOGOUT, user=user, remote_addr=_addr(request))


@receiver(user_login_failed, dispatch_uid="sqdj.audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    name = str((credentials or {}).get("username", ""))[:150]
    record(Event.LOGIN_FAILED, user=None, username=name, outcome=Outcome.FAILED, remote_addr=_addr(request))


@receiver(user_locked_out, dispatch_uid="sqdj.audit.lockout")
def _locked_out(sender, request, username, ip_address, **kwargs):
    record(
        Event.LOCKOUT, user=None, username=str(username or "")[:150], outcome=Outcome.REFUSED, remote_addr=ip_address
    )


# ---- account events (the user model, whichever path saved it) ---------------------------------------------------


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="sqdj.audit.user_saved")
def _user_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    ctx = current()
    actor = ctx.user if ctx else None
    target = {"object_type": instance._meta.label_lower, "object_id": instance.pk}
    if created:
        record(Event.ACCOUNT_CREATED, detail={"username": instance.username}, **target)
    elif getattr(instance, "_password", None) is not None:  # set_password() and saved: Django clears it after this
        by_self = actor is not None and getattr(actor, "pk", None) == instance.pk
        record(Event.PASSWORD_CHANGED if by_self else Event.PASSWORD_RESET, **target)
