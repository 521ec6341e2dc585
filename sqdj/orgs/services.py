"""Party organization operations. The placement rules live in `choices.ALLOWED_PARENTS`; the leadership rules
(positions, elections, terms, residents' committees: rules.md §2) are in `sqdj.leadership.services`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sqdj.areas.models import Area
from sqdj.core.scope import visible
from sqdj.core.services import UNSET, TreeRules

from .choices import ALLOWED_PARENTS, ROOT_TYPES, OrgType
from .models import Org

rules = TreeRules(Org, ALLOWED_PARENTS, ROOT_TYPES, lambda t: OrgType(t).label)


def _check_area(area, acting_user):
    """An org may only be located in an area the acting user can see."""
    if area is None or acting_user is None:
        return
    if not Area.objects.restrict(acting_user, "view").filter(pk=area.pk).exists():
        raise ValidationError({"area": _("You may not choose this area.")})


def do_create_org(*, acting_user, parent, **data) -> Org:
    _check_area(data.get("area"), acting_user)
    return rules.create(acting_user=acting_user, parent=parent, data=data)


def do_update_org(org: Org, *, acting_user, parent=UNSET, **data) -> Org:
    if "area" in data and data["area"] != org.area:
        _check_area(data["area"], acting_user)
    return rules.update(org, acting_user=acting_user, parent=parent, data=data)


def do_delete_org(org: Org, *, acting_user) -> None:
    rules.delete(org, acting_user=acting_user)


def find_org(code: str, user):
    """The organization with this code if `user` may see it, else None (unknown and out of scope look alike);
    `EVERYTHING` for the operator at the shell."""
    return visible(Org.objects.select_related("area"), user).filter(code=code).first()
