"""The organization checks fire exactly where the regulation says (rules.md §§1–2, interfaces.md §4): boundary
tests at 2/3, 49/50/51, 99/100 and 6/7 members, and at the term's end minus six months ±1 day."""

from __future__ import annotations

import datetime
import re

import pytest

from sqdj.areas.services import do_create_area
from sqdj.core import rules
from sqdj.core.models import RuleParameter
from sqdj.core.rules import run_checks
from sqdj.core.scope import EVERYTHING
from sqdj.leadership.models import Election, Position
from sqdj.members.models import Member
from sqdj.orgs.services import do_create_org
from sqdj.testing import build_world
from sqdj.testing.members import member_data

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 6, 30)
_seq = iter(range(1, 100_000))


@pytest.fixture
def world():
    return build_world()


def add_members(org, n, *, full=True, home_area=None, confirmed=datetime.date(2000, 7, 1), category="employed"):
    """`n` active members of `org` (bulk: the checks read the counts, not the individual records)."""
    made = []
    for _ in range(n):
        seq = next(_seq)
        data = member_data(
            org, seq=seq, name="测试党员", birth=datetime.date(1960, 1, 1) + datetime.timedelta(days=seq)
        )
        data.update(home_area=home_area, joined_on=datetime.date(1999, 7, 1), category=category)
        if full:
            data.update(member_type="full", confirmed_on=confirmed)
        else:
            data.update(member_type="probationary", confirmed_on=None, joined_on=ON - datetime.timedelta(days=30))
        m = Member(**data)
        m.fill_derived_fields()
        made.append(m)
    return Member.objects.bulk_create(made)


def findings(org, rule, on=ON, user=EVERYTHING):
    return [f for f in run_checks(org, user=user, on=on) if f.rule == rule]


def codes(org, rule, on=ON, user=EVERYTHING):
    return sorted(f.object_code for f in findings(org, rule, on, user))


# --- org.required -------------------------------------------------------------------------------------------------


def test_community_with_three_full_residents_and_no_org(world):
    bare = do_create_area(acting_user=None, parent=world.street_area, code="T01001003", name="丙社区", type="community")
    grid = do_create_area(acting_user=None, parent=bare, code="T01001003001", name="丙社区一网格", type="grid")
    add_members(world.branch1, 2, home_area=bare, category="retired")
    add_members(world.branch1, 5, home_area=bare, full=False, category="retired")  # probationary: not counted
    assert codes(world.street, "org.required") == []
    add_members(world.branch1, 1, home_area=grid, category="retired")  # living in its grid is living in it
    (f,) = findings(world.street, "org.required")
    assert (f.object_type, f.object_code, f.severity) == ("area", "T01001003", "error")
    assert f.source == "党章第三十条；支部工作条例第四条"
    assert f.url == bare.get_absolute_url()
    # the communities that have an org located in them never fire, however many live there
    add_members(world.branch2, 10, home_area=world.community_area1)
    assert codes(world.district, "org.required") == ["T01001003"]
    # once an org is located below the community (in its grid), it has one
    do_create_org(acting_user=None, parent=world.street, code="SQT3", name="丙社区党支部", type="branch", area=grid)
    assert codes(world.district, "org.required") == []


def test_org_required_leaves_out_in_service_members_held_by_their_unit(world):
    """Three in-service members living in a community are held by their work units: they do not make the community
    one that must set up an organization; a third member who could be held there does."""
    bare = do_create_area(acting_user=None, parent=world.street_area, code="T01001003", name="丙社区", type="community")
    add_members(world.branch1, 3, home_area=bare, category="employed")
    add_members(world.branch1, 2, home_area=bare, category="retired")
    assert codes(world.street, "org.required") == []
    add_members(world.branch1, 1, home_area=bare, category="unemployed")
    (f,) = findings(world.street, "org.required")
    assert re.findall(r"\d+", f.message)[0] == "3"  # the three who could be held there, not the six residents


def test_org_required_counts_only_what_the_user_sees(world):
    bare = do_create_area(acting_user=None, parent=world.street_area, code="T01001003", name="丙社区", type="community")
    add_members(world.branch2, 3, home_area=bare, category="retired")
    assert codes(world.street, "org.required") == ["T01001003"]
    # admin1 sees community 1 only: neither the bare community nor the members held by branch 2
    assert codes(world.community1, "org.required", user=world.admin1) == []


# --- branch size and the thresholds of a general branch / a committee ---------------------------------------------


@pytest.mark.parametrize(
    "n, expected",
    [
        (49, []),
        (50, ["org.may_become_general_branch"]),
        (51, ["org.branch_size", "org.may_become_general_branch"]),
        (99, ["org.branch_size", "org.may_become_general_branch"]),
        (100, ["org.branch_size", "org.may_become_committee"]),
    ],
)
def test_branch_size_boundaries(world, n, expected):
    add_members(world.branch1, n - 10)
    add_members(world.group1, 5)  # members held by the branch's party group are the branch's
    add_members(world.branch1, 5, full=False)  # probationary members are members
    size_rules = {"org.branch_size", "org.may_become_general_branch", "org.may_become_committee"}
    got = sorted(f.rule for f in run_checks(world.branch1, user=EVERYTHING, on=ON) if f.rule in size_rules)
    assert got == expected
    for f in findings(world.branch1, "org.branch_size"):
        assert (
            f.severity == "warning" and f.object_code == "ZBT1" and f.source == "中国共产党支部工作条例（试行）第四条"
        )


def test_general_branch_of_a_hundred_may_become_a_committee(world):
    add_members(world.branch1, 99)
    assert codes(world.community1, "org.may_become_committee") == []
    add_members(world.community1, 1)
    assert codes(world.community1, "org.may_become_committee") == ["SQT1"]


# --- committee composition and the secretary -------------------------------------------------------------------


def positions(org, members, roles):
    for m, role in zip(members, roles, strict=True):
        Position.objects.create(org=org, member=m, role=role, started_on=datetime.date(2024, 1, 1))


@pytest.mark.parametrize(
    "full, roles, fires",
    [
        (6, [], False),
        (6, ["secretary", "deputy_secretary"], False),
        (6, ["secretary", "committee_member", "committee_member"], True),
        (7, ["secretary"], True),
        (7, [], True),
        (7, ["secretary", "committee_member", "committee_member"], False),
        (7, ["secretary", "deputy_secretary"] + ["committee_member"] * 5, False),
        (7, ["secretary", "deputy_secretary"] + ["committee_member"] * 6, False),  # 8: a warning, below
    ],
)
def test_committee_composition(world, full, roles, fires):
    people = add_members(world.branch2, max(full, len(roles)) if full >= len(roles) else full)
    extra = add_members(world.branch1, max(0, len(roles) - len(people)))  # a committee member held elsewhere
    add_members(world.branch2, 3, full=False)  # probationary members do not count toward the seven
    positions(world.branch2, (people + extra)[: len(roles)], roles)
    assert codes(world.community2, "org.committee_composition") == (["ZBT2"] if fires else [])


@pytest.mark.parametrize("size, fires", [(7, False), (8, True)])
def test_a_committee_over_seven_is_a_warning_not_an_error(world, size, fires):
    """支部工作条例: 由3至5人组成，一般不超过7人 — "一般": 8 is worth a word, not an error."""
    people = add_members(world.branch2, size)
    positions(world.branch2, people, ["secretary", "deputy_secretary"] + ["committee_member"] * (size - 2))
    assert codes(world.branch2, "org.committee_over_size") == (["ZBT2"] if fires else [])
    assert codes(world.branch2, "org.committee_composition") == []
    if fires:
        (f,) = findings(world.branch2, "org.committee_over_size")
        assert f.severity == "warning" and "8" in f.message


def test_ended_positions_do_not_count(world):
    people = add_members(world.branch2, 7)
    positions(world.branch2, people[:3], ["secretary", "committee_member", "committee_member"])
    Position.objects.filter(org=world.branch2, role="committee_member").update(ended_on=ON - datetime.timedelta(days=1))
    assert codes(world.branch2, "org.committee_composition") == ["ZBT2"]
    assert codes(world.branch2, "org.committee_composition", on=ON - datetime.timedelta(days=1)) == []


def test_secretary_party_age(world):
    (new,) = add_members(world.branch2, 1, confirmed=datetime.date(2025, 7, 1))  # 党龄 one year on 2026-07-01
    positions(world.branch2, [new], ["secretary"])
    (f,) = findings(world.branch2, "org.secretary_party_age")
    assert f.severity == "warning" and "测试党员" in f.message
    assert codes(world.branch2, "org.secretary_party_age", on=datetime.date(2026, 7, 1)) == []
    (prob,) = add_members(world.branch1, 1, full=False)
    positions(world.branch1, [prob], ["secretary"])  # a probationary member has no party age at all
    assert codes(world.community1, "org.secretary_party_age") == ["ZBT1"]


# --- terms -------------------------------------------------------------------------------------------------------


def test_community_term_boundaries(world):
    org = world.branch1  # located in a community: five years
    org.term_started_on = datetime.date(2021, 7, 1)
    org.save()
    end = datetime.date(2026, 7, 1)  # the first day after the term
    reminder_from = datetime.date(2026, 1, 1)
    day = datetime.timedelta(days=1)
    assert codes(org, "org.term_expiring", on=reminder_from - day) == []
    assert codes(org, "org.term_expiring", on=reminder_from) == ["ZBT1"]
    assert codes(org, "org.term_expiring", on=reminder_from + day) == ["ZBT1"]
    assert codes(org, "org.term_expiring", on=end - day) == ["ZBT1"]
    assert codes(org, "org.term_expired", on=end - day) == []
    assert codes(org, "org.term_expiring", on=end) == []
    (f,) = findings(org, "org.term_expired", on=end)
    assert f.severity == "error" and "2026-06-30" in f.message and f.basis == "org.term_years.community"


def test_branch_outside_communities_has_a_three_year_term(world):
    unit = do_create_org(
        acting_user=None,
        parent=world.street,
        code="ZBU1",
        name="某公司党支部",
        type="branch",
        term_started_on=datetime.date(2023, 7, 1),
    )
    assert codes(unit, "org.term_expiring", on=datetime.date(2026, 1, 1)) == ["ZBU1"]
    assert codes(unit, "org.term_expired", on=datetime.date(2026, 7, 1)) == ["ZBU1"]
    # a branch below a community org is a community branch even without an area of its own
    sub = do_create_org(
        acting_user=None,
        parent=world.community1,
        code="ZBT9",
        name="甲社区第九党支部",
        type="branch",
        term_started_on=datetime.date(2023, 7, 1),
    )
    assert codes(sub, "org.term_expired", on=datetime.date(2026, 7, 1)) == []


def test_groups_and_appointed_bodies_have_no_term(world):
    world.street.term_started_on = datetime.date(2000, 1, 1)  # a 街道党工委 is appointed
    world.street.save()
    assert codes(world.street, "org.term_expired") == []


def test_approved_extension_and_recorded_election(world):
    org = world.branch1
    org.term_started_on = datetime.date(2021, 7, 1)
    org.term_extended_to = datetime.date(2026, 12, 31)
    org.save()
    later = datetime.date(2026, 8, 1)
    assert codes(org, "org.term_expired", on=later) == ["ZBT1"]  # an extension without approval is not one
    org.term_extension_approval = "甲街党工委〔2026〕12号"
    org.save()
    assert codes(org, "org.term_expired", on=later) == []
    assert codes(org, "org.term_expiring", on=later) == ["ZBT1"]
    assert codes(org, "org.term_expired", on=datetime.date(2027, 1, 1)) == ["ZBT1"]
    Election.objects.create(
        org=org, held_on=datetime.date(2026, 12, 20), seats=5, eligible_voters=40, voters_present=38
    )
    assert codes(org, "org.term_expired", on=datetime.date(2027, 1, 1)) == []


# --- versions of the rulebook --------------------------------------------------------------------------------------


def test_a_new_parameter_version_changes_findings_from_its_effective_date_only(world):
    add_members(world.branch1, 45)
    assert codes(world.branch1, "org.branch_size", on=ON) == []
    RuleParameter.objects.create(
        rule_id="org.branch_max_members",
        value=40,
        unit="members",
        regulation="某区委组织部通知",
        article="第二条",
        trust="LOCAL",
        local=True,
        effective_from=datetime.date(2026, 7, 1),
    )
    rules.clear_cache()
    assert codes(world.branch1, "org.branch_size", on=ON) == []
    (f,) = findings(world.branch1, "org.branch_size", on=datetime.date(2026, 7, 1))
    assert f.source == "某区委组织部通知第二条" and "40" in f.message


def test_term_length_follows_the_version_in_force_when_the_term_started(world):
    RuleParameter.objects.create(
        rule_id="org.term_years.community",
        value=3,
        unit="years",
        regulation="旧规定",
        article="",
        trust="U",
        effective_from=datetime.date(2010, 1, 1),
        effective_to=datetime.date(2018, 6, 30),
    )
    rules.clear_cache()
    org = world.branch1
    org.term_started_on = datetime.date(2016, 7, 1)  # elected under the three-year rule
    org.save()
    assert codes(org, "org.term_expired", on=datetime.date(2019, 7, 1)) == ["ZBT1"]
    org.term_started_on = datetime.date(2019, 7, 1)  # under the 2018 意见: five years
    org.save()
    assert codes(org, "org.term_expired", on=datetime.date(2023, 7, 1)) == []
    assert codes(org, "org.term_expired", on=datetime.date(2024, 7, 1)) == ["ZBT1"]


def test_scope_limits_findings(world):
    add_members(world.branch1, 51)
    add_members(world.branch2, 51)
    assert codes(world.street, "org.branch_size") == ["ZBT1", "ZBT2"]
    assert codes(world.street, "org.branch_size", user=world.admin1) == ["ZBT1"]


# --- what a city-sized run reads once and shares (posts, secretaries, counts, order) ------------------------------


def test_a_member_holding_two_posts_is_one_person_of_the_committee(world):
    people = add_members(world.branch2, 7)
    # three posts held by two people: a committee of two, below the three a committee needs
    positions(world.branch2, [people[0], people[0], people[1]], ["secretary", "committee_member", "committee_member"])
    (f,) = findings(world.community2, "org.committee_composition")
    assert f.object_code == "ZBT2"  # counted by posts it would be a committee of three, and not fire


def test_a_young_secretary_of_two_branches_is_found_in_each_and_only_branches_are_judged(world):
    (new,) = add_members(world.branch2, 1, confirmed=datetime.date(2026, 1, 1))
    positions(world.branch1, [new], ["secretary"])
    positions(world.branch2, [new], ["secretary"])
    positions(world.community2, [new], ["secretary"])  # a general branch's secretary is not judged by this rule
    assert codes(world.street, "org.secretary_party_age") == ["ZBT1", "ZBT2"]
    # the branch outside the checked subtree is not reported
    assert codes(world.community1, "org.secretary_party_age") == ["ZBT1"]


def test_members_count_for_every_org_above_them_even_across_an_org_not_founded_yet(world):
    later = do_create_org(
        acting_user=None,
        parent=world.street,
        code="ZJT9",
        name="新设总支部",
        type="general_branch",
        founded_on=ON + datetime.timedelta(days=1),
    )
    below = do_create_org(acting_user=None, parent=later, code="ZBT8", name="新设党支部", type="branch")
    add_members(below, 100)
    # the general branch does not exist yet on the checked day; the street committee above it still counts them
    assert codes(world.street, "org.may_become_committee") == ["ZBT8"]
    assert codes(world.street, "org.may_become_committee", on=ON + datetime.timedelta(days=1)) == ["ZBT8", "ZJT9"]


def test_findings_come_by_severity_then_rule_then_code(world):
    add_members(world.branch1, 60)
    add_members(world.branch2, 55)
    got = [(f.severity, f.rule, f.object_code) for f in run_checks(world.district, user=EVERYTHING, on=ON)]
    order = {s: i for i, s in enumerate(rules.SEVERITIES)}
    assert got == sorted(got, key=lambda k: (order[k[0]], k[1], k[2]))
    assert ("warning", "org.branch_size", "ZBT1") in got and (
        "reminder",
        "org.may_become_general_branch",
        "ZBT2",
    ) in got


def test_a_check_yielding_another_severity_is_still_sorted(world):
    """The engine sorts each check's findings by code and puts the checks in page order; a check that yields
    findings of another severity or rule makes it sort the whole list."""

    def odd(ctx):
        for code in ("B", "A"):
            yield rules.Finding("zzz.odd", "error", "org", code, code, "m", "s", "a")

    rules.register("zzz.odd", "reminder")(odd)
    try:
        got = [(f.severity, f.rule, f.object_code) for f in run_checks(world.district, user=EVERYTHING, on=ON)]
    finally:
        rules._registry.pop("zzz.odd")
    order = {s: i for i, s in enumerate(rules.SEVERITIES)}
    assert got == sorted(got, key=lambda k: (order[k[0]], k[1], k[2]))
    assert got.index(("error", "zzz.odd", "A")) < got.index(("error", "zzz.odd", "B"))


@pytest.mark.parametrize(
    ("on", "source"),
    [
        (datetime.date(2004, 10, 3), "中国共产党章程第三十条"),
        (datetime.date(2004, 10, 4), "街道社区党的建设工作的意见"),
        (datetime.date(2018, 10, 27), "街道社区党的建设工作的意见"),
        (datetime.date(2018, 10, 28), "党章第三十条；支部工作条例第四条"),
    ],
)
def test_org_required_applies_the_version_in_force(world, on, source):
    """A check as of 2005 applies the 2004 意见 (and before it the charter) instead of skipping the rule."""
    bare = do_create_area(acting_user=None, parent=world.street_area, code="T01001003", name="丙社区", type="community")
    add_members(world.branch1, 3, home_area=bare, category="retired", confirmed=datetime.date(1990, 7, 1))
    Member.objects.update(joined_on=datetime.date(1989, 7, 1))
    (f,) = findings(world.street, "org.required", on=on)
    assert source in f.source
