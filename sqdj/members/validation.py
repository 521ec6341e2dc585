"""The rules a member record must satisfy (interfaces.md §2; figures from the rulebook). Shared by the forms,
the API and the importer through the services, so every input path gives the same Chinese message."""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _

from sqdj.core import dates, idnumber
from sqdj.core.dates import add_months, age_on
from sqdj.core.rules import param

from .choices import ETHNIC_GROUPS, MemberType

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def check_id_number(value: str, birth_date: datetime.date | None, errors: dict, warnings: dict) -> None:
    value = idnumber.normalize(value)
    problem = idnumber.error(value)
    if problem:
        errors.setdefault("id_number", []).append(problem)
        return
    id_birth = idnumber.birth_date(value)
    if birth_date and id_birth != birth_date:
        errors.setdefault("birth_date", []).append(
            _("Does not match the ID number, which says %(date)s.") % {"date": id_birth.isoformat()}
        )
    warning = idnumber.region_warning(value)
    if warning:
        warnings.setdefault("id_number", []).append(warning)


def validate_member(data: dict, today: datetime.date | None = None) -> tuple[dict, dict]:
    """(errors, warnings), each {field: [message, …]}; `data` holds the model's field names."""
    today = today or dates.today()
    errors: dict[str, list] = {}
    warnings: dict[str, list] = {}

    def err(field, msg):
        errors.setdefault(field, []).append(msg)

    for field, value in data.items():
        if isinstance(value, str) and "\x00" in value:
            err(field, _("Contains an invisible control character (NUL); please retype it."))
    birth, joined, confirmed = data.get("birth_date"), data.get("joined_on"), data.get("confirmed_on")
    if data.get("id_number") is not None:
        check_id_number(data["id_number"], birth, errors, warnings)
    if birth and birth > today:
        err("birth_date", _("Cannot be in the future."))
    if data.get("ethnicity") and data["ethnicity"] not in ETHNIC_GROUPS:
        err("ethnicity", _("Write the ethnic group as on the ID card, e.g. 汉族, 回族, 满族."))
    if joined:
        if joined > today:
            err("joined_on", _("Cannot be in the future."))
        min_age = param("member.min_join_age", joined, default=None)  # None: before the encoded regulations
        if min_age is not None and birth and age_on(birth, joined) < min_age:
            err("joined_on", _("The member was under %(age)d on this date.") % {"age": min_age})
    member_type = data.get("member_type")
    extended = data.get("probation_extended_months")
    if extended is not None and joined:
        shortest = param("member.min_probation_extension_months", joined, default=None)
        longest = param("member.max_probation_extension_months", joined, default=None)
        if shortest is not None and longest is not None and not shortest <= extended <= longest:
            err(
                "probation_extended_months",
                _("A probation is extended once, by %(min)d to %(max)d months.") % {"min": shortest, "max": longest},
            )
    if member_type == MemberType.PROBATIONARY and confirmed:
        err("confirmed_on", _("A probationary member has no date of becoming a full member; leave it empty."))
    if member_type == MemberType.FULL:
        if not confirmed:
            err("confirmed_on", _("Required for a full member."))
        elif joined:
            if confirmed > today:
                err("confirmed_on", _("Cannot be in the future."))
            months = param("member.probation_months", joined, default=None)
            if months is not None and extended:
                months += extended
            if confirmed < joined:
                err("confirmed_on", _("Cannot be before the date of joining."))
            elif months is not None and confirmed < add_months(joined, months):
                err(
                    "confirmed_on",
                    _("The probation lasts %(months)d months: the earliest possible date is %(date)s.")
                    % {"months": months, "date": add_months(joined, months).isoformat()},
                )
    phone = (data.get("phone") or "").strip()
    if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
        err(
            "phone",
            _(
                "Not a mainland phone number: 11 digits for a mobile (e.g. 13812345678) or an area code "
                "and number (e.g. 022-12345678)."
            ),
        )
    return errors, warnings
