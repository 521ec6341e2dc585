"""People read rule and parameter names, never ids (issue 14): every figure the migrations carry and every check
has a title, and structured values are shown in words."""

from __future__ import annotations

import pytest
from django.utils import translation

from sqdj.core.models import RuleParameter
from sqdj.core.rules import registered_checks, title_of, titled
from sqdj.rulebook.services import format_value

pytestmark = pytest.mark.django_db


def test_every_parameter_and_check_has_a_title():
    ids = set(RuleParameter.objects.values_list("rule_id", flat=True)) | {c.rule for c in registered_checks()}
    assert ids
    assert sorted(i for i in ids if not titled(i)) == []
    with translation.override("zh-hans"):
        assert title_of("org.term_years.community") == "社区党组织任期"
        assert title_of("org.term_expired") == "任期届满未换届"


def test_an_unnamed_rule_shows_its_id_and_is_reported():
    assert title_of("nobody.named_this") == "nobody.named_this"
    assert not titled("nobody.named_this")


def test_structured_values_in_words():
    levels = {"community": "community", "outside": "subdistrict", "city": "authority"}
    with translation.override("zh-hans"):
        shown = format_value(levels, "levels")
        assert shown == "社区内：社区党组织；转出或转入本系统以外：街道党工委；市内：有审批预备党员权限的基层党委"
        assert format_value(["community", "village"], "sectors") == "社区、村"
        assert format_value({"numerator": 1, "denominator": 3}, "share") == "1/3"
        # a word nobody labelled stays as stored (and the crawl of tests/test_crawl.py reports it)
        assert format_value(["elsewhere"], "sectors") == "elsewhere"


def test_a_note_names_rules_by_title_and_marks_the_words_of_a_value():
    from sqdj.core.templatetags.rules import rule_note

    with translation.override("zh-hans"):
        shown = rule_note("见 org.min_full_members；跨区 city 填 authority。\n<b>", "levels")
    assert "成立党的基层组织所需正式党员人数" in shown and "org.min_full_members" not in shown
    assert '<code translate="no">city</code>（市内）' in shown
    assert '<code translate="no">authority</code>（有审批预备党员权限的基层党委）' in shown
    assert "<br>&lt;b&gt;" in shown  # the note's own text escaped, its line breaks kept
