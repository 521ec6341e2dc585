"""Test-wide setup. Settings: tests/settings.py (a throwaway data directory)."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright + live_server + ORM

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_rulebook_cache():
    """A rolled-back test must not leave its rulebook rows in the in-process cache."""
    from sqdj.core.rules import clear_cache

    clear_cache()
    yield
    clear_cache()
