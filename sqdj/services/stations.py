"""The station part's services (issue 17 item 6): the registry of service places (党群服务中心 / 党员服务站 / 便民服务
网点). Each `do_*` is one transaction, checked with Chinese field errors before anything is written, the change log
through do_create / do_update; a station is closed (kept, off the public page), never deleted."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sqdj.core.services import Conflict, Errors, ScopeViolation, do_create, do_update, ensure_in_scope, merged
from sqdj.orgs.models import Org

from .models import Station
from .requests import LANDLINE, MOBILE, refuse_personal_numbers

FIELDS = ("org", "area", "name", "address", "hours", "services", "phone", "public")
LIMITS = {"name": 100, "address": 200, "hours": 200, "services": 2000}


def normalize_phone(text: str) -> str:
    return "".join((text or "").split())


def _checked(values: dict, *, acting_user) -> dict:
    """The station's values, checked all at once (ValidationError with every field's message), normalized."""
    errors = Errors()
    org, area = values["org"], values["area"]
    if org is None:
        errors.add("org", _("Choose the party organization that runs the station."), "required")
    elif acting_user is not None and not Org.objects.restrict(acting_user, "change").filter(pk=org.pk).exists():
        raise ScopeViolation(_("You may not register stations for this organization."))
    if area is None:
        errors.add("area", _("Choose where the station is."), "required")
    elif org is not None and (org.area_id is None or not area.path.startswith(org.area.path)):
        errors.add("area", _("The station must lie in the organization's own area."), "territory")
    out = {"org": org, "area": area, "public": bool(values["public"])}
    for field, limit in LIMITS.items():
        text = (values[field] or "").strip()
        if not text and field in ("name", "address"):
            errors.add(field, _("This field is required."), "required")
        elif len(text) > limit:
            errors.add(field, _("At most %(n)d characters.") % {"n": limit}, "max_length")
        # the station's texts are shown on the public page: no ID or phone number of a person in them
        refuse_personal_numbers(errors, field, text)
        out[field] = text
    phone = normalize_phone(values["phone"])
    if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
        errors.add("phone", _("Enter a mobile number (11 digits) or a landline with its area code."), "phone")
    out["phone"] = phone
    errors.raise_if_any()
    return out


@transaction.atomic
def do_create_station(*, acting_user, org, area, name: str, address: str, hours: str = "", services: str = "",
                      phone: str = "", public: bool = True, **_ignored) -> Station:  # fmt: skip
    values = {"org": org, "area": area, "name": name, "address": address, "hours": hours, "services": services,
              "phone": phone, "public": public}  # fmt: skip
    data = _checked(values, acting_user=acting_user)
    return do_create(Station, acting_user=acting_user, data={**data, "active": True}, clean=False)  # checked above


@transaction.atomic
def do_update_station(station: Station, *, acting_user, **data) -> Station:
    """Any of FIELDS; the row locked so that a close at the same moment is not undone."""
    ensure_in_scope(station, acting_user, "change")
    current = Station.objects.select_for_update(of=("self",)).select_related("org__area").get(pk=station.pk)
    values = merged(current, FIELDS, {k: v for k, v in data.items() if k in FIELDS})
    checked = _checked(values, acting_user=acting_user)
    changed = {k: v for k, v in checked.items() if getattr(current, k) != v}
    if not changed:
        return current
    return do_update(current, acting_user=acting_user, data=changed, clean=False)  # checked above


@transaction.atomic
def do_close_station(station: Station, *, acting_user, **_ignored) -> Station:
    """Closed: kept in the registry (requests taken there point to it), off the public page."""
    ensure_in_scope(station, acting_user, "change")
    current = Station.objects.select_for_update().get(pk=station.pk)
    if not current.active:
        raise Conflict(_("This station is closed already."))
    return do_update(current, acting_user=acting_user, data={"active": False}, clean=False)


def public_stations(community):
    """The open stations shown on a community's public page: those in it or below it, and those of the subdistrict
    itself (its 党群服务中心 serves every community of the street)."""
    above = community.path[: -community.steplen]
    return Station.objects.filter(Q(area__path__startswith=community.path) | Q(area__path=above), public=True,
                                  active=True).order_by("name", "pk")  # fmt: skip
