"""Test-wide setup. Settings: tests/settings.py (a throwaway data directory)."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright + live_server + ORM
