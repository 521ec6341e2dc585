"""The volunteers app's services (issue 16): each `do_*` one transaction, validated with Chinese field errors before
anything is written, the change log by the models' signals, the result re-read through the scope gate."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sqdj.areas.choices import AreaType
from sqdj.core import dates
from sqdj.core.services import Conflict, ScopeViolation, do_create, do_update, end_data, ensure_in_scope
from sqdj.orgs.models import Org

from .choices import UnitRegistrationEnd
from .models import UnitRegistration

# ---- 单位报到 --------------------------------------------------------------------------------------------------------


@transaction.atomic
def do_register_unit(*, acting_user, org, community, registered_on: datetime.date, commitments: str = ""):
    """The unit's party organization registers with a community (any community: their names are public divisions);
    the unit side acts — a user who may change the org."""
    if acting_user is not None and not Org.objects.restrict(acting_user, "change").filter(pk=org.pk).exists():
        raise ScopeViolation(_("Only the unit's own organization registers it with a community."))
    errors: dict[str, list[str]] = {}
    if community.type != AreaType.COMMUNITY:
        errors["community"] = [_("Choose a community (社区).")]
    if registered_on > dates.today():
        errors["registered_on"] = [_("Cannot be in the future.")]
    if UnitRegistration.objects.filter(org=org, community=community, active=True).exists():
        errors["community"] = [_("This organization is already registered with this community.")]
    if errors:
        raise ValidationError(errors)
    data = {"org": org, "community": community, "registered_on": registered_on,
            "commitments": (commitments or "").strip()}  # fmt: skip
    return do_create(UnitRegistration, acting_user=acting_user, data=data, clean=False)  # validated above


@transaction.atomic
def do_update_unit_registration(reg: UnitRegistration, *, acting_user, commitments: str = "", **_ignored):
    """What the unit offers may change; where and since when may not (end it and register anew)."""
    ensure_in_scope(reg, acting_user, "change")
    return do_update(reg, acting_user=acting_user, data={"commitments": (commitments or "").strip()}, clean=False)


@transaction.atomic
def do_end_unit_registration(reg: UnitRegistration, *, acting_user, reason: str,
                             ended_on: datetime.date | None = None, note: str = "") -> UnitRegistration:  # fmt: skip
    """Either side ends the registration with a day and a reason; it stays in the history."""
    ensure_in_scope(reg, acting_user, "change")
    current = UnitRegistration.objects.select_for_update().get(pk=reg.pk)
    if not current.active:
        raise Conflict(_("This registration has ended already."))
    data = end_data(reason=reason, reasons=UnitRegistrationEnd.values, ended_on=ended_on,
                    started_on=current.registered_on, note=note)  # fmt: skip
    return do_update(current, acting_user=acting_user, data=data, clean=False, action=None)  # checked above
