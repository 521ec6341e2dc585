"""单位报到 meets 共驻共建 (issue 16 item 1): the volunteers app's unit registration and the units app's co-building
see each other through panels declared by label (neither app imports the other). On the registration's page: the
registered org's units, their agreements in force with the community's org, their council seats; on the unit's page:
the communities its org registered with. Both through the scope gate."""

from __future__ import annotations

import datetime

import pytest

from sqdj.orgs.services import do_create_org
from sqdj.testing import build_world
from sqdj.units import councils
from sqdj.units.models import Unit
from sqdj.volunteers.services import do_register_unit

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def w():
    w = build_world()
    w.unit_org = do_create_org(acting_user=None, parent=w.community1, code="DWZB7", name="甲公司党支部", type="branch")
    w.unit = Unit.objects.create(name="甲科技有限公司", credit_code="91110000MA00000077",
                                 category="non_public_enterprise", area=w.community_area1, employees=50,
                                 party_members=5, org=w.unit_org)  # fmt: skip
    w.other = Unit.objects.create(name="乙商贸有限公司", credit_code="91110000MA00000078",
                                  category="non_public_enterprise", area=w.community_area2, employees=20,
                                  party_members=2)  # fmt: skip
    w.reg = do_register_unit(acting_user=None, org=w.unit_org, community=w.community_area1,
                             registered_on=D(2026, 1, 5), commitments="法律咨询")  # fmt: skip
    w.agreement = councils.do_create_agreement(
        acting_user=None, org=w.community1, units=[w.unit], title="甲社区结对共建协议", signed_on=D(2026, 1, 1),
        starts_on=D(2026, 1, 1), ends_on=D(2099, 12, 31), org_commitments="场地", unit_commitments="志愿服务",
    )  # fmt: skip
    w.expired = councils.do_create_agreement(
        acting_user=None, org=w.community1, units=[w.unit], title="往年共建协议", signed_on=D(2020, 1, 1),
        starts_on=D(2020, 1, 1), ends_on=D(2020, 12, 31), org_commitments="场地", unit_commitments="资金",
    )  # fmt: skip
    council = councils.do_create_council(acting_user=None, org=w.community1, kind="joint_council",
                                         name="甲社区党建联席会", term_started_on=D(2026, 1, 1))  # fmt: skip
    councils.do_add_council_member(council, acting_user=None, unit=w.unit, representative="张代表",
                                   started_on=D(2026, 1, 1))  # fmt: skip
    return w


def test_the_registration_page_shows_the_co_building_of_the_org_s_units(w, client):
    client.force_login(w.admin1)
    page = client.get(w.reg.get_absolute_url()).content.decode()
    section = page.split('id="cobuilding"', 1)[1]
    assert "甲科技有限公司" in section and "甲社区结对共建协议" in section and "甲社区党建联席会" in section
    assert "往年共建协议" not in section  # only the agreements in force
    assert "乙商贸有限公司" not in section


def test_the_unit_page_shows_where_its_org_registered(w, client):
    client.force_login(w.admin1)
    page = client.get(w.unit.get_absolute_url()).content.decode()
    assert 'id="unit-registrations"' in page and "法律咨询" in page
    assert 'id="unit-registrations"' not in client.get(w.other.get_absolute_url()).content.decode()  # no org


def test_the_panels_hold_to_the_gate(w, client):
    """The viewer of community 1 reads both; the admin of community 2 sees neither the registration nor the unit."""
    client.force_login(w.viewer1)
    assert 'id="cobuilding"' in client.get(w.reg.get_absolute_url()).content.decode()
    client.force_login(w.nobody)
    assert client.get(w.reg.get_absolute_url()).status_code == 404
    assert client.get(w.unit.get_absolute_url()).status_code == 404
