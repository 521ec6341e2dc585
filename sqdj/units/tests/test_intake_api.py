"""/api/v1/instructors/, /api/v1/visits/ (the scope contract, ScopedAPITests; the phone masked) and
/api/v1/authority-entries/ (read only, in the scope)."""

from __future__ import annotations

import datetime

from django.test import TestCase
from django.urls import reverse

from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.units import intake
from sqdj.units.choices import ChangeKind
from sqdj.units.models import AuthorityEntry

from .test_intake import make_unit

PHONE = "13611112222"


class InstructorAPITests(ScopedAPITests, TestCase):
    basename = "instructor"
    scope_field = "unit"
    pii_fields = ("phone",)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.u1 = make_unit(cls.world, 1)
        cls.u2 = make_unit(cls.world, 2, second=True)
        cls.i1 = intake.do_add_instructor(cls.u1, acting_user=None, name="韩指导", phone=PHONE,
                                          started_on=datetime.date(2025, 1, 1))  # fmt: skip
        cls.i2 = intake.do_add_instructor(cls.u2, acting_user=None, name="杨指导", started_on=datetime.date(2025, 1, 1))

    def in_scope(self):
        return type(self.i1).objects.get(pk=self.i1.pk)

    def out_of_scope(self):
        return self.i2

    def create_data(self):
        return {"unit": self.u1.pk, "kind": "liaison", "name": "朱联络", "phone": "13922223333",
                "started_on": "2025-06-01"}  # fmt: skip

    def update_data(self, obj):
        return {"sent_by": "区委组织部"}

    def foreign_value(self):
        return self.u2.pk

    def test_a_service_rule_is_a_400(self):
        r = api_client(self.admin).post(self.list_url(), {**self.create_data(), "phone": "123"})
        self.assertEqual(r.status_code, 400, r.content)
        self.assertIn("phone", r.json())


class VisitAPITests(ScopedAPITests, TestCase):
    basename = "visit"
    scope_field = "instructor"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        u1, u2 = make_unit(cls.world, 1), make_unit(cls.world, 2, second=True)
        cls.i1 = intake.do_add_instructor(u1, acting_user=None, name="韩指导", started_on=datetime.date(2025, 1, 1))
        cls.i2 = intake.do_add_instructor(u2, acting_user=None, name="杨指导", started_on=datetime.date(2025, 1, 1))
        cls.v1 = intake.do_record_visit(cls.i1, acting_user=None, visited_on=datetime.date(2025, 2, 1), content="座谈")
        cls.v2 = intake.do_record_visit(cls.i2, acting_user=None, visited_on=datetime.date(2025, 2, 1), content="座谈")

    def in_scope(self):
        return self.v1

    def out_of_scope(self):
        return self.v2

    def create_data(self):
        return {"instructor": self.i1.pk, "visited_on": "2025-03-01", "content": "指导组建工会", "next_step": ""}

    def update_data(self, obj):
        return {"next_step": "下月回访"}

    def foreign_value(self):
        return self.i2.pk


class AuthorityEntryAPITests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from sqdj.testing import build_world

        w = cls.world = build_world()
        cls.e1, cls.e2 = (
            AuthorityEntry.objects.create(
                authority="civil_affairs",
                kind=ChangeKind.REGISTERED,
                credit_code=f"X{i}",
                name=f"社会组织{i}",
                changed_on=datetime.date(2026, 1, 5),
                area=area,
                due_on=datetime.date(2026, 2, 4),
            )  # fmt: skip
            for i, area in ((1, w.community_area1), (2, w.community_area2))
        )

    def test_read_only_in_the_scope(self):
        client = api_client(self.world.admin1)
        r = client.get(reverse("api:authorityentry-list"))
        self.assertEqual(r.status_code, 200)
        self.assertEqual([row["id"] for row in r.json()["results"]], [self.e1.pk])
        self.assertEqual(r.json()["results"][0]["area"], "T01001001")
        self.assertEqual(client.get(reverse("api:authorityentry-detail", args=[self.e2.pk])).status_code, 404)
        self.assertEqual(client.post(reverse("api:authorityentry-list"), {}).status_code, 405)
        self.assertEqual(client.patch(reverse("api:authorityentry-detail", args=[self.e1.pk]), {}).status_code, 405)
        self.assertEqual(api_client().get(reverse("api:authorityentry-list")).status_code, 401)
        self.assertEqual(api_client(self.world.nobody).get(reverse("api:authorityentry-list")).status_code, 403)
