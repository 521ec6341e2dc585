"""Deployment checks of sqdj's own (run by `check --deploy` with Django's; security.md R40)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

PROCESS_LOCAL_CACHES = frozenset(
    {"django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache"}
)


@register(Tags.security, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """The rate limits (security.md R34) count in the cache: one per process would multiply them by the workers."""
    if settings.CACHES["default"]["BACKEND"] in PROCESS_LOCAL_CACHES:
        return [
            Warning(
                "The default cache is private to each process: rate limits would count per gunicorn worker.",
                hint="Leave SQDJ_CACHE_URL unset (files in SQDJ_DATA_DIR) or point it at a shared cache.",
                id="sqdj.W001",
            )
        ]
    return []
