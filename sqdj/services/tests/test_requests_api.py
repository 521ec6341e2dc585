"""`/api/v1/requests/` and `/api/v1/request-categories/`: the scope contract (ScopedAPITests), the contact masked in
every answer, the steps with their version (a stale one: 409), the assigned member's start and resolve."""

from __future__ import annotations

from django.test import TestCase

from sqdj.core.models import ObjectChange
from sqdj.services import requests as services
from sqdj.services.choices import RequestState
from sqdj.services.models import Category, Request
from sqdj.testing.api import ScopedAPITests, api_client

from .test_requests import RequestWorld

S = RequestState


class RequestAPITests(ScopedAPITests, TestCase):
    basename = "request"
    scope_field = "area"
    pii_fields = ("contact_name", "contact_phone")
    object_actions = {"accept": {"version": 1}, "assign": {"version": 1, "branch": "ZBT1"},
                      "decline": {"version": 1, "reason": "不属于本社区"}}  # fmt: skip

    @classmethod
    def setUpTestData(cls):
        cls.world = RequestWorld()

    def in_scope(self):
        return Request.objects.get(pk=self.world.req1.pk)

    def out_of_scope(self):
        return Request.objects.get(pk=self.world.req2.pk)

    def create_data(self):
        return {
            "summary": "接口诉求",
            "description": "路面破损",
            "area": self.world.grid1.code,
            "source": "hotline",
            "category": "linli",
            "contact_name": "李四",
            "contact_phone": "13812345678",
            "consent": True,
        }

    def update_data(self, obj):
        return {"summary": "改"}

    def foreign_value(self):
        return self.world.community_area2.code

    def test_steps_with_versions_and_a_conflict(self):
        w, client = self.world, api_client(self.world.admin1)
        r = self.in_scope()
        url = lambda name: self.action_url(r.pk, name)  # noqa: E731
        answer = client.post(url("accept"), {"version": r.version})
        assert answer.status_code == 200 and answer.json()["state"] == S.ACCEPTED
        stale = client.post(url("refer"), {"version": r.version, "reason": "别处"})
        assert stale.status_code == 409
        version = answer.json()["version"]
        bad = client.post(url("resolve"), {"version": version, "outcome": ""})
        assert bad.status_code == 400 and "outcome" in bad.json()
        answer = client.post(url("assign"), {"version": version, "member": w.member.pk})
        assert answer.status_code == 200 and answer.json()["assigned_member"] == w.member.pk
        assert "13812345678" not in answer.content.decode() and "李四" not in answer.content.decode()
        # the assigned member starts and resolves it through the API; not close it
        mine = api_client(w.member_user)
        version = answer.json()["version"]
        answer = mine.post(url("start"), {"version": version})
        assert answer.status_code == 200, answer.content
        answer = mine.post(url("resolve"), {"version": answer.json()["version"], "outcome": "已处理"})
        assert answer.status_code == 200 and answer.json()["state"] == S.RESOLVED
        version = answer.json()["version"]
        assert mine.post(url("close"), {"version": version}).status_code == 403
        answer = client.post(url("rate"), {"version": version, "satisfaction": "satisfied"})
        assert answer.status_code == 200 and answer.json()["satisfaction"] == "satisfied"
        answer = client.post(url("close"), {"version": answer.json()["version"]})
        assert answer.status_code == 200 and answer.json()["state"] == S.CLOSED

    def test_the_member_sees_only_what_is_assigned_to_them(self):
        w = self.world
        mine = api_client(w.member_user)
        assert mine.get(self.list_url()).json()["results"] == []
        r = self.in_scope()
        services.do_assign(r, acting_user=w.admin1, version=r.version, member=w.member)
        assert {row["id"] for row in mine.get(self.list_url()).json()["results"]} == {r.pk}
        before = ObjectChange.objects.count()
        assert mine.post(self.list_url(), self.create_data()).status_code == 403
        assert mine.post(self.action_url(r.pk, "accept"), {"version": 2}).status_code == 403
        assert ObjectChange.objects.count() == before

    def test_filters_take_any_string(self):
        client = api_client(self.world.admin1)
        for params in ({"category": "不存在"}, {"area": "x"}, {"overdue": "true"}, {"q": "SQ"},
                       {"assigned_to_me": "true"}, {"escalated": "false"}):  # fmt: skip
            assert client.get(self.list_url(), params).status_code in (200, 400), params


class CategoryAPITests(ScopedAPITests, TestCase):
    basename = "category"
    scope_field = "org"

    @classmethod
    def setUpTestData(cls):
        cls.world = RequestWorld()
        cls.mine = Category.objects.create(org=cls.world.community1, code="own1", name="本社区类别")
        cls.theirs = Category.objects.create(org=cls.world.community2, code="own2", name="乙社区类别")

    def in_scope(self):
        return self.mine

    def out_of_scope(self):
        return self.theirs

    def create_data(self):
        return {"org": "SQT1", "code": "api1", "name": "接口类别"}

    def update_data(self, obj):
        return {"name": "改名"}

    def foreign_value(self):
        return "SQT2"

    def test_national_ones_only_by_a_superuser(self):
        before = Category.objects.count()
        r = api_client(self.world.admin1).post(self.list_url(), {"org": None, "code": "nat9", "name": "全国"})
        assert r.status_code == 403 and Category.objects.count() == before
        r = api_client(self.world.superuser).post(self.list_url(), {"org": None, "code": "nat9", "name": "全国"})
        assert r.status_code == 201
