"""公民身份号码 (GB 11643): the one place that knows how a Chinese citizen ID number is made — its shape, the check
digit, the birth date and region inside it — for validation, search, the synthetic city and tests.

python-stdnum's `stdnum.cn.ric` does the arithmetic and knows the region codes. Its `validate` also rejects a
region code missing from its table (dependencies.md caveat 3): here that is only a warning
(`region_warning`), while shape, check digit and birth date are errors (`error`)."""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from django.utils.translation import gettext as _
from stdnum.cn import ric

SHAPE = re.compile(r"^\d{17}[\dX]$")


def normalize(value: str | None) -> str:
    """As stored and compared: no surrounding blanks, a capital X."""
    return (value or "").strip().upper()


def looks_like(value: str | None) -> bool:
    """Whether a search term is shaped like an ID number (17 digits and a digit or X; a small x too)."""
    return bool(SHAPE.match(normalize(value)))


def as_int(value: str) -> int | None:
    """A normalized ID number as a positive integer below 2**61 (its 17 digits and check character, X as 10), to
    keep many of them compactly; None if it is not shaped like one."""
    if not SHAPE.match(value):
        return None
    return int(value[:17]) * 11 + (10 if value[17] == "X" else int(value[17])) + 1


def check_digit(body: str) -> str:
    """The 18th character for the 17-digit `body` (stdnum's calc_check_digit takes a whole number and ignores its
    last character)."""
    return ric.calc_check_digit(body + "0")


def compose(region: str, birth: datetime.date, sequence: int) -> str:
    """An ID number: the 6-digit region code, the birth date, a 3-digit sequence number (odd for men, even for
    women) and the check digit."""
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + check_digit(body)


def birth_date(number: str) -> datetime.date:
    """The birth date inside a well-shaped number; ValueError when it is no real date."""
    number = normalize(number)
    if number.isascii() and SHAPE.match(number):  # what stdnum reads, without its cleaning (an import's hot path)
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    try:
        return ric.get_birth_date(number)
    except ric.ValidationError as exc:
        raise ValueError(number) from exc


def region_known(number: str) -> bool:
    """Whether stdnum's code table knows the region code for the year of birth."""
    number = normalize(number)
    if number.isascii() and SHAPE.match(number):
        try:
            birth_date(number)
        except ValueError:
            return False
        return _region_known_in(number[:6], number[6:10])
    try:
        ric.get_birth_place(number)
    except (ric.ValidationError, KeyError):
        return False
    return True


@lru_cache(maxsize=4096)
def _region_known_in(region: str, year: str) -> bool:
    """stdnum's answer for a region code and a year of birth (looked up once: an import asks 100,000 times)."""
    try:
        ric.get_birth_place(f"{region}{year}0101000")
    except (ric.ValidationError, KeyError):
        return False
    return True


def error(number: str) -> str | None:
    """Why `number` is not a valid ID number (shape, check digit, birth date), in Chinese; None when it is."""
    number = normalize(number)
    if not SHAPE.match(number):
        return _("Must be 18 characters: 17 digits and a digit or X at the end.")
    if check_digit(number[:17]) != number[17]:
        return _("Wrong check digit: please check the 18th character.")
    try:
        birth_date(number)
    except ValueError:
        return _("The birth date inside the ID number is not a real date.")
    return None


def region_warning(number: str) -> str | None:
    """A warning for a valid number whose region code stdnum's table does not know (None: no warning)."""
    if region_known(number):
        return None
    return _("The region code %(code)s is not in the code table; please check it.") % {"code": normalize(number)[:6]}
