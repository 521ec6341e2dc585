"""Other processes (a worker, a second writer, `sqdj` on the command line) on the test's own database."""

from __future__ import annotations

import os
import urllib.parse

from django.conf import settings
from django.db import connection


def database_url() -> str:
    """DATABASE_URL of the database this test runs on (the test database, not the configured one)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    q = urllib.parse.quote
    return f"postgres://{q(s['USER'] or '')}:{q(s['PASSWORD'] or '')}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def process_env(**extra: str) -> dict:
    """sqdj's own settings on this test's database and data directory (committed data: `transactional_db`)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sqdj.settings",
        "SQDJ_DATA_DIR": str(settings.DATA_DIR),
        "DATABASE_URL": database_url(),
        **extra,
    }
