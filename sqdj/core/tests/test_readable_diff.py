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
