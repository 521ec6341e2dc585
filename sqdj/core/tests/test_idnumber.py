"""core.idnumber: GB 11643 check digits (known numbers), the birth date inside, and what counts as an error and what
only as a warning (an unknown region code, dependencies.md caveat 3)."""

import datetime

import pytest
from django.utils import translation

from sqdj.core import idnumber

# the standard's own example, and one from python-stdnum's documentation
KNOWN = [("11010519491231002X", datetime.date(1949, 12, 31)), ("360426199101010071", datetime.date(1991, 1, 1))]


@pytest.mark.parametrize("number, birth", KNOWN)
def test_known_numbers(number, birth):
    assert idnumber.check_digit(number[:17]) == number[17]
    assert idnumber.error(number) is None and idnumber.region_warning(number) is None
    assert idnumber.birth_date(number) == birth


def test_check_digit_is_weighted_sum_mod_11():
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for n in range(0, 10**17, 7_777_777_777_777):  # a spread of bodies, every remainder among them
        body = f"{n:017d}"
        total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
        assert idnumber.check_digit(body) == "10X98765432"[total % 11], body


def test_compose():
    assert idnumber.compose("110105", datetime.date(1949, 12, 31), 2) == "11010519491231002X"
    number = idnumber.compose("120101", datetime.date(1980, 2, 29), 31)
    assert number.startswith("12010119800229031") and idnumber.error(number) is None


def test_errors_in_chinese():
    with translation.override("zh-hans"):
        assert "18 位" in idnumber.error("1101051949123100")
        assert "18 位" in idnumber.error("11010519491231002Y")
        assert "校验位" in idnumber.error("110105194912310021")
        body = "11010519490230002"  # 30 February
        assert "出生日期" in idnumber.error(body + idnumber.check_digit(body))
        with pytest.raises(ValueError):
            idnumber.birth_date(body + idnumber.check_digit(body))


def test_lower_case_x_and_blanks_are_read_as_stored():
    assert idnumber.normalize(" 11010519491231002x ") == "11010519491231002X"
    assert idnumber.error(" 11010519491231002x") is None
    assert idnumber.looks_like("11010519491231002x") and not idnumber.looks_like("1101051949123100")


def test_unknown_region_is_only_a_warning():
    number = idnumber.compose("999999", datetime.date(1980, 2, 29), 1)
    assert idnumber.error(number) is None and not idnumber.region_known(number)
    with translation.override("zh-hans"):
        assert "999999" in idnumber.region_warning(number)
