"""/api/v1/needs/, /resources/, /projects/: the scope contract (ScopedAPITests) and the refused inputs."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from sqdj.accounts.services import do_grant_role
from sqdj.core.models import ObjectChange
from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.units.models import Project

from .test_lists_world import lists_world


class ListAPITests(ScopedAPITests):
    scope_field = "org"

    @classmethod
    def setUpTestData(cls):
        cls.world = lists_world()

    def foreign_value(self):
        return self.world.community2.code


class NeedAPITests(ListAPITests, TestCase):
    basename = "need"

    def in_scope(self):
        return self.world.need1

    def out_of_scope(self):
        return self.world.need2

    def create_data(self):
        return {"org": "SQT1", "category": "volunteers", "title": "助老志愿服务", "beneficiaries": "独居老人",
                "wanted_from": "2026-05-01"}  # fmt: skip

    def update_data(self, obj):
        return {"description": "每周两次"}

    def test_area_defaults_to_the_orgs_and_must_lie_within_it(self):
        client = api_client(self.world.admin1)
        r = client.post(self.list_url(), self.create_data())
        self.assertEqual((r.status_code, r.json()["area"]), (201, self.world.community_area1.code), r.content)
        do_grant_role(self.world.admin1, role="subdistrict_admin", org=self.world.street, descendants=True)
        before = ObjectChange.objects.count()
        r = client.post(self.list_url(), {**self.create_data(), "area": self.world.community_area2.code})
        self.assertEqual(r.status_code, 400, r.content)
        self.assertIn("须在该党组织所在区域内", r.json()["area"][0])
        self.assertEqual(ObjectChange.objects.count(), before)


class ResourceAPITests(ListAPITests, TestCase):
    basename = "resource"
    scope_field = "unit"

    def foreign_value(self):
        return self.world.unit2.credit_code

    def in_scope(self):
        return self.world.res1

    def out_of_scope(self):
        return self.world.res2

    def create_data(self):
        return {"unit": self.world.unit1.credit_code, "category": "funds", "title": "助学基金", "amount": "50000.00"}

    def update_data(self, obj):
        return {"capacity": 35}

    def test_availability_ending_before_it_starts_is_refused(self):
        body = {**self.create_data(), "available_from": "2026-05-01", "available_until": "2026-04-01"}
        r = api_client(self.world.admin1).post(self.list_url(), body)
        self.assertEqual(r.status_code, 400, r.content)
        self.assertEqual(r.json()["available_until"], ["结束日期不能早于开始日期。"])


class ProjectAPITests(ListAPITests, TestCase):
    basename = "project"

    def in_scope(self):
        return self.world.proj1

    def out_of_scope(self):
        return self.world.proj2

    def create_data(self):
        return {"org": "SQT1", "title": "甲社区读书会", "resources": [self.world.res1.pk], "starts_on": "2026-03-01"}

    def update_data(self, obj):
        return {"people_served": 25}

    def test_resource_outside_the_territory_is_refused_and_nothing_written(self):
        w = self.world
        do_grant_role(w.admin1, role="subdistrict_admin", org=w.street, descendants=True)
        before = (Project.objects.count(), ObjectChange.objects.count())
        r = api_client(w.admin1).post(self.list_url(), {**self.create_data(), "resources": [w.res1.pk, w.res2.pk]})
        self.assertEqual(r.status_code, 400, r.content)
        self.assertIn("资源所属单位不在本社区范围内", r.json()["resources"][0])
        self.assertEqual((Project.objects.count(), ObjectChange.objects.count()), before)

    def test_end_before_start_is_refused(self):
        r = api_client(self.world.admin1).post(self.list_url(), {**self.create_data(), "ends_on": "2026-02-01"})
        self.assertEqual(r.status_code, 400, r.content)
        self.assertEqual(r.json()["ends_on"], ["结束日期不能早于开始日期。"])

    def test_the_units_liaison_reads_the_project_only(self):
        client = api_client(self.world.liaison)
        ids = {row["id"] for row in client.get(self.list_url()).json()["results"]}
        self.assertEqual(ids, {self.world.proj1.pk})
        self.assertEqual(client.get(self.detail_url(self.world.proj2.pk)).status_code, 404)
        self.assertEqual(client.patch(self.detail_url(self.world.proj1.pk), {"people_served": 1}).status_code, 403)
        self.assertEqual(client.get(reverse("api:need-list")).status_code, 403)
