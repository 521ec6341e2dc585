"""Member validation (issue 3 §2): each rule fires where it should, with a Chinese message, and not elsewhere."""

import datetime

import pytest
from django.utils import translation

from sqdj.core import idnumber
from sqdj.core.models import RuleParameter
from sqdj.members.validation import validate_member
from sqdj.testing.members import make_id_number

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)
BIRTH = datetime.date(1980, 2, 29)


def base(**over):
    d = {
        "id_number": make_id_number(BIRTH),
        "birth_date": BIRTH,
        "ethnicity": "汉族",
        "member_type": "full",
        "joined_on": datetime.date(2005, 6, 1),
        "confirmed_on": datetime.date(2006, 6, 1),
        "phone": "13812345678",
    }
    d.update(over)
    return d


def errors(**over):
    with translation.override("zh-hans"):
        return validate_member(base(**over), today=TODAY)[0]


def test_a_valid_record_passes():
    assert errors() == {}


def test_id_checksum_shape_and_birth_date():
    good = make_id_number(BIRTH)
    bad_digit = good[:17] + ("0" if good[17] != "0" else "1")
    assert "校验位" in errors(id_number=bad_digit)["id_number"][0]
    assert errors(id_number="12010119800229")["id_number"]
    assert "1981-03-01" in errors(id_number=make_id_number(datetime.date(1981, 3, 1)))["birth_date"][0]
    assert errors(id_number=good.lower()) == {}  # a lower-case x is read as X


def test_unknown_region_is_a_warning_not_an_error():
    number = idnumber.compose("999999", datetime.date(1980, 2, 29), 1)
    e, w = validate_member(base(id_number=number), today=TODAY)
    assert e == {} and "id_number" in w


def test_age_at_joining_boundary():
    birth = datetime.date(1990, 3, 15)
    ok = base(
        id_number=make_id_number(birth),
        birth_date=birth,
        joined_on=datetime.date(2008, 3, 15),
        confirmed_on=datetime.date(2009, 3, 15),
    )
    assert validate_member(ok, today=TODAY)[0] == {}
    young = {**ok, "joined_on": datetime.date(2008, 3, 14), "confirmed_on": datetime.date(2009, 3, 14)}
    assert "joined_on" in validate_member(young, today=TODAY)[0]


def test_probation_boundary_from_the_rulebook():
    assert errors(confirmed_on=datetime.date(2006, 6, 1)) == {}
    assert "confirmed_on" in errors(confirmed_on=datetime.date(2006, 5, 31))
    assert "confirmed_on" in errors(confirmed_on=datetime.date(2005, 5, 1))  # before joining


def test_probation_follows_a_changed_parameter():
    RuleParameter.objects.create(
        rule_id="member.probation_months",
        value=6,
        regulation="测试",
        trust="LOCAL",
        effective_from=datetime.date(2000, 1, 1),
        local=True,
    )
    assert errors(confirmed_on=datetime.date(2005, 12, 1)) == {}


def test_types_and_dates():
    assert "confirmed_on" in errors(member_type="probationary")
    assert errors(member_type="probationary", confirmed_on=None) == {}
    assert "confirmed_on" in errors(confirmed_on=None)
    assert "joined_on" in errors(joined_on=datetime.date(2027, 1, 1), confirmed_on=None, member_type="probationary")
    assert "confirmed_on" in errors(confirmed_on=datetime.date(2027, 1, 1))


def test_phone_and_ethnicity():
    assert errors(phone="022-12345678") == {} and errors(phone="") == {}
    for bad in ("12345678901", "1381234567", "+8613812345678", "abc"):
        assert "phone" in errors(phone=bad), bad
    assert "ethnicity" in errors(ethnicity="汉")


def test_records_older_than_the_encoded_regulations_are_not_judged_by_them():
    birth = datetime.date(1925, 1, 1)
    old = base(
        id_number=make_id_number(birth),
        birth_date=birth,
        joined_on=datetime.date(1940, 1, 1),
        confirmed_on=datetime.date(1940, 6, 1),
    )
    assert validate_member(old, today=TODAY)[0] == {}  # no rule row before 1982: no age or probation finding
