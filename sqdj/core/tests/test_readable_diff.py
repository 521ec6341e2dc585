"""Change histories as people read them (core.changelog.readable_diff): a personal number's change shows its masks,
never the stored hash, and says so when the number changed behind the same mask."""

import pytest

from sqdj.members.models import Member


@pytest.mark.parametrize(
    ("before", "after", "shown"),
    [
        ("139****0001·abcdef", "139****0001·ghijkl", ["139****0001", "139****0001（号码已变更）"]),
        ("139****0001·abcdef", "138****0002·ghijkl", ["139****0001", "138****0002"]),
        ("", "138****0002·ghijkl", ["", "138****0002"]),
        ("139****0001·abcdef", None, ["139****0001", None]),
    ],
)
def test_a_personal_numbers_change_shows_masks_only(before, after, shown):
    from django.utils import translation

    from sqdj.core.changelog import readable_diff

    with translation.override("zh-hans"):
        [(name, b, a)] = readable_diff({"phone": [before, after]}, Member)
    assert [b, a] == shown
    assert "abcdef" not in f"{b}{a}" and "ghijkl" not in f"{b}{a}"
    assert str(name) == str(Member._meta.get_field("phone").verbose_name)


def test_a_yes_or_no_reads_in_the_users_words():
    """A boolean field's change shows 是 / 否, not True / False (the crawl reads change histories as Chinese)."""
    from django.utils import translation

    from sqdj.core.changelog import readable_diff
    from sqdj.volunteers.models import Activity

    with translation.override("zh-hans"):
        [(_name, b, a)] = readable_diff({"takes_attendance": [False, True]}, Activity)
        assert [str(b), str(a)] == ["否", "是"]
        [(_name, b, a)] = readable_diff({"takes_attendance": [None, True]}, Activity)
        assert b is None and str(a) == "是"
