"""`/api/v1/service-hours/` (issue 16, item 4): the scope contract of the API test base, and the actions — the
community's side verifies once (a second time: 409), the unit side may not (403); a member declares from their own
account and lists their own records only; bad input is 400 in Chinese with nothing written."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from sqdj.core import dates
from sqdj.core.models import ObjectChange
from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.volunteers.models import ServiceHours

from .test_hours import hours_world


class ServiceHoursAPITests(ScopedAPITests, TestCase):
    basename = "servicehours"
    scope_field = "org"
    object_actions = {"verify": {"version": 1}, "reject": {"version": 1, "reason": "不实"},
                      "correct": {"reason": "核对", "hours": "1.5"}}  # fmt: skip

    @classmethod
    def setUpTestData(cls):
        cls.world = hours_world()

    def in_scope(self):
        return self.world.rec_here

    def out_of_scope(self):
        return self.world.rec_away

    def create_data(self):
        return {"member": self.world.local.pk, "org": "SQT1", "served_on": str(self.world.on), "hours": "1.5",
                "content": "政策宣讲", "place": "活动室"}  # fmt: skip

    def update_data(self, obj):
        return {"content": "改"}

    def foreign_value(self):
        return "SQT2"


class ServiceHoursActionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.w = hours_world()

    def url(self, record, action=None):
        return reverse(f"api:servicehours-{action}" if action else "api:servicehours-detail", args=[record.pk])

    def test_verify_once_and_the_unit_side_may_not(self):
        r = self.w.rec_pending
        answer = api_client(self.w.admin2).post(self.url(r, "verify"), {"version": 1})
        self.assertEqual(answer.status_code, 403, answer.content)  # the unit side: reads it, does not verify
        answer = api_client(self.w.admin1).post(self.url(r, "verify"), {"version": 1})
        self.assertEqual(answer.status_code, 200, answer.content)
        self.assertEqual((answer.json()["state"], answer.json()["verified_by"]), ("verified", "admin1"))
        answer = api_client(self.w.admin1).post(self.url(r, "verify"), {"version": 1})
        self.assertEqual(answer.status_code, 409, answer.content)
        self.assertIn("已被他人处理", answer.json()["detail"])

    def test_correct_goes_back_for_verification(self):
        r = self.w.rec_here
        client = api_client(self.w.admin1)
        answer = client.post(self.url(r, "correct"), {"reason": "补记", "hours": "2.5", "version": 1})
        self.assertEqual(answer.status_code, 200, answer.content)
        body = answer.json()
        self.assertEqual((body["hours"], body["version"], body["state"]), ("2.5", 2, "pending"))
        self.assertEqual(client.post(self.url(r, "correct"), {"reason": "再改", "version": 1}).status_code, 409)

    def test_a_member_declares_and_sees_own_only(self):
        client = api_client(self.w.person)
        listed = client.get(reverse("api:servicehours-list")).json()["results"]
        self.assertEqual({row["id"] for row in listed}, {self.w.rec_pending.pk})
        self.assertEqual(client.get(self.url(self.w.rec_here)).status_code, 404)
        body = {"community": "T01001001", "served_on": str(dates.today()), "hours": "2", "content": "讲解",
                "place": "活动室"}  # fmt: skip
        answer = client.post(reverse("api:servicehours-list"), body)
        self.assertEqual(answer.status_code, 201, answer.content)
        self.assertEqual((answer.json()["source"], answer.json()["state"]), ("declared", "pending"))
        self.assertEqual(client.post(self.url(self.w.rec_pending, "verify"), {"version": 1}).status_code, 403)

    def test_bad_hours_are_400_in_chinese_and_nothing_written(self):
        before = (ServiceHours.objects.count(), ObjectChange.objects.count())
        client = api_client(self.w.admin1)
        body = {"member": self.w.local.pk, "org": "SQT1", "served_on": str(self.w.on), "content": "宣讲", "place": "室"}
        for hours, words in (("1.25", "半小时"), ("24.5", "不超过 24"), ("0", "大于 0")):
            answer = client.post(reverse("api:servicehours-list"), {**body, "hours": hours})
            self.assertEqual(answer.status_code, 400, answer.content)
            self.assertIn(words, answer.json()["hours"][0])
        answer = client.post(reverse("api:servicehours-list"), {**body, "hours": "1", "content": "\x00"})
        self.assertEqual(answer.status_code, 400, answer.content)
        answer = client.get(reverse("api:servicehours-list"), {"month": "2026-13"})  # no such month: nothing
        self.assertEqual((answer.status_code, answer.json()["count"]), (200, 0), answer.content)
        self.assertEqual((ServiceHours.objects.count(), ObjectChange.objects.count()), before)
