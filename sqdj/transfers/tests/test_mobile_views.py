"""Mobile members' pages: the scope contract (ScopedViewTests), masking, the detail pages' actions, the member
page's section."""

from __future__ import annotations

import datetime
import re

from django.test import TestCase
from django.urls import reverse

from sqdj.core.dates import today
from sqdj.members.services import do_create_member
from sqdj.testing import ScopedViewTests, build_world
from sqdj.testing.members import make_id_number, member_data
from sqdj.transfers import mobile_services as M
from sqdj.transfers.mobile_views import InflowViews, OutflowViews
from sqdj.transfers.models import Inflow, Outflow

DAY = datetime.timedelta(days=1)
FULL_ID = re.compile(r"\b\d{17}[\dX]\b")
FULL_PHONE = re.compile(r"\b1[3-9]\d{9}\b")
ID1, ID2, ID3 = (make_id_number(datetime.date(1980, 3, 2), n) for n in (41, 42, 43))


class OutflowViewTests(ScopedViewTests, TestCase):
    views = OutflowViews

    @classmethod
    def setUpTestData(cls):
        cls.world = w = build_world()
        cls.m1 = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="张三丰"))
        cls.m2 = do_create_member(acting_user=None, **member_data(w.branch2, seq=2, name="李四光"))
        cls.m3 = do_create_member(acting_user=None, **member_data(w.branch1, seq=3, name="王五"))
        cls.o1 = M.do_record_outflow(cls.m1, acting_user=None, left_on=today() - 300 * DAY, destination="深圳市南山区",
                                     contact="13912345678", mobile_card_number="LD-001")  # fmt: skip
        cls.o2 = M.do_record_outflow(cls.m2, acting_user=None, left_on=today() - 300 * DAY, destination="成都市武侯区",
                                     contact="13912340000")  # fmt: skip

    def in_scope(self):
        return self.o1

    def out_of_scope(self):
        return self.o2

    def marker(self, obj):
        return obj.name

    def search_term(self, obj):
        return obj.destination

    def create_data(self):
        return {"member": self.m3.pk, "left_on": today() - 10 * DAY, "destination": "北京市", "destination_org": "",
                "new_contact": "13600001111", "last_contact_on": "", "mobile_card_number": ""}  # fmt: skip

    def created(self):
        return Outflow.objects.get(member=self.m3)

    def update_data(self, obj):
        return {"left_on": obj.left_on, "destination": "广州市", "destination_org": "", "new_contact": "",
                "mobile_card_number": obj.mobile_card_number}  # fmt: skip

    def test_export_holds_only_the_scope(self):
        """These lists have no export (no import template exists for them)."""

    def test_cannot_save_into_a_foreign_scope(self):
        """The member of a record never changes; recording a member out of scope is refused."""
        self.login(self.world.admin1)
        r = self.client.post(self.url("add"), {**self.create_data(), "member": self.m2.pk})
        self.assertEqual(r.status_code, 200)
        self.assertIn("member", r.context["form"].errors)
        self.assertEqual(Outflow.objects.filter(member=self.m2).count(), 1)

    def test_contact_is_masked_and_status_shown(self):
        self.login(self.world.admin1)
        for url in (self.url("list"), self.url("", self.o1.pk), self.url("edit", self.o1.pk)):
            html = self.client.get(url).content.decode()
            self.assertNotIn("13912345678", html, url)
            self.assertIsNone(FULL_PHONE.search(html), url)
        html = self.client.get(self.url("", self.o1.pk)).content.decode()
        self.assertIn("139******78", html)
        self.assertIn('id="action-lost"', html)

    def test_actions_as_post_forms(self):
        self.login(self.world.admin1)
        o = self.o1
        r = self.client.post(reverse("transfers:outflow_lost", args=[o.pk]), {"since": today().isoformat()})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Outflow.objects.get(pk=o.pk).lost_contact_since, today())
        self.assertContains(self.client.get(self.url("", o.pk)), 'id="status-lost"')
        # a future date is refused, nothing changes
        r = self.client.post(reverse("transfers:outflow_contact", args=[o.pk]), {"on": (today() + DAY).isoformat()})
        self.assertEqual(Outflow.objects.get(pk=o.pk).lost_contact_since, today())
        r = self.client.post(reverse("transfers:outflow_contact", args=[o.pk]), {"on": today().isoformat()})
        self.assertIsNone(Outflow.objects.get(pk=o.pk).lost_contact_since)
        r = self.client.post(reverse("transfers:outflow_end", args=[o.pk]), {"ended_on": today(), "reason": "returned"})
        self.assertEqual(Outflow.objects.get(pk=o.pk).end_reason, "returned")

    def test_actions_out_of_scope_are_404_and_viewer_cannot_act(self):
        self.login(self.world.admin1)
        for name in ("outflow_contact", "outflow_lost", "outflow_end"):
            r = self.client.post(reverse(f"transfers:{name}", args=[self.o2.pk]), {"since": today(), "on": today()})
            self.assertEqual(r.status_code, 404, name)
        self.login(self.world.viewer1)
        self.client.post(reverse("transfers:outflow_lost", args=[self.o1.pk]), {"since": today().isoformat()})
        self.assertIsNone(Outflow.objects.get(pk=self.o1.pk).lost_contact_since)
        self.assertNotContains(self.client.get(self.url("", self.o1.pk)), 'id="action-lost"')

    def test_member_page_shows_the_open_outflow_or_the_link(self):
        self.login(self.world.admin1)
        r = self.client.get(self.m1.get_absolute_url())
        self.assertContains(r, self.o1.get_absolute_url())
        self.assertNotContains(r, 'id="record-outflow"')
        r = self.client.get(self.m3.get_absolute_url())
        self.assertContains(r, f"{reverse('transfers:outflow_add')}?member={self.m3.pk}")
        r = self.client.get(f"{reverse('transfers:outflow_add')}?member={self.m3.pk}")
        self.assertEqual(r.context["form"]["member"].value(), str(self.m3.pk))


class InflowViewTests(ScopedViewTests, TestCase):
    views = InflowViews

    @classmethod
    def setUpTestData(cls):
        cls.world = w = build_world()
        common = {"acting_user": None, "home_org_name": "中共某县某村支部", "arrived_on": today() - 40 * DAY}
        cls.i1 = M.do_register_inflow(name="赵流入", id_number=ID1, phone="13712345678", host_org=w.community1,
                                      **common)  # fmt: skip
        cls.i2 = M.do_register_inflow(name="钱流入", id_number=ID2, phone="13712340000", host_org=w.community2,
                                      **common)  # fmt: skip

    def in_scope(self):
        return self.i1

    def out_of_scope(self):
        return self.i2

    def marker(self, obj):
        return obj.name

    def search_term(self, obj):
        return obj.id_number  # an exact ID number finds the person (blind index)

    def create_data(self):
        return {"name": "孙流入", "new_id_number": ID3, "new_phone": "", "home_org_name": "外地支部",
                "home_org_contact": "", "arrived_on": today() - DAY, "last_contact_on": "", "mobile_card_number": "",
                "host_org": self.world.branch1.pk}  # fmt: skip

    def created(self):
        return Inflow.objects.get(name="孙流入")

    def update_data(self, obj):
        return {"name": obj.name, "new_id_number": "", "new_phone": "", "home_org_name": "另一个支部",
                "home_org_contact": "", "arrived_on": obj.arrived_on, "mobile_card_number": "",
                "host_org": obj.host_org_id}  # fmt: skip

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "host_org": self.world.community2.pk}

    def test_export_holds_only_the_scope(self):
        """These lists have no export (no import template exists for them)."""

    def test_numbers_are_masked(self):
        self.login(self.world.admin1)
        for url in (self.url("list"), self.url("", self.i1.pk), self.url("edit", self.i1.pk)):
            html = self.client.get(url).content.decode()
            self.assertIsNone(FULL_ID.search(html), url)
            self.assertIsNone(FULL_PHONE.search(html), url)
        self.assertContains(self.client.get(self.url("", self.i1.pk)), self.i1.id_number_masked)

    def test_verify_then_branch(self):
        w = self.world
        self.login(w.admin1)
        url = self.url("", self.i1.pk)
        self.assertNotContains(self.client.get(url), 'id="action-branch"')
        # a branch before verification is refused
        self.client.post(reverse("transfers:inflow_branch", args=[self.i1.pk]), {"branch": w.branch1.pk})
        self.assertIsNone(Inflow.objects.get(pk=self.i1.pk).branch_id)
        self.client.post(reverse("transfers:inflow_verify", args=[self.i1.pk]), {"verified_on": today(), "note": ""})
        self.assertFalse(Inflow.objects.get(pk=self.i1.pk).verified)
        self.client.post(
            reverse("transfers:inflow_verify", args=[self.i1.pk]), {"verified_on": today(), "note": "查验"}
        )
        i = Inflow.objects.get(pk=self.i1.pk)
        self.assertEqual((i.verified_by, i.verification_note), (w.admin1, "查验"))
        self.assertContains(self.client.get(url), 'id="action-branch"')
        self.client.post(reverse("transfers:inflow_branch", args=[self.i1.pk]), {"branch": w.community1.pk})
        self.assertIsNone(Inflow.objects.get(pk=self.i1.pk).branch_id)  # not a branch
        self.client.post(reverse("transfers:inflow_branch", args=[self.i1.pk]), {"branch": w.branch1.pk})
        self.assertEqual(Inflow.objects.get(pk=self.i1.pk).branch, w.branch1)

    def test_actions_out_of_scope_are_404(self):
        self.login(self.world.admin1)
        for name in ("inflow_contact", "inflow_verify", "inflow_branch", "inflow_end"):
            r = self.client.post(reverse(f"transfers:{name}", args=[self.i2.pk]), {"note": "x", "on": today()})
            self.assertEqual(r.status_code, 404, name)
        self.assertFalse(Inflow.objects.get(pk=self.i2.pk).verified)
