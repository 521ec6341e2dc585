from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaType(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    GRID = "grid", _("Grid")
    ESTATE = "estate", _("Housing estate")
    BUILDING = "building", _("Building")
    ENTRANCE = "entrance", _("Entrance")
    OFFICE_BUILDING = "office_building", _("Office building")
    PARK = "park", _("Park")


# The words of the import template (interfaces.md §2): a contract, independent of the UI language.
TEMPLATE_LABELS = {
    AreaType.CITY: "市",
    AreaType.DISTRICT: "区",
    AreaType.SUBDISTRICT: "街道",
    AreaType.COMMUNITY: "社区",
    AreaType.VILLAGE: "村",
    AreaType.GRID: "网格",
    AreaType.ESTATE: "小区",
    AreaType.BUILDING: "楼栋",
    AreaType.ENTRANCE: "单元",
    AreaType.OFFICE_BUILDING: "商务楼宇",
    AreaType.PARK: "园区",
}

# Which parent types each type may sit under; an empty set means it may only be a root.
ALLOWED_PARENTS: dict[str, set[str]] = {
    AreaType.CITY: set(),
    AreaType.DISTRICT: {AreaType.CITY},
    AreaType.SUBDISTRICT: {AreaType.DISTRICT},
    AreaType.COMMUNITY: {AreaType.SUBDISTRICT},
    AreaType.VILLAGE: {AreaType.SUBDISTRICT},
    AreaType.GRID: {AreaType.COMMUNITY, AreaType.VILLAGE},
    AreaType.ESTATE: {AreaType.COMMUNITY, AreaType.GRID},
    AreaType.BUILDING: {AreaType.COMMUNITY, AreaType.GRID, AreaType.ESTATE},
    AreaType.ENTRANCE: {AreaType.BUILDING},
    # 园区 of a district or a street; 商务楼宇 in a street, a community (or its grid) or a park
    AreaType.PARK: {AreaType.DISTRICT, AreaType.SUBDISTRICT},
    AreaType.OFFICE_BUILDING: {AreaType.SUBDISTRICT, AreaType.COMMUNITY, AreaType.GRID, AreaType.PARK},
}
ROOT_TYPES = {AreaType.CITY, AreaType.DISTRICT}


def depths_below(ancestor: str, descendant: str) -> frozenset[int]:
    """How many levels below an area of type `ancestor` an area of type `descendant` can sit, by ALLOWED_PARENTS
    (0: the area itself): a community is 1 below a subdistrict, 2 below a district, 3 below a city."""
    out: set[int] = set()

    def down(area_type: str, levels: int) -> None:
        if area_type == descendant:
            out.add(levels)
        for child, parents in ALLOWED_PARENTS.items():
            if area_type in parents and child != area_type:
                down(child, levels + 1)

    down(ancestor, 0)
    return frozenset(out)
