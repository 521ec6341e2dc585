"""System check: a production configuration never runs without the second-factor gate (security.md R4)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=False)
def gate_on_in_production(app_configs=None, **kwargs):
    production = not settings.DEBUG and getattr(settings, "SQDJ_HTTPS", False)
    if production and not getattr(settings, "SQDJ_OTP_ENFORCED", True):
        return [
            Error(
                "SQDJ_OTP_ENFORCED is off in a production configuration (DEBUG off, SQDJ_HTTPS on).",
                hint="Only the test settings turn the second-factor gate off; remove the override.",
                id="sqdj.twofactor.E001",
            )
        ]
    return []
