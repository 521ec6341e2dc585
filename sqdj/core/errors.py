"""A busy database is not a server error: after the busy timeout (SQLite: another connection kept the write lock
longer than `SQDJ_SQLITE_TIMEOUT`; PostgreSQL: a lock timeout or a deadlock) a request answers 503 with
Retry-After and a Chinese message, never 500; a command exits 2 (`core.management.base`)."""

from __future__ import annotations

import contextlib
import sys

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from . import error_pages

# PostgreSQL: lock_not_available (lock_timeout), deadlock_detected, serialization_failure — worth another try
RETRYABLE_SQLSTATES = frozenset({"55P03", "40P01", "40001"})
RETRY_AFTER_SECONDS = 5


def is_database_busy(exc: BaseException | None) -> bool:
    """Whether `exc` (or an exception it was raised from) says the database was busy: a retry later may succeed."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OperationalError) and exc.args and isinstance(exc.args[0], str):
            if "database is locked" in exc.args[0] or "database table is locked" in exc.args[0]:
                return True
        if getattr(exc, "sqlstate", None) in RETRYABLE_SQLSTATES:  # psycopg's error, the cause of Django's
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@contextlib.contextmanager
def unless_busy(using: str = DEFAULT_DB_ALIAS):
    """For bookkeeping writes a request can do without (a token's last use): on SQLite, do not wait for the write
    lock — an import holding it would hold up every read for the whole busy timeout — and skip the write if the
    database is busy. Outside a transaction only (a transaction has the lock already, or waits for it at BEGIN)."""
    connection = connections[using]
    quick = connection.vendor == "sqlite" and not connection.in_atomic_block
    if quick:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    except OperationalError as exc:
        if not is_database_busy(exc):
            raise
    finally:
        if quick:
            wait = connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(float(wait) * 1000)}")


def busy_message() -> str:
    return _("The database is busy with another change. Please try again in a moment.")


def busy_response(request) -> HttpResponse:
    """503 with Retry-After: JSON `{"detail": …}` for the API, a short page otherwise."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": busy_message()}, status=503)
    else:
        page = (
            '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{title}</title></head>'
            "<body><h1>{title}</h1><p>{message}</p></body></html>"
        ).format(title=_("Please try again"), message=busy_message())
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, *args, **kwargs) -> HttpResponse:
    """`handler500`: called while the uncaught exception is being handled — by a view, the API or a middleware
    (the session saved on the way out) alike. A busy database answers 503; anything else is the Chinese 500 page
    (core.error_pages)."""
    if is_database_busy(sys.exc_info()[1]):
        return busy_response(request)
    return error_pages.server_error(request)
