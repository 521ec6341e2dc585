"""Issue 13, part 6: the synthetic city's units' party organizations (机关, 事业单位, 企业) hold the in-service members,
who live in the communities and most of whom registered there (报到); each 街道党工委 guides the units of the
district's line located in its territory (属地管理), and sees them read only through the gate, not their members
(only those registered with its communities: the other side of the dual visibility)."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from sqdj.accounts.models import User
from sqdj.accounts.roles import Role
from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.scope import EVERYTHING
from sqdj.demo import synthetic
from sqdj.demo.accounts import demo_accounts, ensure_demo_users
from sqdj.members.choices import EXIT_KINDS, EventKind, Standing
from sqdj.members.models import Member, MembershipEvent, MemberState, Registration
from sqdj.members.services import derive_category
from sqdj.orgs.models import GuidanceLink, Org
from sqdj.stats.ledger import reconcile, roll_count
from sqdj.testing.fixtures import generated_once

TODAY = datetime.date(2026, 11, 22)
UNIT_SECTORS = {"government", "institution", "state_enterprise", "non_public_enterprise"}


@pytest.fixture(scope="module")
def _small_city(django_db_setup, django_db_blocker):
    """Generated once for the module with the demo accounts (sqdj.testing.fixtures.generated_once)."""

    def make():
        result = synthetic.generate("small", today=TODAY)
        ensure_demo_users()
        return result

    yield from generated_once(django_db_blocker, make)


@pytest.fixture
def city(_small_city, db):
    return _small_city


def unit_orgs():
    """The units' orgs (the 区委 is a 机关 org and the 综合党委 gathers enterprises, but neither is a unit's)."""
    leading = ["city_committee", "district_committee", "comprehensive_committee"]
    return Org.objects.filter(sector__in=sorted(UNIT_SECTORS)).exclude(type__in=leading)


def unit_members():
    return Member.objects.filter(org__in=unit_orgs())


def test_units_of_each_sector_hold_in_service_members_working_there(city):
    held = Counter(unit_members().values_list("org__sector", flat=True))
    assert set(held) == UNIT_SECTORS and min(held.values()) >= 20, held
    for m in unit_members().select_related("org"):
        assert m.work_status == "employed" and m.category == derive_category("employed", False)
        assert m.work_unit and m.org.name.startswith(f"中共{m.work_unit}"), (m.work_unit, m.org.name)
        assert m.home_area is not None  # every one of them lives in a community of the district
    # the in-service members are mostly the units'; the community orgs hold mostly retired and other members
    employed = Member.objects.filter(work_status="employed")
    assert unit_members().count() > employed.count() / 2
    community = Member.objects.filter(org__sector="community")
    assert community.filter(work_status="employed").count() < 0.25 * community.count()
    assert community.filter(work_status="retired").count() > 0.4 * community.count()
    # the units' orgs are located in the subdistricts: a 商务楼宇 or a community's grid, never above a community
    for org in unit_orgs().select_related("area"):
        assert org.area is not None and org.area.type in ("office_building", "grid"), org.code


def test_most_in_service_members_of_units_registered_where_they_live(city):
    regs = Registration.objects.filter(active=True).select_related("member__home_area", "community")
    assert regs.exists()
    for reg in regs:
        assert reg.member.work_status == "employed"  # only the in-service register (报到)
        assert reg.community.type == "community" and reg.member.home_area.path.startswith(reg.community.path)
        assert reg.registered_on >= reg.member.joined_on
    full = unit_members().filter(member_type="full")
    registered = full.filter(registrations__active=True).count()
    assert 0.7 * full.count() <= registered < full.count()  # most, not all
    assert regs.count() == registered == city["registrations"]


def test_each_street_guides_the_units_of_the_district_line_in_its_territory(city):
    links = list(GuidanceLink.objects.select_related("guide__area", "org__area"))
    assert len(links) == city["guidance_links"] == 6
    for link in links:
        guide, org = link.guide, link.org
        assert guide.type == "subdistrict_committee" and link.kind == "territorial" and link.ended_on is None
        assert not org.path.startswith(guide.path) and org.sector in UNIT_SECTORS  # its line runs elsewhere
        assert org.get_parent_node().type == "district_committee"
        assert org.area.path.startswith(guide.area.path)  # located in the street's territory
        assert link.started_on <= TODAY
    # every unit org of the district's line is guided; the enterprise branches under a 综合党委 need no link
    district_line = unit_orgs().filter(depth=2)
    assert {link.org_id for link in links} == set(district_line.values_list("pk", flat=True))
    assert Counter(link.guide_id for link in links) == {s: 2 for s in {link.guide_id for link in links}}


def test_a_street_admin_sees_a_guided_unit_read_only_and_only_the_members_registered_in_its_streets(city):
    user = User.objects.get(username="jd_admin")
    street = dict((u, org) for u, _d, _r, org in demo_accounts())["jd_admin"]
    guided = [link.org for link in GuidanceLink.objects.filter(guide=street)]
    assert guided
    seen = Org.objects.restrict(user, "view")
    for unit in guided:
        subtree = Org.objects.filter(path__startswith=unit.path)
        assert seen.filter(path__startswith=unit.path).count() == subtree.count()  # the unit and its branches
        assert not Org.objects.restrict(user, "change").filter(path__startswith=unit.path).exists()  # read only
        members = Member.objects.filter(org__path__startswith=unit.path)
        visible = set(
            Member.objects.restrict(user, "view").filter(org__path__startswith=unit.path).values_list("pk", flat=True)
        )
        here = set(
            members.filter(
                registrations__active=True, registrations__community__path__startswith=street.area.path
            ).values_list("pk", flat=True)
        )
        assert visible == here  # the link shows the org, not its members; 报到 shows those registered here
        assert len(visible) < members.count()
    assert GuidanceLink.objects.restrict(user, "view").filter(guide=street).count() == len(guided)
    # a unit of the district's line located in another street is not seen at all
    others = GuidanceLink.objects.exclude(guide=street).values_list("org_id", flat=True)
    assert others and not seen.filter(pk__in=list(others)).exists()


def test_a_community_admin_sees_the_unit_members_registered_there_not_their_org(city):
    reg = Registration.objects.filter(active=True).select_related("member__org", "community").order_by("pk").first()
    community_org = Org.objects.get(code=f"SQ{reg.community.code}")
    user = do_create_user("sq_units_test", password=None, display_name="测试", validate=False)
    do_grant_role(user, role=Role.COMMUNITY_ADMIN, org=community_org, descendants=True)
    assert Member.objects.restrict(user, "view").filter(pk=reg.member_id).exists()
    assert not Member.objects.restrict(user, "change").filter(pk=reg.member_id).exists()
    assert not Org.objects.restrict(user, "view").filter(pk=reg.member.org_id).exists()


def test_the_demo_accounts_still_hang_where_they_did(city):
    orgs = {u: org for u, _d, _r, org in demo_accounts()}
    assert orgs["qu_admin"].type == "district_committee" and orgs["jd_admin"].type == "subdistrict_committee"
    assert orgs["sq_admin"].sector == orgs["zb_admin"].sector == "community"
    assert Member.objects.filter(user__username="dangyuan", org=orgs["dangyuan"]).exists()


def test_members_with_each_ledger_kind(city):
    """A few members leave the count each way the services record (停止党籍, 死亡, the five ways out of the party), one
    suspended member is restored, one is on 留党察看; the standing, the ledger and the dated states agree, and the
    district's ledger reconciles with the roll."""
    kinds = Counter(
        MembershipEvent.objects.exclude(kind__in=["joined", "transferred_in"]).values_list("kind", flat=True)
    )
    assert kinds[EventKind.SUSPENDED] == 2 and kinds[EventKind.RESTORED] == 1 and kinds[EventKind.DIED] == 1
    assert all(kinds[k] == 1 for k in EXIT_KINDS)
    assert Member.objects.filter(standing=Standing.SUSPENDED).count() == 1
    assert MemberState.objects.filter(kind="probation_discipline").count() == 1
    district = Org.objects.filter(type="district_committee").order_by("path").first()
    figures = reconcile(district, user=EVERYTHING, start=TODAY - datetime.timedelta(days=500), end=TODAY)
    assert figures["balanced"] and figures["decreases"]["total"] == 2 + 1 + len(EXIT_KINDS)
    assert figures["end"] == roll_count(district, EVERYTHING, TODAY)
