from django.test import TestCase
from django.urls import reverse

from sqdj.orgs.views import OrgViews
from sqdj.testing import ScopedViewTests


class OrgViewTests(ScopedViewTests, TestCase):
    views = OrgViews

    def in_scope(self):
        return self.world.branch1

    def out_of_scope(self):
        return self.world.branch2

    def create_data(self):
        return {"code": "XZT1-2", "name": "甲社区第二党小组", "type": "group", "parent": self.world.branch1.pk}

    def update_data(self, obj):
        return {
            "code": obj.code,
            "name": obj.name + "（改）",
            "type": obj.type,
            "sector": obj.sector,  # required on edit (left empty only on create: the type's default)
            "parent": self.world.community1.pk,
            "area": obj.area_id or "",
        }

    def test_tree_shows_own_community_only(self):
        self.client.force_login(self.world.admin1)
        r = self.client.get(reverse("orgs:org_tree"))
        self.assertContains(r, 'data-code="SQT1"')
        self.assertContains(r, 'data-code="ZBT1"')
        self.assertNotContains(r, "SQT2")
        self.assertNotContains(r, "乙社区")
        self.assertNotContains(r, 'data-code="GWT01001"')  # the parent is outside a community admin's scope

    def test_tree_children_out_of_scope_is_404(self):
        self.client.force_login(self.world.admin1)
        self.assertEqual(
            self.client.get(reverse("orgs:org_tree_children", args=[self.world.community2.pk])).status_code, 404
        )
        r = self.client.get(reverse("orgs:org_tree_children", args=[self.world.community1.pk]))
        self.assertContains(r, "ZBT1")

    def test_delete_refuses_a_node_with_children(self):
        self.client.force_login(self.world.admin1)
        r = self.client.post(reverse("orgs:org_delete", args=[self.world.branch1.pk]))
        self.assertEqual(r.status_code, 409)
        self.assertTrue(type(self.world.branch1).objects.filter(pk=self.world.branch1.pk).exists())

    def test_delete_a_leaf(self):
        self.client.force_login(self.world.admin1)
        r = self.client.post(reverse("orgs:org_delete", args=[self.world.group1.pk]))
        self.assertEqual(r.status_code, 302)
        self.assertFalse(type(self.world.group1).objects.filter(pk=self.world.group1.pk).exists())

    def test_detail_breadcrumb_does_not_link_out_of_scope_ancestors(self):
        self.client.force_login(self.world.admin1)
        r = self.client.get(reverse("orgs:org", args=[self.world.branch1.pk]))
        self.assertContains(r, "中共测试街道工作委员会")  # shown as text …
        self.assertNotContains(r, reverse("orgs:org", args=[self.world.street.pk]) + '"')  # … never as a link
        self.assertContains(r, reverse("orgs:org", args=[self.world.community1.pk]))

    def test_wrong_type_under_parent_is_a_form_error(self):
        self.client.force_login(self.world.admin1)
        r = self.client.post(
            reverse("orgs:org_add"),
            {"code": "BAD1", "name": "错误", "type": "committee", "parent": self.world.group1.pk},
        )
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].errors)
        self.assertFalse(type(self.world.group1).objects.filter(code="BAD1").exists())

    def test_type_change_through_the_form_respects_children(self):
        """The edit form must not bypass the service's check that existing children fit the new type."""
        self.client.force_login(self.world.admin1)
        b1 = self.world.branch1
        r = self.client.post(
            reverse("orgs:org_edit", args=[b1.pk]),
            {"code": b1.code, "name": b1.name, "type": "group", "parent": self.world.community1.pk, "area": ""},
        )
        self.assertEqual(r.status_code, 200)
        self.assertEqual(type(b1).objects.get(pk=b1.pk).type, "branch")
