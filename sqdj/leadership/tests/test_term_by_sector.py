"""The term goes by the org's sector, not by where it is located (issue 13; rules.md 2.2): an enterprise branch under
a 综合党委, located in a community's 网格, serves 3 years and is reported expired after 3; a community branch serves
5. The appointed 街道党工委 has no term, the elected 街道党委 a committee's 5 years."""

from __future__ import annotations

import datetime

import pytest

from sqdj.areas.services import do_create_area
from sqdj.core.models import RuleParameter
from sqdj.core.rules import clear_cache, run_checks
from sqdj.core.scope import EVERYTHING
from sqdj.leadership import terms
from sqdj.orgs.services import do_create_org, do_update_org
from sqdj.testing import build_world

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = datetime.timedelta(days=1)
START = D(2023, 7, 1)


def codes(org, rule, on):
    return sorted(f.object_code for f in run_checks(org, user=EVERYTHING, on=on) if f.rule == rule)


@pytest.fixture
def world():
    w = build_world()
    w.grid = do_create_area(
        acting_user=None, parent=w.community_area1, code="T01001001001", name="甲一网格", type="grid"
    )
    w.zh = do_create_org(
        acting_user=None, parent=w.street, code="ZHT1", name="中共测试街道综合委员会", type="comprehensive_committee"
    )
    # an enterprise branch under the 综合党委, located in a grid of 甲社区: the old guess made it a community org
    w.firm = do_create_org(
        acting_user=None, parent=w.zh, code="ZBQ1", name="中共某科技公司支部委员会", type="branch", area=w.grid,
        term_started_on=START,
    )  # fmt: skip
    w.home = do_create_org(
        acting_user=None, parent=w.community1, code="ZBS1", name="中共甲社区第二党支部", type="branch", area=w.grid,
        term_started_on=START,
    )  # fmt: skip
    return w


def test_sectors_by_default(world):
    assert (world.zh.sector, world.firm.sector, world.home.sector) == ("non_public_enterprise",) * 2 + ("community",)


def test_enterprise_branch_in_a_grid_serves_three_years_and_expires(world):
    end = D(2026, 7, 1)  # START + 3 years: the first day after the term
    assert terms.term_rule(world.firm) == "org.term_years.branch" and terms.term_end(world.firm) == end
    assert codes(world.zh, "org.term_expired", end - DAY) == []
    (f,) = [f for f in run_checks(world.zh, user=EVERYTHING, on=end) if f.rule == "org.term_expired"]
    assert (f.object_code, f.basis) == ("ZBQ1", "org.term_years.branch")
    assert "2026-06-30" in f.message


def test_community_branch_in_the_same_grid_serves_five_years(world):
    assert terms.term_rule(world.home) == "org.term_years.community" and terms.term_end(world.home) == D(2028, 7, 1)
    assert codes(world.community1, "org.term_expired", D(2026, 7, 1)) == []
    assert codes(world.community1, "org.term_expired", D(2028, 7, 1) - DAY) == []
    assert codes(world.community1, "org.term_expired", D(2028, 7, 1)) == ["ZBS1"]


def test_changing_the_sector_changes_the_term(world):
    do_update_org(world.firm, acting_user=None, sector="village")  # a village's branch: 村和社区的党组织
    world.firm.refresh_from_db()
    assert terms.term_end(world.firm) == D(2028, 7, 1)
    assert codes(world.zh, "org.term_expired", D(2026, 7, 1)) == []
    do_update_org(world.home, acting_user=None, sector="state_enterprise")
    world.home.refresh_from_db()
    assert codes(world.community1, "org.term_expired", D(2026, 7, 1)) == ["ZBS1"]


def test_the_community_sectors_are_a_rulebook_row(world):
    row = RuleParameter.objects.get(rule_id=terms.SECTORS_RULE, local=False)
    assert sorted(row.value) == ["community", "village"] and row.effective_from == D(2018, 7, 1)
    assert "任期意见" in row.article
    # a local variant read from the rulebook, not from code: without 社区, the community branch serves 3 years
    RuleParameter.objects.create(
        rule_id=terms.SECTORS_RULE, value=["village"], unit="sectors", regulation="测试", trust="LOCAL",
        effective_from=D(2018, 7, 1), local=True,
    )  # fmt: skip
    clear_cache()
    try:
        assert terms.term_end(world.home) == D(2026, 7, 1)
    finally:
        RuleParameter.objects.filter(local=True).delete()
        clear_cache()


def test_appointed_working_committee_has_no_term_the_elected_subdistrict_committee_has(world):
    world.street.term_started_on = D(2015, 1, 1)  # 街道党工委: appointed (rules.md 2.4)
    world.street.save()
    assert terms.term_rule(world.street) is None and terms.term_end(world.street) is None
    assert codes(world.district, "org.term_expired", D(2026, 6, 30)) == []
    elected = do_create_org(
        acting_user=None, parent=world.district, code="JDT2", name="中共测试街道委员会",
        type="subdistrict_party_committee", term_started_on=START,
    )  # fmt: skip
    assert elected.sector == "subdistrict"
    assert terms.term_rule(elected) == "org.term_years.committee" and terms.term_end(elected) == D(2028, 7, 1)
    assert "JDT2" not in codes(world.district, "org.term_expired", D(2028, 7, 1) - DAY)
    assert "JDT2" in codes(world.district, "org.term_expired", D(2028, 7, 1))
