"""Small shared helpers: masks and the scan of public text (core.pii), number blocks (core.numbering), statements
compiled once per shape (core.querysets.CompiledStatements)."""

from __future__ import annotations

import datetime

import pytest

from sqdj.core.numbering import next_number, next_numbers
from sqdj.core.pii import mask_name, personal_numbers_in
from sqdj.core.querysets import CompiledStatements


def test_a_name_shows_its_first_character_only():
    assert (mask_name(""), mask_name("张"), mask_name("张三"), mask_name("欧阳小明")) == ("", "张*", "张*", "欧***")


@pytest.mark.parametrize(
    "text",
    ["请回电13812345678", "138 1234 5678", "138-1234-5678", "１３８１２３４５６７８", "身份证120101199001011234",
     "旧证120101900101123", "座机022-12345678", "02212345678"],
)  # fmt: skip
def test_personal_numbers_are_found_in_public_text(text):
    assert personal_numbers_in(text)


@pytest.mark.parametrize(
    "text",
    ["3号楼下水道堵塞", "2026年12月07日已处理", "编号SQ2026000123", "补贴12000元", "12345热线转来", "1381234567"],
)
def test_ordinary_text_passes(text):
    assert personal_numbers_in(text) == []


@pytest.mark.django_db
def test_a_block_of_numbers_follows_the_sequence():
    assert next_number("t.block") == 1
    assert list(next_numbers("t.block", 3)) == [2, 3, 4]
    assert next_number("t.block") == 5


def _build(*, path: str, day: datetime.date):
    return "SELECT 1 WHERE p LIKE %s AND d >= %s AND k = %s", (f"{path}%", day, 7)


def test_a_statement_is_compiled_once_per_shape_and_filled_with_each_call_s_values():
    calls = []

    def build(**values):
        calls.append(values)
        return _build(**values)

    statements = CompiledStatements(build)
    first = statements("s", path="0001", day=datetime.date(2026, 1, 1))
    assert first == _build(path="0001", day=datetime.date(2026, 1, 1))
    assert len(calls) == 2  # learnt with markers, proven with the real values
    second = statements("s", path="00010002", day=datetime.date(2025, 3, 4))
    assert second == _build(path="00010002", day=datetime.date(2025, 3, 4)) and len(calls) == 2
    # a value that is no plain code is never put into a learnt pattern: built as it is
    assert statements("s", path="00_1%", day=datetime.date(2025, 3, 4)) == _build(
        path="00_1%", day=datetime.date(2025, 3, 4)
    )
    assert len(calls) == 3


def test_a_statement_deriving_from_its_values_is_built_every_time():
    def build(*, day: datetime.date):
        return "SELECT %s, %s", (day, day.replace(day=1))  # the month's first day: derived, not given

    statements = CompiledStatements(build)
    for day in (datetime.date(2026, 5, 9), datetime.date(2026, 7, 3)):
        assert statements("s", day=day) == build(day=day)
    assert statements.recipes["s"] is None


def test_a_tick_box_gets_bootstrap_s_check_class():
    from django import forms

    from sqdj.core.forms import widget_css

    assert widget_css(forms.CheckboxInput()) == "form-check-input"
    assert widget_css(forms.Select()) == "form-select"
    assert widget_css(forms.TextInput()) == "form-control"
