"""The end of a probation (细则第三十二条): a reminder `member.probation_reminder_days` before, a warning after it
passes without a decision; an extension (once, 6–12 months) moves the end; both sides of every edge."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.rules import clear_cache, run_checks
from sqdj.core.scope import EVERYTHING
from sqdj.members.services import do_create_member, do_update_member
from sqdj.testing import build_world
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db
D = datetime.date
RULES = ["member.probation_ending", "member.probation_overdue"]


@pytest.fixture
def world():
    clear_cache()
    w = build_world()
    w.probationer = do_create_member(
        acting_user=None,
        **member_data(w.branch1, seq=71, name="预备甲", member_type="probationary", joined_on=D(2025, 3, 10),
                      confirmed_on=None),
    )  # fmt: skip
    yield w
    clear_cache()


def findings(org, on, user=EVERYTHING):
    return [(f.rule, f.object_name) for f in run_checks(org, user=user, on=on, rules=RULES)]


def test_reminder_from_thirty_days_before_the_end_then_a_warning(world):
    # joined 2025-03-10, 12 months: the probation is complete on 2026-03-10
    assert findings(world.branch1, D(2026, 2, 7)) == []  # 31 days before
    assert findings(world.branch1, D(2026, 2, 8)) == [("member.probation_ending", "预备甲")]  # 30 days before
    assert findings(world.branch1, D(2026, 3, 10)) == [("member.probation_ending", "预备甲")]  # the day itself
    assert findings(world.branch1, D(2026, 3, 11)) == [("member.probation_overdue", "预备甲")]
    # on the holding org and above it, within the user's scope only
    assert findings(world.district, D(2026, 3, 11)) == [("member.probation_overdue", "预备甲")]
    assert findings(world.branch2, D(2026, 3, 11)) == []
    other = do_create_user("admin_other", password="x", validate=False)
    do_grant_role(other, role="community_admin", org=world.community2, descendants=True)
    assert findings(world.branch1, D(2026, 3, 11), user=other) == []
    assert findings(world.branch1, D(2026, 3, 11), user=world.admin1) == [("member.probation_overdue", "预备甲")]


def test_a_decision_recorded_ends_the_findings(world):
    do_update_member(world.probationer, acting_user=None, member_type="full", confirmed_on=D(2026, 3, 10))
    assert findings(world.branch1, D(2026, 3, 11)) == []


def test_an_extension_moves_the_end(world):
    do_update_member(world.probationer, acting_user=None, probation_extended_months=6)  # complete on 2026-09-10
    assert findings(world.branch1, D(2026, 3, 11)) == []
    assert findings(world.branch1, D(2026, 8, 11)) == [("member.probation_ending", "预备甲")]
    assert findings(world.branch1, D(2026, 9, 11)) == [("member.probation_overdue", "预备甲")]
    message = run_checks(world.branch1, user=EVERYTHING, on=D(2026, 9, 11), rules=RULES)[0].message
    assert "延长的预备期" in message and "2026-09-10" in message


@pytest.mark.parametrize(("months", "ok"), [(5, False), (6, True), (12, True), (13, False)])
def test_an_extension_is_six_to_twelve_months(world, months, ok):
    if ok:
        do_update_member(world.probationer, acting_user=None, probation_extended_months=months)
        return
    with pytest.raises(ValidationError) as caught:
        do_update_member(world.probationer, acting_user=None, probation_extended_months=months)
    assert "延长 6 至 12 个月" in " ".join(caught.value.message_dict["probation_extended_months"])
    world.probationer.refresh_from_db()
    assert world.probationer.probation_extended_months is None


def test_an_extended_probation_cannot_be_confirmed_before_its_end(world):
    do_update_member(world.probationer, acting_user=None, probation_extended_months=6)
    with pytest.raises(ValidationError) as caught:
        do_update_member(world.probationer, acting_user=None, member_type="full", confirmed_on=D(2026, 9, 9))
    assert "2026-09-10" in " ".join(caught.value.message_dict["confirmed_on"])
    do_update_member(world.probationer, acting_user=None, member_type="full", confirmed_on=D(2026, 9, 10))


def test_the_reminder_window_is_a_parameter(world):
    from_rulebook = run_checks(world.branch1, user=EVERYTHING, on=D(2026, 2, 8), rules=RULES)[0]
    assert from_rulebook.basis == "member.probation_reminder_days" and from_rulebook.source
