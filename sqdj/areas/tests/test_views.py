from django.test import TestCase

from sqdj.areas.services import do_create_area
from sqdj.areas.views import AreaViews
from sqdj.orgs.services import do_create_org
from sqdj.testing import ScopedViewTests


class AreaViewTests(ScopedViewTests, TestCase):
    """A community admin sees the territory of the community in which their org is located."""

    views = AreaViews

    def in_scope(self):
        return self.world.community_area1

    def out_of_scope(self):
        return self.world.community_area2

    def create_data(self):
        return {
            "code": "T0100100101",
            "name": "甲社区第一网格",
            "type": "grid",
            "parent": self.world.community_area1.pk,
        }

    def update_data(self, obj):
        return {"code": obj.code, "name": obj.name + "（改）", "type": obj.type, "parent": self.world.street_area.pk}

    def test_update_writes_one_change_row(self):
        # a community admin may not re-parent the community itself (the street is outside their scope), so the
        # update is tested on a node below the community

        grid = do_create_area(
            acting_user=None, parent=self.world.community_area1, code="T0100100199", name="网格", type="grid"
        )
        self.in_scope = lambda: grid
        self.update_data = lambda obj: {
            "code": obj.code,
            "name": "新网格名",
            "type": "grid",
            "parent": self.world.community_area1.pk,
        }
        super().test_update_writes_one_change_row()

    def test_detail_lists_only_visible_orgs_located_here(self):
        # an org located in community 1's area but hanging under community 2's tree: admin1 may not see it
        do_create_org(
            acting_user=None,
            parent=self.world.branch2,
            code="XZX",
            name="外组织党小组",
            type="group",
            area=self.world.community_area1,
        )
        self.client.force_login(self.world.admin1)
        r = self.client.get(self.url("", self.world.community_area1.pk))
        self.assertContains(r, "中共甲社区总支部委员会")
        self.assertNotContains(r, "外组织党小组")
