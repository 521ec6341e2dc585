"""`/api/v1/registrations/` (issue 16, part 1): the scope contract of the API test base, and the two actions — the
member's own org confirms (the community's side may not: 403), either side ends; a second confirmation is 409; bad
input is 400 in Chinese with nothing written."""

from __future__ import annotations

import datetime

from django.test import TestCase
from django.urls import reverse

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core import dates
from sqdj.core.models import ObjectChange
from sqdj.members.models import Registration
from sqdj.members.services import do_create_member, do_register
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.testing.members import member_data

ON = datetime.date(2026, 3, 2)


class RegistrationAPITests(ScopedAPITests, TestCase):
    basename = "registration"
    scope_field = "member"
    object_actions = {"confirm": {}, "end": {"reason": "asked"}}

    @classmethod
    def setUpTestData(cls):
        cls.world = w = build_world()
        mine = do_create_member(acting_user=None, **member_data(w.branch1, seq=41, name="周本支部"))
        cls.unregistered = do_create_member(acting_user=None, **member_data(w.branch1, seq=42, name="吴未报到"))
        cls.foreign = do_create_member(acting_user=None, **member_data(w.branch2, seq=43, name="郑他处"))
        cls.inside = do_register(mine, acting_user=None, community=w.community_area2, registered_on=ON)
        cls.outside = do_register(cls.foreign, acting_user=None, community=w.community_area2, registered_on=ON)

    def in_scope(self):
        return self.inside

    def out_of_scope(self):
        return self.outside

    def create_data(self):
        return {"member": self.unregistered.pk, "community": "T01001002", "registered_on": str(ON)}

    def update_data(self, obj):
        return {"skills": "理发"}

    def foreign_value(self):
        return self.foreign.pk


class RegistrationActionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.w = w = build_world()
        cls.admin2 = do_create_user("admin2", password=PASSWORD, validate=False)
        do_grant_role(cls.admin2, role="community_admin", org=w.community2, descendants=True)
        member = do_create_member(acting_user=None, **member_data(w.branch2, seq=44, name="王两边"))
        cls.reg = do_register(member, acting_user=None, community=w.community_area1, registered_on=ON)

    def url(self, action):
        return reverse(f"api:registration-{action}", args=[self.reg.pk])

    def test_the_unit_side_confirms_once_and_the_community_may_not(self):
        r = api_client(self.w.admin1).post(self.url("confirm"), {})  # the community's side: sees it, 403
        self.assertEqual(r.status_code, 403, r.content)
        r = api_client(self.admin2).post(self.url("confirm"), {"on": str(dates.today())})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual((r.json()["status"], r.json()["confirmed_on"]), ("confirmed", str(dates.today())))
        r = api_client(self.admin2).post(self.url("confirm"), {})
        self.assertEqual(r.status_code, 409, r.content)
        self.assertIn("已于", r.json()["detail"])

    def test_a_bad_end_is_400_in_chinese_and_writes_nothing(self):
        before = ObjectChange.objects.count()
        client = api_client(self.w.admin1)
        r = client.post(self.url("end"), {"reason": "moved", "ended_on": "2000-01-01"})
        self.assertEqual(r.status_code, 400, r.content)
        self.assertIn("不能早于开始日期", str(r.json()))
        r = client.post(self.url("end"), {"reason": "bogus"})
        self.assertEqual(r.status_code, 400, r.content)
        self.assertEqual(ObjectChange.objects.count(), before)
        self.assertTrue(Registration.objects.get(pk=self.reg.pk).active)
        r = client.post(self.url("end"), {"reason": "moved", "note": "搬家"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual((r.json()["status"], r.json()["end_reason"]), ("ended", "moved"))
        self.assertEqual(client.post(self.url("end"), {"reason": "moved"}).status_code, 409)
