"""Territory operations. The placement rules live in `choices.ALLOWED_PARENTS`."""

from __future__ import annotations

from sqdj.core.services import UNSET, TreeRules

from .choices import ALLOWED_PARENTS, ROOT_TYPES, AreaType
from .models import Area

rules = TreeRules(Area, ALLOWED_PARENTS, ROOT_TYPES, lambda t: AreaType(t).label)


def do_create_area(*, acting_user, parent, **data) -> Area:
    return rules.create(acting_user=acting_user, parent=parent, data=data)


def do_update_area(area: Area, *, acting_user, parent=UNSET, **data) -> Area:
    return rules.update(area, acting_user=acting_user, parent=parent, data=data)


def do_delete_area(area: Area, *, acting_user) -> None:
    rules.delete(area, acting_user=acting_user)


def community_at(area) -> Area | None:
    """The community (社区) an area is in: the area itself when it is one, else the community above it (a grid, an
    estate, a building), else None (a subdistrict or above)."""
    if area is None:
        return None
    if area.type == AreaType.COMMUNITY:
        return area
    step = Area.steplen  # the materialized path's step (treebeard)
    above = [area.path[:i] for i in range(step, len(area.path), step)]
    return Area.objects.filter(path__in=above, type=AreaType.COMMUNITY).order_by("-depth").first()
