"""/api/v1/areas/: the scope contract (ScopedAPITests). The tree specifics (codes, filters, pagination) are in
tests/api/test_api_scope.py."""

from django.test import TestCase

from sqdj.testing.api import ScopedAPITests


class AreaAPITests(ScopedAPITests, TestCase):
    basename = "area"
    scope_field = "parent"

    def in_scope(self):
        return self.world.community_area1

    def out_of_scope(self):
        return self.world.community_area2

    def create_data(self):
        return {"code": "T0100100101", "name": "甲社区第一网格", "type": "grid", "parent": "T01001001"}

    def update_data(self, obj):
        return {"name": obj.name + "（改）"}

    def foreign_value(self):
        return self.world.community_area2.code
