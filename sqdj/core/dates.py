"""Calendar arithmetic, one implementation for every app: month and year steps through python-dateutil's
`relativedelta`, which keeps the day of the month and clamps it to the month's end (31 January + 1 month =
28 or 29 February; 29 February + 1 year = 28 February), and ages in whole years."""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from dateutil.relativedelta import relativedelta
from django.utils import timezone


def today() -> datetime.date:
    """The calendar day in the deployment's time zone (settings.TIME_ZONE), whatever the machine's clock zone:
    every "today" of the rules, the forms and the jobs is this one, so a deadline cannot fall on two days."""
    return timezone.localdate()


@lru_cache(maxsize=1 << 16)
def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` later (earlier when negative), clamped to the month's last day.

    Cached: a `relativedelta` step costs about 10 µs, and the synthetic city and the checks ask this for up to a
    million members, of a few tens of thousands of distinct days."""
    return day + relativedelta(months=months)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later (earlier when negative); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)  # every day but 29 February exists in every year
    except ValueError:
        return day + relativedelta(years=years)  # the clamp (and a year out of range: ValueError again)


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from `start` to `end` (negative when `end` is earlier): 31 January to 28 February is one."""
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months


def age_on(birth: datetime.date, on: datetime.date) -> int:
    """Age in whole years on `on`. Someone born on 29 February is a year older on 1 March of a common year (not on
    28 February, as `relativedelta` would count it): the statistics' birth-date ranges agree."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


_MONTH = re.compile(r"^([12]\d{3})-(0[1-9]|1[0-2])$")


def month_bounds(value: str) -> tuple[datetime.date, datetime.date] | None:
    """A month written YYYY-MM (a list's `?month=`): its first day and the first day of the next; None when it is
    not such a month (a list then shows nothing rather than an error: any string is a valid query)."""
    found = _MONTH.match((value or "").strip())
    if found is None:
        return None
    first = datetime.date(int(found[1]), int(found[2]), 1)
    return first, add_months(first, 1)
