"""Document numbers: a gapless sequence per key, and numbers that carry check digits (ISO 7064 MOD 97-10, as
IBAN), so that a mistyped number is told apart from one that was never issued."""

from __future__ import annotations

from django.db import transaction
from stdnum.iso7064 import mod_97_10

from .models import NumberSequence


def next_number(key: str) -> int:
    """The next number under `key` (1, 2, …), taken in the caller's transaction: it rolls back with it."""
    with transaction.atomic():
        NumberSequence.objects.get_or_create(key=key)
        seq = NumberSequence.objects.select_for_update().get(key=key)
        seq.last += 1
        seq.save(update_fields=["last"])
        return seq.last


def next_numbers(key: str, count: int) -> range:
    """`count` numbers under `key` at once (an import's block), in the caller's transaction."""
    with transaction.atomic():
        NumberSequence.objects.get_or_create(key=key)
        seq = NumberSequence.objects.select_for_update().get(key=key)
        first = seq.last + 1
        seq.last += count
        seq.save(update_fields=["last"])
        return range(first, seq.last + 1)


def with_check(prefix: str, serial: str) -> str:
    """`prefix` + `serial` + two check digits computed over both (letters count as in IBAN)."""
    body = f"{prefix}{serial}"
    return body + mod_97_10.calc_check_digits(body)


def normalize(number: str) -> str:
    """A typed number as stored: without spaces and dashes, upper case."""
    return "".join(ch for ch in (number or "").upper() if ch.isalnum())


def check_ok(number: str) -> bool:
    """Whether a (normalized) number's check digits agree — False for a typo, before any database read."""
    return len(number) > 2 and number.isascii() and mod_97_10.is_valid(number)
