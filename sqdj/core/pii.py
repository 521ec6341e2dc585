"""Personal data (ID numbers, phone numbers): encrypted at rest, a keyed blind index for exact search and
uniqueness, masked in every output unless revealed with a reason.

Keys come from the environment: `SQDJ_PII_KEYS` (comma-separated Fernet keys; the first encrypts, all decrypt,
so a new key is added in front and `sqdj pii rotate` re-encrypts) and `SQDJ_PII_INDEX_KEY` (HMAC key of the
blind index). Without them (demo, development) random keys are created once in the data directory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _key_file(name: str, make) -> str:
    path = Path(settings.DATA_DIR) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


@cache
def _fernet() -> MultiFernet:
    raw = os.environ.get("SQDJ_PII_KEYS") or _key_file("pii_keys", lambda: Fernet.generate_key().decode())
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured("SQDJ_PII_KEYS must be comma-separated Fernet keys") from exc


@cache
def _index_key() -> bytes:
    raw = os.environ.get("SQDJ_PII_INDEX_KEY") or _key_file("pii_index_key", lambda: secrets.token_urlsafe(48))
    return raw.encode()


def reset_keys() -> None:
    """Forget cached keys (tests, and after a rotation changes the environment)."""
    _fernet.cache_clear()
    _index_key.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # tampered, or encrypted with a key no longer configured
        raise ValueError("personal data could not be decrypted: wrong key or tampered value") from exc


def rotate(token: str) -> str:
    return _fernet().rotate(token.encode()).decode()


def blind_index(value: str) -> str:
    """A keyed hash: equal values give equal indexes; without the key nothing can be learned from it."""
    digest = hmac.new(_index_key(), value.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().rstrip("=").lower()


def mask_id_number(value: str) -> str:
    """120101********123X: the region and the last four, as staff read them on paper forms."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


class EncryptedCharField(models.TextField):
    """Stores a Fernet token; reads back the plain value. `masker` says how the value is shown masked."""

    pii = True

    def __init__(self, *args, masker=None, **kwargs):
        self.masker = masker
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("masker", None)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def mask(self, value) -> str:
        return self.masker(value) if (self.masker and value) else ("" if not value else "*" * len(value))

    def fingerprint(self, value) -> str:
        """What the change log keeps: the masked value and a short keyed hash, so that any change shows."""
        return f"{self.mask(value)}·{blind_index(value)[:6]}" if value else ""
