import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sqdj.accounts.models import User
from sqdj.core.plugins import StatsSection
from sqdj.orgs.models import Org
from sqdj.orgs.services import do_update_org, find_org
from sqdj.stats import services
from sqdj.stats.services import EVERYTHING, compute, years_before

from . import expected
from .conftest import AS_OF, LATER, add_member


def org(code):
    return Org.objects.select_related("area").get(code=code)


def test_district_as_of(world):
    assert compute(org("DWT01"), user=world.superuser, as_of=AS_OF) == expected.DISTRICT_AS_OF


def test_district_later(world):
    """P becomes full on its confirmation day, R counts from the day it joined, ZBT3 from its founding, and the
    birthdays of 2025-06-16 have passed."""
    assert compute(org("DWT01"), user=world.superuser, as_of=LATER) == expected.DISTRICT_LATER


def test_confirmation_day_itself(world):
    day_before = compute(org("ZBT1"), user=world.superuser, as_of=LATER - datetime.timedelta(days=1))["members"]
    on_the_day = compute(org("ZBT1"), user=world.superuser, as_of=LATER)["members"]
    assert (day_before["full"], day_before["probationary"]) == (3, 1)  # A B C full, P probationary
    assert (on_the_day["full"], on_the_day["probationary"]) == (4, 0)


def test_everything_is_the_superusers_view(world):
    assert compute(org("DWT01"), user=EVERYTHING, as_of=AS_OF) == expected.DISTRICT_AS_OF


def test_scoped_user_counts_only_their_subtree(world):
    assert compute(org("SQT1"), user=world.admin1, as_of=AS_OF) == expected.COMMUNITY1_ADMIN
    assert compute(org("SQT1"), user=world.c1_only, as_of=AS_OF) == expected.COMMUNITY1_ONLY


def test_the_same_org_for_a_superuser_counts_the_same(world):
    """SQT1 lies wholly in admin1's scope: the superuser sees the same figures there."""
    assert compute(org("SQT1"), user=world.superuser, as_of=AS_OF) == expected.COMMUNITY1_ADMIN


def test_out_of_scope_org_is_not_found(world):
    assert find_org("DWT01", world.admin1) is None
    assert find_org("SQT2", world.admin1) is None
    assert find_org("NOPE", world.superuser) is None
    assert find_org("SQT1", world.admin1).code == "SQT1"
    assert find_org("DWT01", None) is None


def test_no_user_sees_nothing(world):
    stats = compute(org("DWT01"), user=None, as_of=AS_OF)
    assert stats["members"]["total"] == 0
    assert stats["organizations"] == {"total": 0, "by_type": {}, "by_sector": expected.sectors()}
    assert stats["coverage"]["communities"] == 0


def test_default_as_of_is_today(world):
    assert compute(org("SQT2"), user=world.superuser)["as_of"] == datetime.date.today().isoformat()


def test_org_without_area_has_no_communities(world):
    assert compute(org("XZT1"), user=world.superuser, as_of=AS_OF)["coverage"] == {
        "communities": 0,
        "communities_with_org": 0,
        **expected.NEWORGS_NONE,
    }


def test_extreme_dates_do_not_fail(world):
    """Any real date is a valid as_of: the earliest one counts nothing, the latest everyone still active."""
    first = compute(org("DWT01"), user=world.superuser, as_of=datetime.date.min)
    assert first["members"]["total"] == 0 and first["organizations"]["total"] == 7
    last = compute(org("DWT01"), user=world.superuser, as_of=datetime.date.max)
    assert last["members"]["total"] == 13 and last["members"]["by_age_band"]["61岁及以上"] == 13


def test_years_before():
    assert years_before(datetime.date(2025, 6, 15), 30) == datetime.date(1995, 6, 15)
    assert years_before(datetime.date(2024, 2, 29), 1) == datetime.date(2023, 2, 28)
    assert years_before(datetime.date(30, 1, 1), 30) is None


def test_leap_day_birthday(world):
    """Born on 29 February: a year older on 1 March of a common year (as members.validation.age_on)."""
    add_member(world.branch2, 40, birth=datetime.date(1992, 2, 29), member_type="full")
    before = compute(org("ZBT2"), user=world.superuser, as_of=datetime.date(2023, 2, 28))["members"]["by_age_band"]
    after = compute(org("ZBT2"), user=world.superuser, as_of=datetime.date(2023, 3, 1))["members"]["by_age_band"]
    assert before["30岁及以下"] - after["30岁及以下"] == 1
    assert after["31至35岁"] - before["31至35岁"] == 1


def test_apps_add_their_figures_through_stats_sections(world, monkeypatch):
    """Without a section the 两新 counts are zeros; a section's statements are read with the others and its figures
    merged (a dict under an existing key into it, a new key added) — the plug-in point of core.plugins."""
    monkeypatch.setattr(services, "stats_sections", lambda: ())
    stats = compute(org("DWT01"), user=world.superuser, as_of=AS_OF)
    assert {k: stats["coverage"][k] for k in services.NEWORG_KEYS} == expected.NEWORGS_NONE
    assert "units" not in stats and "volunteers" not in stats
    calls = []

    def statements(o, *, user, as_of):
        calls.append((o.code, user, as_of))
        return [("SELECT 5 AS n", (), False), ("", (), False)]

    def figures(rows, *, as_of):
        assert rows == [{"n": 5}, None] and as_of == AS_OF
        counts = {"neworgs": 5, "neworgs_with_org": 3, "neworgs_3plus_members_without_org": 1}
        return {"coverage": counts, "units": {"total": 7}}

    section = StatsSection("units", statements=statements, figures=figures)
    monkeypatch.setattr(services, "stats_sections", lambda: (section,))
    stats = compute(org("DWT01"), user=world.superuser, as_of=AS_OF)
    assert stats["coverage"] == {
        "communities": 4,
        "communities_with_org": 2,
        "neworgs": 5,
        "neworgs_with_org": 3,
        "neworgs_3plus_members_without_org": 1,
    }
    assert stats["units"] == {"total": 7}
    assert calls == [("DWT01", world.superuser, AS_OF)]


def _queries(user_pk, code):
    user = User.objects.get(pk=user_pk)  # a fresh user object: its role lookups are counted every time
    with CaptureQueriesContext(connection) as ctx:
        compute(find_org(code, user), user=user, as_of=LATER)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["superuser", "admin1"])
def test_queries_do_not_grow_with_members(world, who):
    user = getattr(world, who)
    for seq in range(100, 103):
        add_member(world.branch1, seq)
    compute(org("SQT1"), user=user, as_of=LATER)  # the rulebook's figures read once (core.rules' cache)
    few = _queries(user.pk, "SQT1")
    for seq in range(103, 130):
        add_member(world.branch1, seq)
    assert compute(org("SQT1"), user=user, as_of=LATER)["members"]["total"] >= 30
    # 8: the role lookup and the guidance links (core.scope) of admin1; on SQLite the statements are read one by one
    # (the volunteers' three more, the residents' requests' one)
    assert _queries(user.pk, "SQT1") == few <= (8 if connection.vendor == "postgresql" else 12)


def test_cached_statements_follow_a_moved_org(world):
    """The statements are built once per subtree and scope (services._subtree_members_query, _COVERAGE_SQL) and keyed
    by the paths in them: once admin1's own org has moved, its figures are those of a fresh computation."""
    before = compute(org("SQT1"), user=User.objects.get(pk=world.admin1.pk), as_of=AS_OF)
    do_update_org(org("SQT1"), acting_user=None, parent=org("DWT01"))  # from under the 街道党工委 to the 区委
    after = compute(org("SQT1"), user=User.objects.get(pk=world.admin1.pk), as_of=AS_OF)
    services._COVERAGE_SQL.clear()
    services._subtree_members_query.cache_clear()
    fresh = compute(org("SQT1"), user=User.objects.get(pk=world.admin1.pk), as_of=AS_OF)
    assert after == fresh
    assert after["coverage"] == before["coverage"] and after["coverage"]["communities_with_org"] == 1


def test_the_figures_in_one_round_trip_on_postgresql(world):
    """Organizations, members and communities (the depth of a community known from the area types) are read
    together on PostgreSQL (services.read_together); one statement each elsewhere."""
    # the org looked up by its code, then the figures (the units' statement among them: units.stats.statement)
    compute(org("SQT1"), user=world.superuser, as_of=LATER)  # the rulebook's figures read once (core.rules' cache)
    # elsewhere one each: organizations, members, communities, the units' one, the volunteers' three and the work
    # orders' one
    assert _queries(world.superuser.pk, "SQT1") == 1 + (1 if connection.vendor == "postgresql" else 9)
