"""The attacker of docs/security.md ("打码策略"): from what a user without reveal permission sees of a member, how
many ID numbers and phone numbers remain possible? Used by the reconstruction tests (members and the demo city).

The attacker knows the region codes of the deployment (every code any member's number starts with: a superset of
what an attacker would guess first), the carrier prefixes, the GB 11643 check digit, the rule that a member joins
at 18 or older, and what is shown: masked numbers, birth dates or ages, the sex, the date of joining."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqdj.core import idnumber
from sqdj.core.dates import add_years, age_on

ENOUGH = 10_000  # the policy's floor: at least this many candidates per number
MIN_JOIN_AGE = 18
MASKED_ID = re.compile(r"(?<![0-9X*])[0-9X*]{18}(?![0-9X*])")
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass
class Seen:
    """What the user saw of one member, gathered from every output."""

    id_masks: set[str] = field(default_factory=set)  # 18 characters, * where hidden
    phone_masks: set[str] = field(default_factory=set)
    birth_dates: set[datetime.date] = field(default_factory=set)  # shown exactly
    ages: set[int] = field(default_factory=set)  # whole years today
    sexes: set[str] = field(default_factory=set)  # "male" / "female"
    joined_on: datetime.date | None = None

    def add_birth_text(self, text) -> None:
        """A birth-date field as shown: a date, a masked date (nothing learnt) or empty."""
        if text in (None, ""):
            return
        if isinstance(text, datetime.date):
            self.birth_dates.add(text)
            return
        m = DATE.search(str(text))
        if m:
            self.birth_dates.add(datetime.date(int(m[1]), int(m[2]), int(m[3])))


def _fits(mask: str, text: str) -> bool:
    return all(c == "*" or c == t for c, t in zip(mask, text, strict=True))


def _birth_candidates(seen: Seen, today: datetime.date) -> list[datetime.date]:
    latest = today
    if seen.joined_on is not None:
        latest = min(latest, add_years(seen.joined_on, -MIN_JOIN_AGE))
    if seen.birth_dates:
        days = [d for d in seen.birth_dates if d <= latest]
        return days if len(seen.birth_dates) == 1 else []  # two different dates shown: inconsistent, none fits
    if seen.ages:
        oldest = max(seen.ages) + 1
        start = add_years(today, -oldest)
    else:
        start = datetime.date(1900, 1, 1)
    days = []
    d = start
    while d <= latest:
        if not seen.ages or age_on(d, today) in seen.ages and len(seen.ages) == 1:
            days.append(d)
        d += datetime.timedelta(days=1)
    return days


def id_candidates(seen: Seen, regions: Iterable[str], today: datetime.date, limit: int = ENOUGH) -> int:
    """How many ID numbers fit what was seen (counting stops at `limit`: enough is enough)."""
    masks = seen.id_masks or {"*" * 18}
    regs = [r for r in set(regions) if all(_fits(m[:6], r) for m in masks)]
    days = [d for d in _birth_candidates(seen, today) if all(_fits(m[6:14], f"{d:%Y%m%d}") for m in masks)]
    parities = {"male": 1, "female": 0}
    seqs = [
        s
        for s in range(1000)
        if all(s % 2 == parities[x] for x in seen.sexes) and all(_fits(m[14:17], f"{s:03d}") for m in masks)
    ]
    checks = {m[17] for m in masks if m[17] != "*"}
    if not checks:  # the check digit is not shown: it follows from the rest, and cuts nothing
        return min(limit, len(regs) * len(days) * len(seqs))
    if len(checks) > 1:
        return 0
    (check,) = checks
    n = 0
    for r in regs:
        for d in days:
            for s in seqs:
                if idnumber.check_digit(f"{r}{d:%Y%m%d}{s:03d}") == check:
                    n += 1
                    if n >= limit:
                        return n
    return n


CARRIER_PREFIXES = [f"1{d}{e}" for d in "3456789" for e in "0123456789"]  # a generous list: every 13x … 19x


def phone_candidates(seen: Seen, true_phone: str, limit: int = ENOUGH) -> int:
    """How many phone numbers fit the masks seen (the format, e.g. where a landline's hyphen is, is known)."""
    if not true_phone:
        return limit  # nothing to find
    # masks of the number itself (the change log also shows earlier numbers, masked: the attacker tells them apart
    # by their order, so every mask that fits the number counts against it)
    masks = [m for m in seen.phone_masks if len(m) == len(true_phone) and _fits(m, true_phone)]
    masks = masks or ["*" * len(true_phone)]
    hidden = [i for i, c in enumerate(true_phone) if c.isdigit() and all(m[i] == "*" for m in masks)]
    if len(true_phone) == 11 and true_phone.startswith("1"):
        prefix_hidden = [i for i in hidden if i < 3]
        prefixes = sum(
            1 for p in CARRIER_PREFIXES if all(i in prefix_hidden or p[i] == true_phone[i] for i in range(3))
        )
        rest = len([i for i in hidden if i >= 3])
        return min(limit, prefixes * 10**rest)
    return min(limit, 10 ** len(hidden))
