"""The council, decision and agreement resources of the API: the scope contract (ScopedAPITests), a decision's
status through the service, a stale version → 409 with a Chinese detail."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.units.models import Decision
from sqdj.units.tests.test_councils import council_world


class CouncilWorldAPITests(ScopedAPITests):
    inside = outside = ""

    @classmethod
    def setUpTestData(cls):
        cls.world = council_world()

    def in_scope(self):
        return getattr(self.world, self.inside)

    def out_of_scope(self):
        return getattr(self.world, self.outside)


class CouncilAPITests(CouncilWorldAPITests, TestCase):
    basename, inside, outside = "council", "council1", "council2"
    scope_field = "org"

    def create_data(self):
        return {"org": "SQT1", "kind": "coordination", "name": "新协调委员会", "term_started_on": "2025-01-01"}

    def update_data(self, obj):
        return {"name": "甲社区党建联席会（第二届）"}

    def foreign_value(self):
        return "SQT2"


class AgreementAPITests(CouncilWorldAPITests, TestCase):
    basename, inside, outside = "agreement", "agreement1", "agreement2"
    scope_field = "org"

    def create_data(self):
        return {"org": "SQT1", "units": [self.world.unit1b.pk], "title": "新协议", "signed_on": "2025-01-01",
                "starts_on": "2025-01-01", "ends_on": "2026-01-01", "org_commitments": "甲",
                "unit_commitments": "乙"}  # fmt: skip

    def update_data(self, obj):
        return {"unit_commitments": "改"}

    def foreign_value(self):
        return "SQT2"

    def test_ending_before_it_starts_is_400_in_chinese(self):
        r = self.api(self.admin).post(self.list_url(), {**self.create_data(), "ends_on": "2024-01-01"},
                                      HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json(), {"ends_on": ["协议的终止日期不能早于开始日期。"]})


class DecisionAPITests(CouncilWorldAPITests, TestCase):
    basename, inside, outside = "decision", "decision1", "decision2"
    object_actions = {"status": {"status": "in_progress", "version": 1}}

    def create_data(self):
        return {"council": self.world.council1.pk, "title": "新事项", "owner": self.world.unit1b.pk,
                "due_on": "2099-01-01"}  # fmt: skip

    def update_data(self, obj):
        return {"title": "改后事项", "version": Decision.objects.get(pk=obj.pk).version}

    def test_status_change_and_conflict(self):
        client, d = api_client(self.admin), self.world.decision1
        url = reverse("api:decision-status", args=[d.pk])
        r = client.post(url, {"status": "in_progress", "version": 1})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual((r.json()["status"], r.json()["version"]), ("in_progress", 2))
        r = client.post(url, {"status": "done", "version": 1}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertEqual(r.status_code, 409)
        self.assertEqual(r.json(), {"detail": "该议定事项已被他人修改，请刷新后重试。"})
        r = client.post(url, {"status": "open", "version": 2})
        self.assertEqual(r.status_code, 400)
        r = client.post(url, {"status": "dropped", "version": 2}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertEqual(r.json(), {"note": ["撤销议定事项须填写理由。"]})

    def test_without_owner_or_due_date_is_400(self):
        r = self.api(self.admin).post(self.list_url(), {"council": self.world.council1.pk, "title": "x"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(set(r.json()), {"owner", "due_on"})
