"""/api/v1/outflows/ and /api/v1/inflows/: scope (out of scope 404), masking, validation errors (400), the steps."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import TestCase

from sqdj.core.dates import today
from sqdj.members.services import do_create_member
from sqdj.testing import build_world
from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.testing.members import make_id_number, member_data
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import mobile_services as M
from sqdj.transfers.models import Inflow, Outflow

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ID = make_id_number(datetime.date(1980, 3, 2), 41)


@pytest.fixture
def tw():
    return build_transfer_world()


class OutflowAPITests(ScopedAPITests, TestCase):
    basename = "outflow"
    scope_field = "member"  # a record's scope is its member's org; the member never changes
    pii_fields = ("contact",)
    object_actions = {"contact": {}, "lost": {}, "end": {"end_reason": "returned"}}

    @classmethod
    def setUpTestData(cls):
        cls.world = w = build_world()
        cls.m1 = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="张三丰"))
        cls.m2 = do_create_member(acting_user=None, **member_data(w.branch2, seq=2, name="李四光"))
        cls.m3 = do_create_member(acting_user=None, **member_data(w.branch1, seq=3, name="王五"))
        cls.o1 = M.do_record_outflow(cls.m1, acting_user=None, left_on=today() - 300 * DAY, destination="深圳市",
                                     contact="13912345678")  # fmt: skip
        cls.o2 = M.do_record_outflow(cls.m2, acting_user=None, left_on=today() - 300 * DAY, destination="成都市",
                                     contact="13912340000")  # fmt: skip

    def in_scope(self):
        return self.o1

    def out_of_scope(self):
        return self.o2

    def create_data(self):
        return {"member": self.m3.pk, "left_on": today() - 10 * DAY, "destination": "北京市", "contact": "13600001111"}

    def update_data(self, obj):
        return {"destination": "广州市"}

    def foreign_value(self):
        return self.m2.pk


class InflowAPITests(ScopedAPITests, TestCase):
    basename = "inflow"
    scope_field = "host_org"
    pii_fields = ("id_number", "phone")
    object_actions = {"verify": {"note": "查验身份证"}, "contact": {}, "end": {"end_reason": "left"}}

    @classmethod
    def setUpTestData(cls):
        cls.world = w = build_world()
        common = {"acting_user": None, "home_org_name": "中共某县某村支部", "arrived_on": today() - 40 * DAY}
        ids = (make_id_number(datetime.date(1980, 3, 2), n) for n in (51, 52))
        cls.i1 = M.do_register_inflow(name="赵流入", id_number=next(ids), phone="13712345678", host_org=w.community1,
                                      **common)  # fmt: skip
        cls.i2 = M.do_register_inflow(name="钱流入", id_number=next(ids), phone="13712340000", host_org=w.community2,
                                      **common)  # fmt: skip

    def in_scope(self):
        return self.i1

    def out_of_scope(self):
        return self.i2

    def create_data(self):
        return {"name": "孙流入", "id_number": ID, "phone": "13700001111", "home_org_name": "外地支部",
                "arrived_on": today() - DAY, "host_org": self.world.branch1.code}  # fmt: skip

    def update_data(self, obj):
        return {"home_org_name": "另一个支部"}

    def foreign_value(self):
        return self.world.community2.code


def test_outflow_create_read_masked_and_scoped(tw):
    c = api_client(tw.sender)
    body = {
        "member": tw.member.pk,
        "left_on": str(today() - 200 * DAY),
        "destination": "深圳市",
        "contact": "13912345678",
    }
    r = c.post("/api/v1/outflows/", body)
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["contact_masked"] == "139******78" and "contact" not in data
    assert "13912345678" not in r.content.decode()
    assert data["org"] == tw.world.branch1.code and data["months_away"] == 6
    pk = data["id"]
    listing = c.get("/api/v1/outflows/").content.decode()
    assert "13912345678" not in listing and str(pk) in listing
    # the receiving end's admin sees nothing of it
    other = api_client(tw.receiver)
    assert other.get(f"/api/v1/outflows/{pk}/").status_code == 404
    assert other.post(f"/api/v1/outflows/{pk}/lost/", {}).status_code == 404
    assert other.patch(f"/api/v1/outflows/{pk}/", {"destination": "x"}).status_code == 404
    assert other.get("/api/v1/outflows/").json()["results"] == []


def test_outflow_bad_input_is_400_and_saves_nothing(tw):
    c = api_client(tw.sender)
    r = c.post("/api/v1/outflows/", {"member": tw.member.pk, "left_on": str(today() + DAY), "destination": "深圳"})
    assert r.status_code == 400
    assert CHINESE.search(r.json()["left_on"][0])  # "Cannot be in the future." in Chinese
    # a member out of scope does not exist for the caller
    r = api_client(tw.receiver).post(
        "/api/v1/outflows/", {"member": tw.member.pk, "left_on": str(today()), "destination": "x"}
    )
    assert r.status_code == 400 and "member" in r.json()
    assert not Outflow.objects.exists()


def test_outflow_steps(tw):
    o = M.do_record_outflow(tw.member, acting_user=tw.sender, left_on=today() - 300 * DAY, destination="深圳")
    c = api_client(tw.sender)
    r = c.post(f"/api/v1/outflows/{o.pk}/lost/", {"since": str(today())})
    assert r.status_code == 200 and r.json()["lost_contact_since"] == str(today())
    r = c.post(f"/api/v1/outflows/{o.pk}/contact/", {"on": str(today() + DAY)})
    assert r.status_code == 400 and "on" in r.json()
    r = c.post(f"/api/v1/outflows/{o.pk}/end/", {"end_reason": "returned"})
    assert r.status_code == 200 and r.json()["ended_on"] == str(today())
    r = c.patch(f"/api/v1/outflows/{o.pk}/", {"destination": "别处"})
    assert r.status_code == 400


def test_inflow_masked_verified_then_branch(tw):
    c = api_client(tw.receiver)
    body = {"name": "王流入", "id_number": ID, "phone": "13712345678", "home_org_name": "外地支部",
            "arrived_on": str(today() - 10 * DAY), "host_org": tw.branch3.code}  # fmt: skip
    r = c.post("/api/v1/inflows/", body)
    assert r.status_code == 201, r.content
    text = r.content.decode()
    assert ID not in text and "13712345678" not in text
    pk = r.json()["id"]
    assert r.json()["id_number_masked"] == ID[:2] + "*" * 16
    assert c.post("/api/v1/inflows/", body).status_code == 400  # one open inflow per person
    r = c.post(f"/api/v1/inflows/{pk}/branch/", {"branch": tw.branch3.code})
    assert r.status_code == 400 and "branch" in r.json()
    r = c.post(f"/api/v1/inflows/{pk}/verify/", {"note": "查验身份证"})
    assert r.status_code == 200 and r.json()["verified_by"] == "receiver"
    r = c.post(f"/api/v1/inflows/{pk}/branch/", {"branch": tw.branch3.code})
    assert r.status_code == 200 and r.json()["branch"] == tw.branch3.code
    # out of scope: 404
    other = api_client(tw.sender)
    assert other.get(f"/api/v1/inflows/{pk}/").status_code == 404
    assert other.post(f"/api/v1/inflows/{pk}/verify/", {"note": "查验"}).status_code == 404
    assert Inflow.objects.count() == 1


def test_inflow_bad_id_number_is_400_in_chinese(tw):
    body = {"name": "王流入", "id_number": ID[:17] + ("0" if ID[17] != "0" else "1"), "home_org_name": "外地支部",
            "arrived_on": str(today()), "host_org": tw.branch3.code}  # fmt: skip
    r = api_client(tw.receiver).post("/api/v1/inflows/", body)
    assert r.status_code == 400 and CHINESE.search(r.json()["id_number"][0])
    assert not Inflow.objects.exists()
