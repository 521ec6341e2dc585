"""Personal data (ID numbers, phone numbers): encrypted at rest, a keyed blind index for exact search and
uniqueness, masked in every output unless revealed with a reason.

Keys come from the environment: `SQDJ_PII_KEYS` (comma-separated Fernet keys; the first encrypts, all decrypt,
so a new key is added in front and `sqdj pii rotate` re-encrypts) and `SQDJ_PII_INDEX_KEY` (HMAC key of the
blind index). Without them (demo, development) random keys are created once in the data directory.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from . import dates, scope


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


@cache
def _index_hmac():
    """The blind index's HMAC with the key already taken in: each value copies it (the key's padding is not hashed
    again for every value)."""
    return hmac.new(_index_key(), digestmod=hashlib.sha256)


def reset_keys() -> None:
    """Forget cached keys (tests, and after a rotation changes the environment)."""
    _fernet.cache_clear()
    _index_key.cache_clear()
    _index_hmac.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # tampered, or encrypted with a key no longer configured
        raise ValueError("personal data could not be decrypted: wrong key or tampered value") from exc


def rotate(token: str) -> str:
    return _fernet().rotate(token.encode()).decode()


# base32 (RFC 4648, lower case) ten bits at a time: the 32-byte digest as 52 characters, as
# `base64.b32encode(digest).decode().rstrip("=").lower()` spells it (the stored indexes must not change), faster
# (with the HMAC's key taken in once: 7.7 → 4.6 µs a value); an import computes several indexes per member
_B32_PAIRS = [a + b for a in "abcdefghijklmnopqrstuvwxyz234567" for b in "abcdefghijklmnopqrstuvwxyz234567"]
_B32_SHIFTS = range(250, -1, -10)  # 256 bits and 4 of padding: 26 pairs


# {value: index} while `indexes_remembered()` is open (a bulk write: each number is hashed once, not for the key
# lookup, the stored index and the change log's fingerprint each); None otherwise
_remembered: ContextVar[dict[str, str] | None] = ContextVar("pii_remembered_indexes", default=None)
REMEMBER_AT_MOST = 20_000  # values; forgotten all at once when full


@contextmanager
def indexes_remembered() -> Iterator[None]:
    """Within the block, `blind_index` computes each value's index once (the values are forgotten at its end)."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def blind_index(value: str) -> str:
    """A keyed hash: equal values give equal indexes; without the key nothing can be learned from it."""
    remembered = _remembered.get()
    if remembered is not None:
        index = remembered.get(value)
        if index is not None:
            return index
    h = _index_hmac().copy()
    h.update(value.encode())
    n = int.from_bytes(h.digest(), "big") << 4
    index = "".join([_B32_PAIRS[(n >> shift) & 1023] for shift in _B32_SHIFTS])
    if remembered is not None:
        if len(remembered) >= REMEMBER_AT_MOST:
            remembered.clear()
        remembered[value] = index
    return index


# ---------------------------------------------------------------------------------------------------------------
# The disclosure policy (docs/security.md, "打码策略"): the one place that decides what of a person's ID number,
# phone number and birth date a user sees. A user who may not reveal a record (the `reveal` action of the scope
# gate, per record) must not be able to narrow its ID number or phone number to fewer than 10,000 candidates from
# everything shown together. So:
#   - the ID number shows its first 2 digits (the province) and nothing else, to everyone: no last digits (they are
#     the sequence number and the check digit);
#   - the phone number shows its first 3 and its last 2 characters, hiding at least 6 digits;
#   - the birth date (and any other field a model lists in `pii_reveal_only`) is shown only to users who may reveal
#     the record; others see the age in whole years today (never the year, the month or the day: an age at another
#     date or a birth year beside it would cut the year of possible birth dates);
#   - the change log keeps the masked value and a short keyed hash of a personal number, and shows a reveal-only
#     field as MASKED_DATE to users who may not reveal the record.
# With the age only (365 possible days) the sex (500 sequence numbers of its parity) and any region code of the
# deployment, an ID number keeps ≥ 365 × 500 = 182,500 candidates; a mobile number keeps 10⁶.
# ---------------------------------------------------------------------------------------------------------------

ID_SHOWN_PREFIX = 2  # digits of an ID number shown masked: the province (the deployment's own, mostly)
PHONE_SHOWN_PREFIX, PHONE_SHOWN_SUFFIX = 3, 2  # characters of a phone number shown masked (a carrier prefix, 2)
PHONE_MIN_HIDDEN = 6  # a phone number shorter than prefix + suffix + this is all stars
MASKED_DATE = "****-**-**"  # a reveal-only date shown to a user who may not reveal the record


def mask_id_number(value: str) -> str:
    """12****************: the province only (no region, no birth date, no sequence number, no check digit)."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:ID_SHOWN_PREFIX] + "*" * (len(value) - ID_SHOWN_PREFIX)


def mask_phone(value: str) -> str:
    """138******78: the carrier prefix and the last two (a landline: 022*******78)."""
    if not value:
        return ""
    if len(value) < PHONE_SHOWN_PREFIX + PHONE_SHOWN_SUFFIX + PHONE_MIN_HIDDEN:
        return "*" * len(value)
    hidden = len(value) - PHONE_SHOWN_PREFIX - PHONE_SHOWN_SUFFIX
    return value[:PHONE_SHOWN_PREFIX] + "*" * hidden + value[-PHONE_SHOWN_SUFFIX:]


def mask_name(value: str) -> str:
    """张*, 欧阳**: the first character only (a resident's name in a list; the family name, mostly)."""
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


# what a public text must not hold: a mainland ID number (18, or the old 15, digits), a mobile number, a landline
# with its area code — digits possibly split by spaces, dashes or dots, full-width digits folded first
_SEP = r"[\s\-.]?"
_PERSONAL_NUMBERS = re.compile(
    r"(?<![0-9])(?:"
    r"[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"  # ID number, 18
    r"|[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"  # ID number, 15
    rf"|1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}"  # mobile: 138 1234 5678
    rf"|0\d{{2,3}}{_SEP}\d{{7,8}}"  # landline: 022-12345678
    r")(?![0-9])"
)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ－", "0123456789Xx-")


def personal_numbers_in(text: str) -> list[str]:
    """The ID or phone numbers found in `text` (a public note, a summary): [] when there is none."""
    if not text:
        return []
    return [m.group(0) for m in _PERSONAL_NUMBERS.finditer(text.translate(_FULL_WIDTH))]


def remask(stored: str, masker) -> str:
    """A change-log value written under an older mask (`masked·hash`), masked again by today's policy: the masks
    only ever hide more, so the new mask of the old masked text is the new masked value (a star stays a star)."""
    if not stored or not isinstance(stored, str):
        return stored
    masked, sep, digest = stored.partition("·")
    again = masker(masked) if masker else "*" * len(masked)
    return again + sep + digest


def reveal_only_fields(model) -> tuple[str, ...]:
    """The plain fields of `model` shown only to users who may reveal the record (e.g. a member's birth date)."""
    return tuple(getattr(model, "pii_reveal_only", ()))


def age_shown(birth, today=None):
    """What a user who may not reveal the record sees of a birth date: the age in whole years today."""
    if birth is None:
        return None
    today = today or dates.today()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def revealable_pks(user, model, objs) -> set:
    """The primary keys among `objs` whose personal data `user` may reveal, as the scope gate decides `reveal`:
    read from the user's (cached) role assignments and the objects' loaded orgs when the model's reveal scope is
    its org alone (a member: no query), else one query."""
    objs = [o for o in objs if o is not None and o.pk is not None]
    if not objs or user is None:
        return set()
    if scope.is_unrestricted(user):
        return {o.pk for o in objs}
    field = getattr(model, "scope_org_field", None)
    area_actions = getattr(model, "scope_area_actions", None)
    org_alone = (
        field
        and "__" not in field
        and getattr(model, "scope_org_q", None) is None
        and scope.self_hook(model, "reveal") is None
        and (
            area_actions is not None
            and "reveal" not in area_actions
            or getattr(model, "scope_area_field", None) is None
            and getattr(model, "scope_area_q", None) is None
        )
    )
    if field and org_alone and all(field in o._state.fields_cache for o in objs):
        anchors = scope.anchors(user, "reveal")
        out = set()
        for o in objs:
            org = getattr(o, field)
            if org is not None and any(
                org.pk == a.pk or (below and org.path.startswith(a.path)) for a, below in anchors
            ):
                out.add(o.pk)
        return out
    pks = [o.pk for o in objs]
    return set(model.objects.restrict(user, "reveal").filter(pk__in=pks).values_list("pk", flat=True))


def shown_diff(change, model, revealable: bool) -> dict:
    """A change-log row's differences as a user sees them: reveal-only fields masked unless `revealable` (personal
    numbers are stored masked already)."""
    diff = change.diff()
    if revealable:
        return diff
    hidden = set(reveal_only_fields(model))
    return {k: (_hide(v[0]), _hide(v[1])) if k in hidden else v for k, v in diff.items()}


def _hide(value):
    return None if value in (None, "") else MASKED_DATE


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


def reveal_rows(obj, fields: tuple[str, ...], values: dict | None = None) -> list[tuple[str, str, str]]:
    """The rows of generic/_reveal.html: (label, field, text) of each encrypted field of `obj` — masked, or in full
    from `values` (what a reveal service returned, after its logged reason)."""
    rows = []
    for name in fields:
        field = obj._meta.get_field(name)
        text = values.get(name, "") if values is not None else field.mask(getattr(obj, name))
        rows.append((str(field.verbose_name), name, text))
    return rows
