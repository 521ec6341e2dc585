"""core.dates: month and year steps clamp to the month's end, whole months and ages — the behaviour every app relied
on before there was one implementation (the hand-written month arithmetic they replaced is the oracle below)."""

import datetime

import pytest

from sqdj.core.dates import add_months, add_years, age_on, months_between

D = datetime.date


def hand_add_months(d: datetime.date, months: int) -> datetime.date:
    """The arithmetic members.validation and the synthetic city had before core.dates."""
    y, m = divmod(d.month - 1 + months, 12)
    for day in (d.day, 30, 29, 28):
        try:
            return D(d.year + y, m + 1, day)
        except ValueError:
            continue
    raise ValueError(d)


def hand_months_away(left_on: datetime.date, on: datetime.date) -> int:
    months = (on.year - left_on.year) * 12 + on.month - left_on.month
    if months > 0 and hand_add_months(left_on, months) > on:
        months -= 1
    return max(months, 0)


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year: 29 February
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2025, 3, 31), 1, D(2025, 4, 30)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2025, 12, 15), 1, D(2026, 1, 15)),  # over the year's end
        (D(2026, 1, 15), -13, D(2024, 12, 15)),
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2025, 5, 17), 0, D(2025, 5, 17)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_add_months_is_the_old_arithmetic_for_every_day_and_step():
    day = D(2023, 1, 1)
    while day < D(2025, 1, 1):
        for months in range(-30, 31):
            assert add_months(day, months) == hand_add_months(day, months), (day, months)
        day += datetime.timedelta(days=1)


def test_add_years():
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert add_years(D(2024, 2, 29), -1) == D(2023, 2, 28)
    assert add_years(D(2024, 2, 29), 4) == D(2028, 2, 29)
    assert add_years(D(2025, 7, 1), -40) == D(1985, 7, 1)
    with pytest.raises(ValueError):
        add_years(D(9999, 1, 1), 1)
    with pytest.raises(ValueError):
        add_years(D(2024, 2, 29), 8000)  # out of range on the clamping path too


def test_months_between_counts_whole_months():
    assert months_between(D(2025, 1, 31), D(2025, 2, 28)) == 1  # the month's end counts as the same day
    assert months_between(D(2025, 1, 15), D(2025, 2, 14)) == 0
    assert months_between(D(2025, 1, 15), D(2025, 2, 15)) == 1
    assert months_between(D(2024, 2, 29), D(2025, 2, 28)) == 12
    assert months_between(D(2025, 3, 1), D(2025, 2, 1)) == -1
    start = D(2023, 11, 30)
    for days in range(0, 800, 3):
        on = start + datetime.timedelta(days=days)
        assert max(months_between(start, on), 0) == hand_months_away(start, on), on


def test_age_on_counts_a_29_february_birthday_on_1_march():
    born = D(2000, 2, 29)
    assert age_on(born, D(2018, 2, 28)) == 17  # not yet 18 in a common year
    assert age_on(born, D(2018, 3, 1)) == 18
    assert age_on(born, D(2020, 2, 29)) == 20
    assert age_on(D(1980, 7, 1), D(2026, 6, 30)) == 45
    assert age_on(D(1980, 7, 1), D(2026, 7, 1)) == 46
