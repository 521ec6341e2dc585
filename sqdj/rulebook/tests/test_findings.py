"""The issue's acceptance: changing a parameter's version changes the findings for the dates of its window only.

Uses the branch-size check (orgs.checks, rule org.branch_size reading org.branch_max_members): 55 members in one
branch are too many under the national 50, and within the limit of a local variant of 60."""

from __future__ import annotations

import datetime

import pytest

from sqdj.core.rules import clear_cache, run_checks
from sqdj.members.services import do_create_member
from sqdj.rulebook import services
from sqdj.testing import build_world
from sqdj.testing.members import member_data

D = datetime.date


@pytest.fixture
def big_branch(db):
    world = build_world()
    for seq in range(1, 56):
        do_create_member(acting_user=None, **member_data(world.branch1, seq=seq, name=f"党员{seq}"))
    clear_cache()
    yield world
    clear_cache()


def flagged(world, on) -> set[str]:
    findings = run_checks(world.district, user=world.superuser, on=on, rules=["org.branch_size"])
    return {f.object_code for f in findings}


def test_a_local_variant_changes_the_findings_inside_its_window_only(big_branch):
    world = big_branch
    days = (D(2024, 12, 31), D(2025, 1, 1), D(2025, 12, 31), D(2026, 1, 1))
    assert all(flagged(world, on) == {world.branch1.code} for on in days)  # 55 > 50
    services.do_add_local_variant(
        acting_user=world.superuser,
        rule_id="org.branch_max_members",
        value=60,
        effective_from=D(2025, 1, 1),
        effective_to=D(2025, 12, 31),
    )
    assert [bool(flagged(world, on)) for on in days] == [True, False, False, True]
