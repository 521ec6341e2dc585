"""The one member picker (core.widgets.SearchSelect → core.picking): active members on the roll the user may see
(`?action=change`: those the user may change), found by name or its pinyin, shown by name and org — never an ID
number or a phone. Every app that chooses a member uses it (`member_picker(field)`); an app that narrows the
candidates further subclasses `MemberPick` setting only `queryset`. Its page, `members:member_pick`, is declared
by MemberViews.urls()."""

from __future__ import annotations

from django.urls import reverse_lazy

from sqdj.core.views import ModelViews
from sqdj.core.widgets import SearchSelect, use_picker

from .choices import Standing
from .models import Member


def member_label(member) -> str:
    return f"{member.name}（{member.org.name}）"


class MemberPick(ModelViews):
    model = Member
    queryset = Member.objects.filter(standing=Standing.ACTIVE).select_related("org")
    pick_fields = ("name",)
    pick_pinyin_fields = ("name_pinyin", "name_initials")

    @classmethod
    def pick_label(cls, obj) -> str:
        return member_label(obj)


def member_picker(field, params: dict | None = None, url: str = "members:member_pick") -> None:
    """Give a member choice field the search picker (its queryset stays the field's own: the form validates the
    choice through the scope gate). `params` as SearchSelect's (`{"action": "change"}`); `url` the name of a
    narrower `MemberPick` subclass's page."""
    use_picker(field, SearchSelect(reverse_lazy(url), params, tree=False), label_from_instance=member_label)
