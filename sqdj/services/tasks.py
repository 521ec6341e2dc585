"""The requests' daily job (core.tasks, run by `sqdj worker`): open requests past their escalation time (the due
time plus the rulebook's `services.escalate_after_days`) are marked escalated, once, and the subdistrict's admins
are told. Safe to run again for its day: an escalated request is not touched again.

core.tasks discovers it: an app's `tasks` module."""

from __future__ import annotations

from sqdj.core.tasks import daily_job

from . import requests as services


@daily_job("services.escalate")
def escalate_requests(day: str) -> dict:
    return {"escalated": services.escalate_due()}


__all__ = ["escalate_requests"]
