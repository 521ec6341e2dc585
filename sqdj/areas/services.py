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
