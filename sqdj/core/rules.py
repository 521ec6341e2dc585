"""The rulebook's parameters: every regulatory figure (thresholds, terms, deadlines) is a row with its source
and effective dates, never a literal in code (rules.md). `param(rule_id, on=date)` reads the version in force.

The seed rows live in `rulebook_seed.json` (the project's own copy of rules.md's figures) and are loaded by a
data migration; a district may add a local variant as a new row with its own dates.
"""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

SEED_FILE = Path(__file__).with_name("rulebook_seed.json")
CACHE_SECONDS = 60  # other processes see a changed parameter within a minute; this one at once
_cache: dict[str, tuple[float, list]] = {}


def seed_rows() -> list[dict]:
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def clear_cache(**kwargs) -> None:
    _cache.clear()


def _versions(rule_id: str) -> list:
    hit = _cache.get(rule_id)
    if hit is None or time.monotonic() - hit[0] > CACHE_SECONDS:
        from .models import RuleParameter

        rows = list(RuleParameter.objects.filter(rule_id=rule_id).order_by("-local", "-effective_from"))
        hit = _cache[rule_id] = (time.monotonic(), rows)
    return hit[1]


_MISSING = object()


def param(rule_id: str, on: datetime.date | None = None, default=_MISSING):
    """The value of `rule_id` in force on `on` (default today); a local variant wins over the national row.

    With no version in force (e.g. a date before the earliest encoded regulation) `default` is returned when
    given — a check should then not judge that record — and otherwise it is a configuration error."""
    on = on or datetime.date.today()
    for row in _versions(rule_id):
        if row.effective_from <= on and (row.effective_to is None or on <= row.effective_to):
            return row.value
    if default is not _MISSING:
        return default
    raise ImproperlyConfigured(f"rulebook parameter {rule_id!r} has no version in force on {on}")
