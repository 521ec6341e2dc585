"""/api/v1/orgs/: the scope contract (ScopedAPITests). The tree specifics (codes, filters, pagination, roots) are
in tests/api/test_api_scope.py."""

from django.test import TestCase

from sqdj.testing.api import ScopedAPITests


class OrgAPITests(ScopedAPITests, TestCase):
    basename = "org"
    scope_field = "parent"

    def in_scope(self):
        return self.world.branch1

    def out_of_scope(self):
        return self.world.branch2

    def create_data(self):
        return {"code": "XZT1-2", "name": "甲社区第二党小组", "type": "group", "parent": "ZBT1"}

    def update_data(self, obj):
        return {"name": obj.name + "（改）"}

    def foreign_value(self):
        return self.world.branch2.code
