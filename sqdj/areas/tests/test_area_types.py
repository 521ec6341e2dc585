"""The area types of issue 13: 村 (beside 社区, under a 街道), 园区 (of a district or a street) and 商务楼宇 (in a
street, a community, a grid or a park); an org located in one gets the matching sector by default."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sqdj.areas.choices import depths_below
from sqdj.areas.models import Area
from sqdj.areas.services import do_create_area
from sqdj.orgs.services import do_create_org
from sqdj.testing import build_world
from sqdj.testing.imports import run_import, write_csv

pytestmark = pytest.mark.django_db
H = ["区域编码", "区域名称", "区域类型", "上级区域编码"]


@pytest.fixture
def world():
    return build_world()


def test_import_village_park_and_office_building(world, tmp_path):
    rows = [
        H,
        ["T01001009", "东村", "村", "T01001"],
        ["T01001009001", "东村一网格", "网格", "T01001009"],
        ["T01P01", "科技园", "园区", "T01"],
        ["T01P01001", "创业大厦", "商务楼宇", "T01P01"],
        ["T01001001009", "甲社区大厦", "商务楼宇", "T01001001"],
    ]
    status, out = run_import("areas", write_csv(tmp_path / "a.csv", rows))
    assert status == 0 and out["created"] == 5, out
    types = dict(Area.objects.filter(code__in=[r[0] for r in rows[1:]]).values_list("code", "type"))
    assert types == {
        "T01001009": "village", "T01001009001": "grid", "T01P01": "park",
        "T01P01001": "office_building", "T01001001009": "office_building",
    }  # fmt: skip


@pytest.mark.parametrize(
    "parent,type_",
    [("district", "village"), ("community", "park"), ("district", "office_building"), ("community", "village")],
)
def test_misplaced_types_are_refused(world, parent, type_):
    parent_area = {"district": world.district_area, "community": world.community_area1}[parent]
    with pytest.raises(ValidationError):
        do_create_area(acting_user=None, parent=parent_area, code="X1", name="错位", type=type_)


def test_orgs_located_there_get_the_matching_sector(world):
    village = do_create_area(acting_user=None, parent=world.street_area, code="T01001009", name="东村", type="village")
    park = do_create_area(acting_user=None, parent=world.district_area, code="T01P01", name="科技园", type="park")
    tower = do_create_area(acting_user=None, parent=park, code="T01P01001", name="大厦", type="office_building")
    made = [
        do_create_org(acting_user=None, parent=world.street, code=code, name=code, type="committee", area=area)
        for code, area in (("CW1", village), ("YQ1", park), ("LY1", tower))
    ]
    assert [o.sector for o in made] == ["village", "park", "office_building"]


def test_depths_below_follow_the_placement_rules():
    """How far below an area a community sits, from ALLOWED_PARENTS alone (the statistics cut the paths there)."""
    assert depths_below("city", "community") == {3}
    assert depths_below("district", "community") == {2}
    assert depths_below("subdistrict", "community") == {1}
    assert depths_below("community", "community") == {0}
    assert depths_below("grid", "community") == set()
    assert depths_below("district", "building") == {3, 4, 5}  # under a community, its grid, an estate in the grid
