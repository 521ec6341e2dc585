"""The second factor (security.md R4): TOTP devices and single-use recovery codes, on django-otp.

Who must use it is `otp_required`; `needs_verification` says whether a signed-in session must show a code first
(the middleware asks it). A user has at most one confirmed TOTP device and one set of recovery codes (a static
device); enrolling again replaces both.
"""

from __future__ import annotations

import base64
import datetime
import re
import time
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from sqdj.core import audit
from sqdj.core.models import AuditEvent
from sqdj.core.scope import assignments

RECOVERY_CODE_COUNT = 10
# The demo's accounts share this published key (docs/security.md, "Second factor"): never a real deployment's.
DEMO_SECRET = "SQDJDEMOTOTPKEYSQDJDEMOTOTPKEY22"
TOTP_NAME = "totp"
RECOVERY_NAME = "recovery"


def otp_required(user) -> bool:
    """Whether `user` must use the second factor: everyone with SQDJ_OTP_FOR_ALL; otherwise superusers, the 三员
    (a duty) and holders of a role in SQDJ_OTP_REQUIRED_ROLES (by default the city, district and subdistrict
    administrators). Anyone else may enrol voluntarily."""
    if not getattr(user, "is_authenticated", False):
        return False
    if settings.SQDJ_OTP_FOR_ALL or user.is_superuser or user.duty:
        return True
    roles = set(settings.SQDJ_OTP_REQUIRED_ROLES)
    # the assignments the scope gate reads for the same request anyway: no query of its own
    return any(a.role in roles for a in assignments(user))


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_verification(user, device: bool | None = None) -> str | None:
    """For a signed-in session not verified yet: "verify" (the user has a confirmed device, required or not),
    "setup" (required, no device yet) or None (nothing to ask). `device`: whether the user has one, if known."""
    if device if device is not None else has_device(user):
        return "verify"
    return "setup" if otp_required(user) else None


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def new_key() -> str:
    """A fresh TOTP key (hex, 20 random bytes) for an enrolment; kept in the session until confirmed, so that
    showing the enrolment page writes nothing."""
    return random_hex(20)


def pending_device(user, key: str) -> TOTPDevice:
    """The device being enrolled, not saved: what the QR code and the typed key describe."""
    return TOTPDevice(user=user, name=TOTP_NAME, key=key, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The key in base32, as authenticator apps take it."""
    return base64.b32encode(device.bin_key).decode()


def secret_groups(device: TOTPDevice) -> str:
    """The key in groups of four characters, for typing it by hand."""
    secret = secret_of(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG QR code, made here (no external service sees the key)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, title="otpauth")


def normalize_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


@dataclass
class Attempt:
    device: object | None  # the device that accepted the code
    locked_until: datetime.datetime | None = None  # too many wrong codes: no code is checked before this time


def _verify_on(model, user, token: str) -> Attempt:
    """Check `token` on the user's confirmed device of `model`, locked for update so that two requests cannot both
    use one code (a TOTP code's time step, `last_t`, and a recovery code's row are consumed in the transaction)."""
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            return Attempt(None)
        kind = "totp" if model is TOTPDevice else "recovery"
        allowed, info = device.verify_is_allowed()
        if not allowed:  # the code is not even compared while the wait runs
            detail = {"kind": kind, "throttled": True}
            audit.record(AuditEvent.Event.OTP_FAILED, user=user, outcome=AuditEvent.Outcome.REFUSED, detail=detail)
            return Attempt(None, (info or {}).get("locked_until"))
        if device.verify_token(token):
            return Attempt(device)
        audit.record(AuditEvent.Event.OTP_FAILED, user=user, outcome=AuditEvent.Outcome.FAILED, detail={"kind": kind})
    return Attempt(None)


def verify_code(user, code: str) -> Attempt:
    """A six-digit code is checked on the TOTP device, anything else as a recovery code. Wrong codes slow the
    device down (django-otp's throttling: 1, 2, 4, 8 … seconds after 1, 2, 3, 4 … failures in a row)."""
    token = normalize_code(code)
    if not token:
        return Attempt(None)
    if token.isdigit():
        return _verify_on(TOTPDevice, user, token)
    return _verify_on(StaticDevice, user, token)


@transaction.atomic
def confirm_enrolment(user, key: str, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the device on `key` with its first code: it replaces any earlier device, its first code is used up,
    and the recovery codes are made anew. Returns the device and the new recovery codes (shown once), or None when
    the code is wrong (nothing written)."""
    device = pending_device(user, key)
    token = normalize_code(code)
    if not token.isdigit():
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(token), device.tolerance):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    device.confirmed, device.last_t = True, totp.t()
    device.save()
    audit.record(AuditEvent.Event.OTP_ENROLLED, user=user, detail={"kind": "totp"})
    return device, regenerate_recovery_codes(user)


@transaction.atomic
def regenerate_recovery_codes(user) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit.record(AuditEvent.Event.OTP_ENROLLED, user=user, detail={"kind": "recovery", "count": len(codes)})
    return codes


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


@transaction.atomic
def remove_second_factor(user, *, acting_user="context", reason: str = "self") -> int:
    """Delete the user's TOTP devices and recovery codes (`reason` "self", or "reset" by an administrator); returns
    how many devices were removed. The next sign-in of a user who must use the second factor goes to enrolment."""
    count = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    StaticDevice.objects.filter(user=user).delete()
    audit.record(
        AuditEvent.Event.OTP_REMOVED,
        user=acting_user,
        object_type="accounts.user",
        object_id=user.pk,
        detail={"username": user.username, "reason": reason, "devices": count},
    )
    return count


def status(user) -> dict:
    """What `sqdj otp status` and the overview page show (no secret)."""
    device = confirmed_device(user)
    recovery = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()

    def iso(value):
        return timezone.localtime(value).isoformat(timespec="seconds") if value else None

    return {
        "user": user.username,
        "required": otp_required(user),
        "enrolled": device is not None,
        "enrolled_at": iso(device.created_at) if device else None,
        "last_used_at": iso(device.last_used_at) if device else None,
        "recovery_codes_left": recovery,
        "failures": device.throttling_failure_count if device else 0,
    }


def demo_key_hex() -> str:
    return base64.b32decode(DEMO_SECRET).hex()


@transaction.atomic
def enrol_demo_device(user) -> bool:
    """Give a demo account a confirmed device on the published DEMO_SECRET (once); True if it was created."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return False
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(user=user, name=TOTP_NAME, key=demo_key_hex(), confirmed=True)
    return True


def is_demo_device(device: TOTPDevice | None) -> bool:
    return device is not None and device.key.lower() == demo_key_hex()
