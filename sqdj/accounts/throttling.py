"""Rate limits (security.md R34): the API per user (or per address when anonymous), exports per user.

The rates are read from the settings on every check (DRF's throttles bind `DEFAULT_THROTTLE_RATES` once at import,
so `override_settings` would not reach them). Counters live in Django's cache: with the default per-process memory
cache each server process counts for itself; a shared cache (e.g. Redis) makes the limits exact across processes.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from rest_framework import throttling

from .lockout import client_ip


class _SettingsRate:
    rate_setting = ""

    def get_rate(self):
        return getattr(settings, self.rate_setting)

    def get_ident(self, request):
        # the proxy's header only when configured (DRF would otherwise trust any X-Forwarded-For sent by the client)
        return client_ip(request)


class ApiUserRateThrottle(_SettingsRate, throttling.UserRateThrottle):
    scope = "api_user"
    rate_setting = "SQDJ_API_RATE"

    def allow_request(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return True  # ApiAnonRateThrottle's
        return super().allow_request(request, view)


class ApiAnonRateThrottle(_SettingsRate, throttling.AnonRateThrottle):
    scope = "api_anon"
    rate_setting = "SQDJ_API_ANON_RATE"


class ExportRateThrottle(_SettingsRate, throttling.UserRateThrottle):
    """Exports per user (pages and API alike), checked by `middleware.ExportThrottleMiddleware`."""

    scope = "export"
    rate_setting = "SQDJ_EXPORT_RATE"


class AddressRateThrottle(throttling.SimpleRateThrottle):
    """Tries of a public page (no account) per client address, counted in Django's cache as the API's (security.md
    R34). Pages call `allow_request(request, None)` themselves: there is no API view. The rate is read from the
    settings at every check, `rate_setting` (its `default` meanwhile)."""

    def __init__(self, scope: str, rate_setting: str, default: str | None = None):
        self.scope = scope
        self.rate_setting = rate_setting
        self.default = default
        super().__init__()

    def get_rate(self):
        return getattr(settings, self.rate_setting, self.default)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "-"}

    def allow(self, request) -> bool:
        return self.allow_request(request, cast(Any, None))  # no API view: the counter only
