"""单位报到 (issue 16, part 1): a unit's party organization registers with a community — the unit side acts; both
sides list it; either side ends it with a day and a reason, the history kept. Bad input: a Chinese message and nothing
written. The pages and the API through the scope gate (the API test base)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core import dates
from sqdj.core.models import ObjectChange
from sqdj.core.services import Conflict, ScopeViolation
from sqdj.orgs.services import do_create_org
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.api import ScopedAPITests
from sqdj.volunteers import services
from sqdj.volunteers.models import UnitRegistration

ON = datetime.date(2026, 3, 2)
DAY = datetime.timedelta(days=1)


def unit_world():
    """A unit org under each community's line (admin1 changes the first), each registered with the other's
    community: admin1 sees its own unit's registration (org line) and the other unit's with 甲社区 (territory)."""
    w = build_world()
    w.unit1 = do_create_org(acting_user=None, parent=w.community1, code="DWZB1", name="甲公司党支部", type="branch")
    w.unit2 = do_create_org(acting_user=None, parent=w.community2, code="DWZB2", name="乙公司党支部", type="branch")
    w.admin2 = do_create_user("admin2", password=PASSWORD, validate=False)
    do_grant_role(w.admin2, role="community_admin", org=w.community2, descendants=True)
    w.reg1 = services.do_register_unit(acting_user=None, org=w.unit1, community=w.community_area2, registered_on=ON)
    w.reg_away = services.do_register_unit(acting_user=None, org=w.unit2, community=w.community_area2,
                                           registered_on=ON)  # fmt: skip
    w.reg_here = services.do_register_unit(acting_user=None, org=w.unit2, community=w.community_area1,
                                           registered_on=ON)  # fmt: skip
    return w


@pytest.fixture
def w(db):
    return unit_world()


def test_the_unit_side_registers_any_community_once(w):
    with pytest.raises(ScopeViolation):  # admin1 does not hold the second unit's org
        services.do_register_unit(acting_user=w.admin1, org=w.unit2, community=w.community_area1, registered_on=ON)
    with pytest.raises(ValidationError) as exc:
        services.do_register_unit(acting_user=w.admin1, org=w.unit1, community=w.community_area2, registered_on=ON)
    assert "已在该社区报到" in exc.value.message_dict["community"][0]
    with pytest.raises(ValidationError) as exc:
        services.do_register_unit(acting_user=w.admin1, org=w.unit1, community=w.street_area,
                                  registered_on=dates.today() + DAY)  # fmt: skip
    assert set(exc.value.message_dict) == {"community", "registered_on"}
    reg = services.do_register_unit(acting_user=w.admin1, org=w.unit1, community=w.community_area1, registered_on=ON,
                                    commitments=" 场地、志愿者 ")  # fmt: skip
    assert reg.active and reg.commitments == "场地、志愿者"
    assert ObjectChange.objects.filter(content_type__model="unitregistration", object_id=reg.pk).count() == 1


def test_either_side_ends_it_and_the_history_stays(w):
    with pytest.raises(ValidationError) as exc:
        services.do_end_unit_registration(w.reg_here, acting_user=w.admin1, reason="moved", ended_on=ON - DAY)
    assert "ended_on" in exc.value.message_dict
    w.reg_here.refresh_from_db()
    assert w.reg_here.active
    reg = services.do_end_unit_registration(w.reg_here, acting_user=w.admin1, reason="moved", note="迁出")
    assert (reg.active, reg.ended_on, reg.end_reason, reg.end_note) == (False, dates.today(), "moved", "迁出")
    with pytest.raises(Conflict):
        services.do_end_unit_registration(reg, acting_user=w.admin2, reason="asked")
    assert UnitRegistration.objects.filter(pk=reg.pk).exists()


def test_the_pages_through_the_gate(w, client):
    def url(reg, page=""):
        return reverse(f"volunteers:unitregistration_{page}" if page else "volunteers:unitregistration", args=[reg.pk])

    r = client.get(url(w.reg1))
    assert r.status_code == 302 and reverse("login") in r["Location"]
    client.force_login(w.admin1)
    listed = client.get(reverse("volunteers:unitregistration_list"))
    assert {row.record.pk for row in listed.context["table"].page.object_list} == {w.reg1.pk, w.reg_here.pk}
    for page in ("", "edit", "end", "changes"):
        assert client.get(url(w.reg_away, page)).status_code == 404, page
        assert client.get(url(w.reg1, page)).status_code == 200, page
    r = client.post(reverse("volunteers:unitregistration_add"),
                    {"org": w.unit1.pk, "community": w.community_area1.pk, "registered_on": str(ON),
                     "commitments": "党员志愿者十人"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    made = UnitRegistration.objects.get(org=w.unit1, community=w.community_area1)
    r = client.post(url(made, "end"), {"ended_on": str(dates.today())})  # no reason: the form again
    assert r.status_code == 200 and r.context["form"].errors["reason"]
    r = client.post(url(made, "end"), {"ended_on": str(dates.today()), "reason": "asked"})
    assert r.status_code == 302
    made.refresh_from_db()
    assert not made.active
    client.force_login(w.nobody)
    assert client.get(url(w.reg1)).status_code == 404


class UnitRegistrationAPITests(ScopedAPITests, TestCase):
    basename = "unitregistration"
    scope_field = "org"
    object_actions = {"end": {"reason": "asked"}}

    @classmethod
    def setUpTestData(cls):
        cls.world = unit_world()

    def in_scope(self):
        return self.world.reg1

    def out_of_scope(self):
        return self.world.reg_away

    def create_data(self):
        return {"org": "DWZB1", "community": "T01001001", "registered_on": str(ON)}

    def update_data(self, obj):
        return {"commitments": "会议室开放"}

    def foreign_value(self):
        return "DWZB2"
