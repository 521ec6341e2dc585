"""The daily jobs: declared by the apps that own them, queued once a day by the workers.

An app declares a daily job in its own ``tasks.py`` (found by ``core.plugins``; core names no app)::

    @daily_job("transfers.expire")
    def expire_letters(day: str) -> dict:
        ...

The function becomes a django-tasks task (it is the module attribute, so the worker finds it by its path) that
takes the ISO date it runs for. Every `sqdj worker` calls `schedule_daily()` now and then; at or after
`SQDJ_DAILY_JOBS_HOUR` it queues each daily job not yet queued that day. One `DailyRun` row per (job, day) — a
unique constraint — makes "not yet queued" hold with any number of workers: the row and the task are written in one
transaction, and a second worker's row is refused. A daily job should be idempotent for its day (a retry of a
failed run must not do twice what the first run did), ideally one transaction.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

from . import audit, backup
from .models import DailyRun
from .plugins import autodiscover

log = logging.getLogger("sqdj.jobs")

_daily: dict[str, Task] = {}
_enabled: dict[str, Callable[[], bool]] = {}


def daily_job(name: str, *, enabled: Callable[[], bool] | None = None) -> Callable[[Callable], Task]:
    """Declare `func(day: str)` as the daily job `name` (e.g. "transfers.expire"); `enabled()`, if given, says
    whether it runs at all (read each time: e.g. a setting of 0 turns the daily backup off)."""

    def register(func: Callable) -> Task:
        job = func if isinstance(func, Task) else task(func)
        _daily[name] = job
        if enabled is not None:
            _enabled[name] = enabled
        return job

    return register


def daily_jobs() -> dict[str, Task]:
    """Every declared daily job that is enabled, by name (the apps' tasks modules are imported on the first call)."""
    autodiscover("tasks")
    return {name: job for name, job in sorted(_daily.items()) if _enabled.get(name, lambda: True)()}


def schedule_daily(now: datetime.datetime | None = None) -> list[str]:
    """Queue the daily jobs due and not yet queued today; returns their names (the others were queued already,
    by this worker or another one)."""
    now = timezone.localtime(now)
    if now.hour < settings.SQDJ_DAILY_JOBS_HOUR:
        return []
    day = now.date()
    queued_today = set(DailyRun.objects.filter(day=day).values_list("job", flat=True))
    queued = []
    for name, job in daily_jobs().items():
        if name in queued_today:
            continue
        try:
            with transaction.atomic():
                run = DailyRun.objects.create(job=name, day=day)
                result = job.enqueue(day.isoformat())
                DailyRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
        except IntegrityError:  # another worker queued it a moment ago
            continue
        log.info("daily job %s queued for %s", name, day)
        queued.append(name)
    return queued


# ---- core's own daily job ---------------------------------------------------------------------------------------


@daily_job("core.backup", enabled=lambda: settings.SQDJ_BACKUP_KEEP_DAYS > 0)
def daily_backup(day: str) -> dict:
    """The daily backup (core.backup): a file per day in `SQDJ_BACKUP_DIR`, those older than
    `SQDJ_BACKUP_KEEP_DAYS` days deleted. A retry on the same day replaces that day's file."""
    audit.record(audit.Event.BACKUP, user=None, detail={"daily": day})  # before: the file holds its own event
    return backup.daily_backup(datetime.date.fromisoformat(day))


# ---- the audit trail's retention (core.audit) -------------------------------------------------------------------


@daily_job("core.audit_purge")
def daily_audit_purge(day: str) -> dict:
    """Delete the audit events older than SQDJ_AUDIT_KEEP_DAYS (at least 184 days), leaving a checkpoint in the
    chain; a second run on the same day finds nothing more to delete."""
    return audit.purge()
