"""The UI speaks Chinese, and the translated choice labels are exactly the import templates' words."""

import pytest
from django.test import Client
from django.utils import translation

from sqdj.areas import choices as area_choices
from sqdj.members import choices as c
from sqdj.members.models import Member
from sqdj.orgs import choices as org_choices


@pytest.mark.parametrize("mod,enum", [(area_choices, area_choices.AreaType), (org_choices, org_choices.OrgType)])
def test_choice_labels_equal_the_template_words(mod, enum):
    with translation.override("zh-hans"):
        for value, label in enum.choices:
            assert str(label) == mod.TEMPLATE_LABELS[value]
    assert set(mod.TEMPLATE_LABELS) == set(enum.values)


def test_every_type_has_a_placement_rule():
    for mod in (area_choices, org_choices):
        assert set(mod.ALLOWED_PARENTS) == set(mod.TEMPLATE_LABELS)
        for parents in mod.ALLOWED_PARENTS.values():
            assert parents <= set(mod.TEMPLATE_LABELS)


def test_login_page_is_chinese():
    r = Client().get("/login/")
    html = r.content.decode()
    assert r.status_code == 200 and 'lang="zh-CN"' in html and "登录" in html and "用户名" in html


def test_member_choice_labels_equal_the_template_words():
    with translation.override("zh-hans"):
        for enum, words in (
            (c.Sex, c.SEX_LABELS),
            (c.MemberType, c.TYPE_LABELS),
            (c.Education, c.EDUCATION_LABELS),
            (c.Category, c.CATEGORY_LABELS),
            (c.WorkStatus, c.WORK_STATUS_LABELS),
        ):
            assert {v: str(label) for v, label in enum.choices} == {str(k): v for k, v in words.items()}


def test_display_labels_follow_the_language_and_unknown_values():
    """get_FOO_display reads a label table kept per field and language (core.models.BaseModel)."""
    m = Member(category=c.Category.RETIRED, sex="female")
    with translation.override("zh-hans"):
        assert (m.get_category_display(), m.get_sex_display()) == (str(c.Category.RETIRED.label), "女")
    with translation.override("en"):
        assert m.get_sex_display() == "Female"
        assert m.get_category_display() == str(c.Category.RETIRED.label)
    with translation.override("zh-hans"):
        assert m.get_sex_display() == "女"  # not the English of the call before
    m.category = "no-such-value"
    assert m.get_category_display() == "no-such-value"  # as Django does: the value itself
