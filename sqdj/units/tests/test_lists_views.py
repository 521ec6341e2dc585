"""Pages of the three lists: the scope contract (ScopedViewTests) for needs, resources and projects, the refused
inputs with their Chinese messages, the suggested matches' button, the tabs and the menu entry."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from sqdj.accounts.services import do_grant_role
from sqdj.core.models import ObjectChange
from sqdj.testing import ScopedViewTests
from sqdj.units.list_views import NeedViews, ProjectViews, ResourceViews
from sqdj.units.models import Need, Project, Resource

from .test_lists_world import lists_world


class ListViewTests(ScopedViewTests):
    @classmethod
    def setUpTestData(cls):
        cls.world = lists_world()

    def in_scope(self):
        obj = self.object_in_scope()
        obj.name = obj.title  # what the list shows (ScopedViewTests looks for `name`)
        return obj

    def out_of_scope(self):
        obj = self.object_out_of_scope()
        obj.name = obj.title
        return obj

    def marker(self, obj):
        return obj.title

    def search_term(self, obj):
        return obj.title[1:]

    def test_export_holds_only_the_scope(self):
        """The lists have no export: `?export=` shows the list page, still the scope only."""
        self.login(self.world.admin1)
        r = self.client.get(self.url("list"), {"export": "csv"})
        self.assertTrue(r["Content-Type"].startswith("text/html"))
        self.assertContains(r, self.marker(self.in_scope()))
        self.assertNotContains(r, self.marker(self.out_of_scope()))

    def test_tabs_lead_to_the_three_lists(self):
        self.login(self.world.admin1)
        r = self.client.get(self.url("list"))
        for name in ("units:need_list", "units:resource_list", "units:project_list"):
            self.assertContains(r, f'href="{reverse(name)}"')

    def post_refused(self, url, data, field, message):
        """A post answered with the form again, `message` on `field`, and nothing written."""
        self.login(self.world.admin1)
        before = (ObjectChange.objects.count(), self.views.model.objects.count())
        with translation.override("zh-hans"):
            r = self.client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertEqual(r.status_code, 200)
        self.assertIn(message, " ".join(r.context["form"].errors.get(field, [])), r.context["form"].errors)
        self.assertEqual((ObjectChange.objects.count(), self.views.model.objects.count()), before)


class NeedViewTests(ListViewTests, TestCase):
    views = NeedViews

    def object_in_scope(self):
        return self.world.need1

    def object_out_of_scope(self):
        return self.world.need2

    def create_data(self):
        return {"org": self.world.community1.pk, "area": "", "category": "volunteers", "title": "助老志愿服务",
                "description": "", "beneficiaries": "独居老人", "wanted_from": "2026-05-01", "wanted_until": "",
                "people": "10", "status": "open"}  # fmt: skip

    def created(self):
        return Need.objects.get(title="助老志愿服务")

    def update_data(self, obj):
        return {"org": obj.org_id, "area": obj.area_id, "category": obj.category, "title": obj.title,
                "description": "每周两次", "beneficiaries": obj.beneficiaries, "wanted_from": "2026-01-01",
                "wanted_until": "2026-12-31", "people": "40", "status": obj.status}  # fmt: skip

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "org": self.world.community2.pk}

    def test_area_defaults_to_the_orgs_area(self):
        self.login(self.world.admin1)
        self.client.post(self.url("add"), self.create_data())
        self.assertEqual(self.created().area, self.world.community_area1)

    def test_area_outside_the_org_is_refused(self):
        """A place admin1 also sees (through the street's grant) but outside community 1's area."""
        w = self.world
        do_grant_role(w.admin1, role="subdistrict_admin", org=w.street, descendants=True)
        data = {**self.create_data(), "area": w.community_area2.pk}
        self.post_refused(self.url("add"), data, "area", "须在该党组织所在区域内")

    def test_window_ending_before_it_starts_is_refused(self):
        data = {**self.create_data(), "wanted_until": "2026-04-30"}
        self.post_refused(self.url("add"), data, "wanted_until", "结束日期不能早于开始日期")

    def test_matched_is_set_by_a_project_only(self):
        data = {**self.update_data(self.world.need1), "status": "matched"}
        self.post_refused(self.url("edit", self.world.need1.pk), data, "status", "")

    def test_suggestions_for_the_admin_with_a_prefilled_project_button(self):
        w = self.world
        self.login(w.admin1)
        r = self.client.get(self.url("", w.need1.pk))
        rows = [s.resource for s, _url in r.context["suggestions"]]
        self.assertEqual(rows, [w.res1])
        url = r.context["suggestions"][0][1]
        self.assertContains(r, url.replace("&", "&amp;"))
        form = self.client.get(url).context["form"]
        self.assertEqual(
            (str(form["org"].value()), str(form["need"].value()), [str(v) for v in form["resources"].value()]),
            (str(w.community1.pk), str(w.need1.pk), [str(w.res1.pk)]),
        )

    def test_viewer_sees_no_suggestions(self):
        self.login(self.world.viewer1)
        r = self.client.get(self.url("", self.world.need1.pk))
        self.assertNotIn("suggestions", r.context)
        self.assertNotContains(r, 'id="suggestions"')


class ResourceViewTests(ListViewTests, TestCase):
    views = ResourceViews

    def object_in_scope(self):
        return self.world.res1

    def object_out_of_scope(self):
        return self.world.res2

    def create_data(self):
        return {"unit": self.world.unit1.pk, "category": "funds", "title": "助学基金", "description": "",
                "capacity": "", "opening_hours": "", "amount": "50000", "people": "", "available_from": "",
                "available_until": "", "active": "on"}  # fmt: skip

    def created(self):
        return Resource.objects.get(title="助学基金")

    def update_data(self, obj):
        return {"unit": obj.unit_id, "category": obj.category, "title": obj.title, "description": "可容纳三十人",
                "capacity": "30", "opening_hours": obj.opening_hours, "amount": "", "people": "",
                "available_from": "2026-03-01", "available_until": "", "active": "on"}  # fmt: skip

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "unit": self.world.unit2.pk}

    def test_availability_ending_before_it_starts_is_refused(self):
        data = {**self.create_data(), "available_from": "2026-05-01", "available_until": "2026-04-01"}
        self.post_refused(self.url("add"), data, "available_until", "结束日期不能早于开始日期")


class ProjectViewTests(ListViewTests, TestCase):
    views = ProjectViews

    def object_in_scope(self):
        return self.world.proj1

    def object_out_of_scope(self):
        return self.world.proj2

    def create_data(self):
        return {"org": self.world.community1.pk, "need": "", "resources": [self.world.res1.pk],
                "title": "甲社区读书会", "status": "planned", "starts_on": "2026-03-01", "ends_on": "2026-06-30",
                "people_served": "", "outcome": ""}  # fmt: skip

    def created(self):
        return Project.objects.get(title="甲社区读书会")

    def update_data(self, obj):
        return {"org": obj.org_id, "need": "", "resources": [self.world.res1.pk], "title": obj.title,
                "status": "running", "starts_on": "2026-02-01", "ends_on": "", "people_served": "25",
                "outcome": ""}  # fmt: skip

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "org": self.world.community2.pk}

    def test_end_before_start_is_refused(self):
        data = {**self.create_data(), "ends_on": "2026-02-28"}
        self.post_refused(self.url("add"), data, "ends_on", "结束日期不能早于开始日期")

    def test_resource_outside_the_communitys_territory_is_refused(self):
        """A unit of community 2 that admin1 also sees (through the street's grant) is not community 1's."""
        w = self.world
        do_grant_role(w.admin1, role="subdistrict_admin", org=w.street, descendants=True)
        data = {**self.create_data(), "resources": [w.res1.pk, w.res2.pk]}
        self.post_refused(self.url("add"), data, "resources", "资源所属单位不在本社区范围内")

    def test_detail_lists_the_resources_and_their_units(self):
        self.login(self.world.admin1)
        r = self.client.get(self.url("", self.world.proj1.pk))
        self.assertContains(r, self.world.res1.title)
        self.assertContains(r, self.world.unit1.name)


class ListMenuTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = lists_world()

    def test_one_menu_entry_to_the_need_list(self):
        """An admin has one entry (the need list, with tabs to the others); a unit's liaison, who sees no need,
        has the project list instead."""
        from sqdj.core.plugins import menu

        items = [i for g in menu() for i in g.items if i.url_name.startswith("units:") and "list-check" == i.icon]
        self.assertEqual([i.url_name for i in items], ["units:need_list", "units:project_list"])
        admin, projects_only = items
        self.assertIsNone(admin.visible)
        self.assertFalse(projects_only.visible(self.world.admin1))


class ChineseOnlyTests(TestCase):
    """What tests/test_crawl.py checks on the demo, on these pages with data in them: no English to a Chinese user."""

    @classmethod
    def setUpTestData(cls):
        cls.world = lists_world()

    def test_no_english_on_the_lists_pages(self):
        from tests.test_crawl import _Page, _unreadable

        w = self.world
        urls = [reverse(n) for n in ("units:need_list", "units:resource_list", "units:project_list",
                                     "units:need_add", "units:resource_add", "units:project_add")]  # fmt: skip
        urls += [w.need1.get_absolute_url(), w.res1.get_absolute_url(), w.proj1.get_absolute_url()]
        urls += [o.get_absolute_url() + "edit/" for o in (w.need1, w.res1, w.proj1)]
        urls += [reverse("todo_list") + "?list=needs-waiting"]
        self.client.force_login(w.admin1)

        def unreadable(url):
            r = self.client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            self.assertEqual(r.status_code, 200, url)
            page = _Page()
            page.feed(r.content.decode())
            return _unreadable(" ".join(page.text), {"admin1"})

        # the menu and the home page are other parts' (their words are checked by the crawl itself)
        elsewhere = set(unreadable("/"))
        for url in urls:
            self.assertEqual([word for word in unreadable(url) if word not in elsewhere], [], url)
