"""The services app's daily jobs (core.tasks, run by `sqdj worker`):

- `services.escalate`: open requests past their escalation time (the due time plus the rulebook's
  `services.escalate_after_days`) are marked escalated, once, and the subdistrict's admins are told. Safe to run
  again for its day: an escalated request is not touched again.
- `services.anonymise_households`: closed households past the rulebook's retention
  (`services.household_retention_years`) are anonymised (households.anonymise_due). Safe to run again: an
  anonymised household is not touched again.

core.tasks discovers it: an app's `tasks` module."""

from __future__ import annotations

from sqdj.core.tasks import daily_job

from . import households
from . import requests as services


@daily_job("services.escalate")
def escalate_requests(day: str) -> dict:
    return {"escalated": services.escalate_due()}


@daily_job("services.anonymise_households")
def anonymise_households(day: str) -> dict:
    return {"anonymised": households.anonymise_due()}


__all__ = ["anonymise_households", "escalate_requests"]
