"""/api/v1/members/: the scope contract (ScopedAPITests: scope, viewer, change rows, masking, reveal), and what is
particular to members: pinyin search, ID number validation, numbers kept on update, the reveal log."""

import json

import pytest
from django.test import TestCase

from sqdj.core import pii
from sqdj.core.models import ObjectChange
from sqdj.members.models import Member, PiiReveal
from sqdj.members.services import do_create_member
from sqdj.testing import build_world
from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.testing.members import member_data


class MemberAPITests(ScopedAPITests, TestCase):
    basename = "member"
    scope_field = "org"
    pii_fields = ("id_number", "phone")
    reveal_action = "reveal"
    object_actions = {"reveal": {"reason": "办理接转"}}

    @classmethod
    def setUpTestData(cls):
        cls.world = w = build_world()
        cls.m1 = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="张三丰"))
        cls.m2 = do_create_member(acting_user=None, **member_data(w.branch2, seq=2, name="李四光"))

    def in_scope(self):
        return self.m1

    def out_of_scope(self):
        return self.m2

    def create_data(self):
        data = member_data(self.world.branch1, seq=5, name="王五")
        data.pop("home_area")
        return {**data, "org": self.world.branch1.code}

    def update_data(self, obj):
        return {"work_unit": "新单位"}

    def foreign_value(self):
        return self.world.branch2.code


pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    w.m1 = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="张三丰"))
    w.m2 = do_create_member(acting_user=None, **member_data(w.branch2, seq=2, name="李四光"))
    return w


def test_list_and_pinyin_search(world):
    client = api_client(world.admin1)
    r = client.get("/api/v1/members/")
    assert r.status_code == 200
    assert [m["name"] for m in r.json()["results"]] == ["张三丰"]
    assert client.get("/api/v1/members/", {"q": "zsf"}).json()["count"] == 1


def test_create_validates_and_logs_no_full_number(world):
    c = api_client(world.admin1)
    data = member_data(world.branch1, seq=5, name="王五")
    data["org"] = "ZBT1"
    data.pop("home_area")
    bad = {**data, "id_number": data["id_number"][:17] + ("0" if data["id_number"][17] != "0" else "1")}
    before = ObjectChange.objects.count()
    r = c.post("/api/v1/members/", bad)
    assert r.status_code == 400 and "id_number" in r.json()
    assert ObjectChange.objects.count() == before and not Member.objects.filter(name="王五").exists()
    r = c.post("/api/v1/members/", data)
    assert r.status_code == 201, r.json()
    assert r.json()["id_number_masked"] == pii.mask_id_number(data["id_number"])
    change = ObjectChange.objects.first()
    assert data["id_number"] not in json.dumps(change.postchange_data, ensure_ascii=False)


def test_update_keeps_numbers_and_members_are_never_deleted(world):
    r = api_client(world.admin1).patch(f"/api/v1/members/{world.m1.pk}/", {"work_unit": "新单位"})
    assert r.status_code == 200
    m = Member.objects.get(pk=world.m1.pk)
    assert (m.work_unit, m.id_number) == ("新单位", world.m1.id_number)
    assert api_client(world.admin1).delete(f"/api/v1/members/{world.m1.pk}/").status_code == 405


def test_reveal_is_logged_with_its_reason(world):
    url = f"/api/v1/members/{world.m1.pk}/reveal/"
    r = api_client(world.admin1).post(url, {"reason": "办理接转"})
    assert r.status_code == 200
    assert PiiReveal.objects.filter(user=world.admin1, member=world.m1, reason="办理接转").count() == 1
    assert api_client(world.admin1).post(url, {"reason": ""}).status_code == 400
    assert PiiReveal.objects.count() == 1
