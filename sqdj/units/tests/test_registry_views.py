"""The unit registry's pages and /api/v1/units/: the scope contracts (ScopedViewTests, ScopedAPITests), the phone
masked in the list, the page and the API, its reveal with a reason (an audit `reveal` event), the detail page's
sections, the org page's panel of its units, and the liaison account (role unit_contact) seeing its unit only."""

from django.test import TestCase
from django.urls import reverse
from stdnum.cn import uscc

from sqdj.accounts.models import RoleAssignment
from sqdj.accounts.services import do_create_user
from sqdj.core.models import AuditEvent
from sqdj.members.services import do_create_member
from sqdj.testing import PASSWORD, ScopedViewTests, build_world
from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.testing.members import member_data
from sqdj.units import services
from sqdj.units.models import Instructor, Unit, UnitContact
from sqdj.units.views import UnitViews

PHONE1, PHONE2 = "13912345678", "13887654321"


def code(seq: int) -> str:
    base = f"91120101MA07{seq:05d}"
    return base + uscc.calc_check_digit(base)


def unit_data(world, seq: int, *, second=False, **over) -> dict:
    data = {
        "name": f"测试{'乙' if second else '甲'}单位{seq}",
        "credit_code": code(seq),
        "category": "non_public_enterprise",
        "area": world.community_area2 if second else world.community_area1,
        "employees": 20,
        "party_members": 3,
        "org": world.branch2 if second else world.branch1,
        "contact_name": "赵联系",
        "contact_phone": PHONE2 if second else PHONE1,
    }
    return {**data, **over}


def make_units(world):
    u1 = services.do_create_unit(acting_user=None, **unit_data(world, 1))
    u2 = services.do_create_unit(acting_user=None, **unit_data(world, 2, second=True))
    return u1, u2


class UnitViewTests(ScopedViewTests, TestCase):
    views = UnitViews

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.u1, cls.u2 = make_units(cls.world)

    def marker(self, obj):
        return obj.credit_code

    def in_scope(self):
        return self.u1

    def out_of_scope(self):
        return self.u2

    def _form(self, data):
        out = {k: v.pk if hasattr(v, "pk") else v for k, v in data.items() if k != "contact_phone"}
        out["new_contact_phone"] = data.get("contact_phone", "")
        out["status"] = "operating"
        return out

    def create_data(self):
        return self._form(unit_data(self.world, 5, name="新建单位"))

    def created(self):
        return Unit.objects.get(credit_code=code(5))

    def update_data(self, obj):
        data = unit_data(self.world, 1, employees=30)
        data.pop("contact_phone")
        return self._form({**data, "credit_code": obj.credit_code, "name": obj.name})

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "org": self.world.branch2.pk, "area": self.world.community_area2.pk}

    # ---- particular to units ----
    def test_phone_is_masked_in_the_list_and_the_page(self):
        self.login(self.world.admin1)
        for url in (self.url("list"), self.url("", self.u1.pk)):
            html = self.client.get(url).content.decode()
            self.assertNotIn(PHONE1, html, url)
        masked = Unit._meta.get_field("contact_phone").mask(PHONE1)
        self.assertIn("*", masked)
        self.assertContains(self.client.get(self.url("", self.u1.pk)), masked)

    def test_reveal_with_a_reason_is_audited(self):
        self.login(self.world.admin1)
        url = reverse("units:unit_reveal", args=[self.u1.pk])
        r = self.client.post(url, {"reason": "x"})
        self.assertEqual(r.status_code, 400)
        self.assertNotContains(r, PHONE1, status_code=400)
        r = self.client.post(url, {"reason": "联系共建事宜"})
        self.assertContains(r, PHONE1)
        self.assertEqual(r["Cache-Control"], "no-store")
        event = AuditEvent.objects.filter(event="reveal", object_type="units.unit").latest("pk")
        self.assertEqual((event.object_id, event.detail["reason"]), (str(self.u1.pk), "联系共建事宜"))
        self.assertNotIn(PHONE1, str(event.detail))
        self.login(self.world.viewer1)
        self.assertEqual(self.client.post(url, {"reason": "联系共建事宜"}).status_code, 403)
        self.login(self.world.admin1)
        self.assertEqual(self.client.post(reverse("units:unit_reveal", args=[self.u2.pk]),
                                          {"reason": "联系共建事宜"}).status_code, 404)  # fmt: skip

    def test_detail_sections_and_the_org_link_both_ways(self):
        Instructor.objects.create(unit=self.u1, name="钱指导", started_on="2025-01-01")
        self.login(self.world.admin1)
        r = self.client.get(self.url("", self.u1.pk))
        self.assertContains(r, "钱指导")
        self.assertContains(r, self.world.branch1.get_absolute_url())  # the unit links to its org …
        r = self.client.get(self.world.branch1.get_absolute_url())
        self.assertContains(r, self.u1.get_absolute_url())  # … and the org's page to its units
        self.assertNotContains(r, self.u2.get_absolute_url())

    def test_detail_queries_do_not_grow_with_rows(self):
        self.login(self.world.admin1)
        self.client.get(self.url("", self.u1.pk))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url("", self.u1.pk))
        for i in range(4):
            Instructor.objects.create(unit=self.u1, name=f"指导{i}", started_on="2025-01-01")
        with CaptureQueriesContext(connection) as more:
            self.client.get(self.url("", self.u1.pk))
        self.assertEqual(len(few), len(more))

    def test_list_filters_by_the_names_other_pages_link_with(self):
        self.login(self.world.superuser)
        bare = services.do_create_unit(acting_user=None, **unit_data(self.world, 7, org=None, category="government"))
        Instructor.objects.create(unit=self.u1, name="钱指导", started_on="2025-01-01")

        def shown(**params):
            r = self.client.get(self.url("list"), params, follow=True)
            return {row.record.pk for row in r.context["table"].page.object_list}

        self.assertEqual(shown(area="T01001", neworg="true"), {self.u1.pk, self.u2.pk})
        self.assertEqual(shown(area="T01001", neworg="false"), {bare.pk})
        self.assertEqual(shown(area="T01001", descendants="false"), set())
        self.assertEqual(shown(area="T01001001", org_coverage="false"), {bare.pk})
        self.assertEqual(shown(org="ZBT1"), {self.u1.pk})
        self.assertEqual(shown(work_coverage="true"), {self.u1.pk})
        self.assertEqual(shown(work_coverage="false"), {self.u2.pk, bare.pk})
        self.assertEqual(shown(category=["government", "institution"]), {bare.pk})
        self.assertEqual(shown(q=self.u2.credit_code.lower()), {self.u2.pk})
        self.assertEqual(shown(q="甲单位"), {self.u1.pk, bare.pk})


class UnitAPITests(ScopedAPITests, TestCase):
    basename = "unit"
    scope_field = "area"
    pii_fields = ("contact_phone",)
    reveal_action = "reveal"
    object_actions = {"reveal": {"reason": "联系共建"}}

    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()
        cls.u1, cls.u2 = make_units(cls.world)

    def in_scope(self):
        return Unit.objects.get(pk=self.u1.pk)

    def out_of_scope(self):
        return self.u2

    def create_data(self):
        return {"name": "接口单位", "credit_code": code(9), "category": "social_organization", "area": "T01001001",
                "employees": 10, "party_members": 2, "org": "ZBT1", "contact_phone": "13700001111"}  # fmt: skip

    def update_data(self, obj):
        return {"employees": 40}

    def foreign_value(self):
        return "T01001002"

    def test_filters_and_coverage_in_the_answer(self):
        client = api_client(self.world.admin1)
        body = client.get(reverse("api:unit-list"), {"neworg": "true", "org_coverage": "true"}).json()
        self.assertEqual([r["id"] for r in body["results"]], [self.u1.pk])
        self.assertEqual((body["results"][0]["org_coverage"], body["results"][0]["work_coverage"]), (True, False))

    def test_bad_credit_code_is_a_chinese_field_error(self):
        client = api_client(self.world.admin1)
        bad = code(11)[:17] + ("0" if code(11)[17] != "0" else "1")
        r = client.post(reverse("api:unit-list"), {**self.create_data(), "credit_code": bad})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r.json()["credit_code"], ["统一社会信用代码校验位错误"])
        r = client.post(reverse("api:unit-list"), {**self.create_data(), "party_members": 11})
        self.assertEqual(r.status_code, 400)
        self.assertIn("party_members", r.json())


class LiaisonTests(TestCase):
    """A unit's liaison (role unit_contact) sees their unit and nothing else: no other unit, no member."""

    @classmethod
    def setUpTestData(cls):
        cls.world = w = build_world()
        cls.u1, cls.u2 = make_units(w)
        cls.member = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="张三丰"))
        cls.liaison = do_create_user("liaison1", password=PASSWORD, validate=False)

    def test_link_by_the_page_then_only_the_own_unit(self):
        self.client.force_login(self.world.admin1)
        r = self.client.post(reverse("units:unit_contact_link", args=[self.u1.pk]), {"username": "liaison1"})
        self.assertEqual(r.status_code, 302)
        contact = UnitContact.objects.get(unit=self.u1, user=self.liaison)
        self.assertTrue(RoleAssignment.objects.filter(user=self.liaison, role="unit_contact").exists())
        self.client.force_login(self.liaison)
        self.assertEqual(self.client.get(self.u1.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(self.u2.get_absolute_url()).status_code, 404)
        r = self.client.get(reverse("units:unit_list"))
        self.assertEqual({row.record.pk for row in r.context["table"].page.object_list}, {self.u1.pk})
        self.assertEqual(self.client.get(self.member.get_absolute_url()).status_code, 404)
        r = self.client.get(reverse("members:member_list"), follow=True)
        self.assertFalse(r.context and r.context.get("table") and list(r.context["table"].page.object_list))
        self.assertNotContains(r, "张三丰", status_code=r.status_code)
        self.assertEqual(self.client.get(reverse("units:unit_edit", args=[self.u1.pk])).status_code, 403)
        self.assertNotContains(self.client.get(self.u1.get_absolute_url()), PHONE1)
        # ended: the role goes, the unit is no longer seen
        self.client.force_login(self.world.admin1)
        r = self.client.post(reverse("units:unitcontact_end", args=[contact.pk]), {})
        self.assertEqual(r.status_code, 302)
        self.assertFalse(RoleAssignment.objects.filter(user=self.liaison, role="unit_contact").exists())
        self.client.force_login(self.liaison)
        self.assertIn(self.client.get(self.u1.get_absolute_url()).status_code, (403, 404))

    def test_a_viewer_may_not_link_and_out_of_scope_is_404(self):
        self.client.force_login(self.world.viewer1)
        self.client.post(reverse("units:unit_contact_link", args=[self.u1.pk]), {"username": "liaison1"})
        self.assertFalse(UnitContact.objects.exists())
        self.client.force_login(self.world.admin1)
        r = self.client.post(reverse("units:unit_contact_link", args=[self.u2.pk]), {"username": "liaison1"})
        self.assertEqual(r.status_code, 404)
        self.assertFalse(UnitContact.objects.exists())

    def test_the_role_hangs_on_the_community_org_when_the_unit_has_none(self):
        bare = services.do_create_unit(acting_user=None, **unit_data(self.world, 8, org=None))
        services.do_link_contact(bare, self.liaison, acting_user=self.world.admin1)
        self.assertEqual(RoleAssignment.objects.get(user=self.liaison).org, self.world.community1)


class ChinesePagesTests(TestCase):
    """The registry's pages read in Chinese (as tests/test_crawl.py judges a page), the unit page with every section
    filled in that this part shows."""

    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()
        cls.u1, cls.u2 = make_units(cls.world)
        Instructor.objects.create(unit=cls.u1, name="钱指导", started_on="2025-01-01")

    def test_no_english_on_the_registry_pages(self):
        from tests.test_crawl import _Page, _unreadable

        self.client.force_login(self.world.admin1)
        pages = [reverse("units:unit_list"), self.u1.get_absolute_url(), reverse("units:unit_add"),
                 reverse("units:unit_edit", args=[self.u1.pk]), reverse("units:unit_changes", args=[self.u1.pk]),
                 reverse("units:unit_import"), self.world.branch1.get_absolute_url()]  # fmt: skip
        for url in pages:
            r = self.client.get(url, follow=True)
            self.assertEqual(r.status_code, 200, url)
            page = _Page()
            page.feed(r.content.decode())
            # the menu group of the app and the other parts' menu items are not this part's words
            text = " ".join(t for t in page.text if t not in OTHER_PARTS_MENU)
            self.assertEqual(_unreadable(text, {"admin1"}), [], url)


OTHER_PARTS_MENU = {
    "Units and co-building",
    "Coverage of new economic and social organizations",
    "Registration authority lists",
    "Party-building instructors",
    "Joint councils",
    "Co-building agreements",
    "The three lists",
}
