"""Django's validation messages reach users in sqdj's words (core/messages.py), not Django's "确保该变量…"."""

from django import forms
from django.utils import translation


class _Form(forms.Form):
    reason = forms.CharField(max_length=5, min_length=2)
    count = forms.IntegerField(min_value=1, max_value=9)
    kind = forms.ChoiceField(choices=[("a", "甲")])


def _errors(data):
    with translation.override("zh-hans"):
        form = _Form(data)
        form.is_valid()
        return {k: [str(m) for m in v] for k, v in form.errors.items()}


def test_lengths_and_bounds_in_plain_words():
    errors = _errors({"reason": "一二三四五六七", "count": 10, "kind": "b"})
    assert errors == {
        "reason": ["最多填 5 个字，现在有 7 个。"],
        "count": ["不能大于 9。"],
        "kind": ["“b”不是可选的选项，请从列表中选择。"],
    }
    errors = _errors({"reason": "一", "count": 0, "kind": "a"})
    assert errors == {"reason": ["至少填 2 个字，现在只有 1 个。"], "count": ["不能小于 1。"]}
    assert not any("变量" in m for ms in errors.values() for m in ms)
