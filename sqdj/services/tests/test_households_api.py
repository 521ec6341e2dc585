"""`/api/v1/households/`, `…/household-assistances/`, `…/household-supports/`, `…/household-reviews/`: the scope
contract of each (ScopedAPITests), the contact masked, the details only in a logged retrieve, the version (409)."""

from __future__ import annotations

import datetime

from django.test import TestCase

from sqdj.core.models import AuditEvent
from sqdj.services import households as services
from sqdj.services.models import Assistance, Household, HouseholdReview, Support
from sqdj.testing.api import ScopedAPITests, api_client

from .test_households import HouseholdWorld, today


class HouseholdAPITests(ScopedAPITests, TestCase):
    basename = "household"
    scope_field = "area"
    pii_fields = ("contact_name", "contact_phone")
    object_actions = {"close": {"version": 1, "end_reason": "moved"}}

    @classmethod
    def setUpTestData(cls):
        cls.world = HouseholdWorld()

    def in_scope(self):
        return Household.objects.get(pk=self.world.hh1.pk)

    def out_of_scope(self):
        return Household.objects.get(pk=self.world.hh2.pk)

    def create_data(self):
        return {"area": self.world.grid1.code, "contact_name": "李四", "contact_phone": "13812345678",
                "hardships": ["disability"], "basis": "consent", "consent": True, "room": "1单元101"}  # fmt: skip

    def update_data(self, obj):
        return {"needs": "改：送医", "version": obj.version}

    def foreign_value(self):
        return self.world.community_area2.code

    def test_the_list_holds_no_details_the_retrieve_is_logged(self):
        client, h = api_client(self.world.admin1), self.in_scope()
        before = AuditEvent.objects.filter(event=AuditEvent.Event.SENSITIVE_VIEW).count()
        listing = client.get(self.list_url())
        row = next(r for r in listing.json()["results"] if r["id"] == h.pk)
        assert "room" not in row and "needs" not in row and "3单元502" not in listing.content.decode()
        assert AuditEvent.objects.filter(event=AuditEvent.Event.SENSITIVE_VIEW).count() == before
        detail = client.get(self.detail_url(h.pk)).json()
        assert detail["room"] == "3单元502" and detail["contact_phone_masked"] == h.contact_phone_masked
        event = AuditEvent.objects.filter(event=AuditEvent.Event.SENSITIVE_VIEW).latest("pk")
        assert (event.object_id, event.detail) == (str(h.pk), {"view": "api"})

    def test_update_with_a_stale_version_conflicts_and_bad_input_is_chinese(self):
        client, h = api_client(self.world.admin1), self.in_scope()
        assert client.patch(self.detail_url(h.pk), {"needs": "甲", "version": 9}).status_code == 409
        r = client.patch(self.detail_url(h.pk), {"hardships": ["belief"]})
        assert r.status_code == 400 and "hardships" in r.json()
        r = client.post(self.list_url(), {**self.create_data(), "consent": False})
        assert r.status_code == 400 and "同意" in r.json()["consent"][0]
        r = client.patch(self.detail_url(h.pk), {"needs": "送医", "version": h.version})
        assert r.status_code == 200 and r.json()["version"] == h.version + 1
        assert "13912345678" not in r.content.decode()
        r = client.post(self.action_url(h.pk, "close"), {"version": h.version + 1, "end_reason": "recovered"})
        assert r.status_code == 200 and r.json()["state"] == "closed"


class AssistanceAPITests(ScopedAPITests, TestCase):
    basename = "assistance"
    scope_field = "household"
    object_actions = {"end": {}}

    @classmethod
    def setUpTestData(cls):
        w = cls.world = HouseholdWorld()
        cls.pairing1 = services.do_pair(w.hh1, acting_user=w.admin1, org=w.branch1)
        cls.pairing2 = services.do_pair(w.hh2, acting_user=None, org=w.branch2)

    def in_scope(self):
        return Assistance.objects.get(pk=self.pairing1.pk)

    def out_of_scope(self):
        return Assistance.objects.get(pk=self.pairing2.pk)

    def create_data(self):
        return {"household": self.world.hh1.number, "member": self.world.member.pk, "started_on": today().isoformat()}

    def update_data(self, obj):
        return {"note": "改"}

    def foreign_value(self):
        return self.world.hh2.number

    def test_pair_a_unit_by_name_and_end(self):
        client = api_client(self.world.admin1)
        r = client.post(self.list_url(), {"household": self.world.hh1.number, "unit": "某公司"})
        assert r.status_code == 201 and r.json()["unit"] == "某公司"
        r = client.post(self.list_url(), {"household": self.world.hh1.number, "unit": "无此单位"})
        assert r.status_code == 400 and "unit" in r.json()
        r = client.post(self.action_url(self.pairing1.pk, "end"), {"ended_on": today().isoformat()})
        assert r.status_code == 200 and r.json()["ended_on"] == today().isoformat()
        assert client.post(self.action_url(self.pairing1.pk, "end"), {}).status_code == 400


class SupportAPITests(ScopedAPITests, TestCase):
    basename = "support"
    scope_field = "household"

    @classmethod
    def setUpTestData(cls):
        w = cls.world = HouseholdWorld()
        cls.support1 = services.do_record_support(w.hh1, acting_user=w.admin1, kind="goods", what="米面油")
        cls.support2 = services.do_record_support(w.hh2, acting_user=None, kind="goods", what="棉被")

    def in_scope(self):
        return Support.objects.get(pk=self.support1.pk)

    def out_of_scope(self):
        return Support.objects.get(pk=self.support2.pk)

    def create_data(self):
        return {"household": self.world.hh1.number, "kind": "money", "what": "慰问金", "amount": "200.00",
                "given_on": today().isoformat()}  # fmt: skip

    def update_data(self, obj):
        return {"what": "改"}

    def foreign_value(self):
        return self.world.hh2.number

    def test_money_needs_an_amount(self):
        r = api_client(self.world.admin1).post(self.list_url(), {**self.create_data(), "amount": None})
        assert r.status_code == 400 and "amount" in r.json()


class HouseholdReviewAPITests(ScopedAPITests, TestCase):
    basename = "householdreview"
    scope_field = "household"

    @classmethod
    def setUpTestData(cls):
        w = cls.world = HouseholdWorld()
        last_year = today().year - 1
        day = datetime.date(last_year, 6, 1)
        cls.review1 = services.do_review(w.hh1, acting_user=w.admin1, year=last_year, reviewed_on=day,
                                         outcome="continue")  # fmt: skip
        cls.review2 = services.do_review(w.hh2, acting_user=None, year=last_year, reviewed_on=day, outcome="continue")

    def in_scope(self):
        return HouseholdReview.objects.get(pk=self.review1.pk)

    def out_of_scope(self):
        return HouseholdReview.objects.get(pk=self.review2.pk)

    def create_data(self):
        return {"household": self.world.hh1.number, "reviewed_on": today().isoformat(), "outcome": "continue"}

    def update_data(self, obj):
        return {"note": "改"}

    def foreign_value(self):
        return self.world.hh2.number

    def test_one_a_year(self):
        client = api_client(self.world.admin1)
        body = {**self.create_data(), "year": today().year - 1}
        r = client.post(self.list_url(), body)
        assert r.status_code == 400 and "本年度已复核" in str(r.json())
