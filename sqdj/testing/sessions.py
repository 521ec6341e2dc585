"""Signing in a test client (or a benchmark's) as the sign-in page leaves the session."""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice:
    """The user's confirmed TOTP device (one made if there is none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def verified_login(client, user) -> None:
    """`client` signed in as `user` with the second factor verified, as an administrator works in production (where
    the second factor is required of them): django-otp then reads the verifying device on each request."""
    device = confirmed_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
