"""The rulebook's write path: local variants of the regulation figures, validated, audited and seen by `param()`
at once.

A parameter row is one version of one figure (`core.RuleParameter`). National rows come from the seed data and are
read-only here; a district adds a *local variant* of a known rule with its own effective dates, and `param()` then
prefers it over the national row for the dates inside its window (core/rules.py). Every check on a row lives in
`validate_parameter()`, which the form, the services and anything else writing rows use.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sqdj.core import dates
from sqdj.core.context import acting_as
from sqdj.core.models import ObjectChange, RuleParameter
from sqdj.core.rules import clear_cache, value_labels
from sqdj.core.scope import is_unrestricted
from sqdj.core.services import ensure_in_scope

# Units whose figures count whole things: a number of members, persons, units, years, months or days.
COUNT_UNITS = frozenset({"members", "persons", "units", "years", "months", "days"})
RATIO_UNITS = frozenset({"ratio"})
SHARE_UNITS = frozenset({"share"})  # {"numerator": n, "denominator": d}, a fraction in [0, 1]


# ---------------------------------------------------------------------------------------------------------------
# Reading


def may_edit(user) -> bool:
    """Whether `user` may add or end local variants (superusers, city and district administrators)."""
    return is_unrestricted(user) or RuleParameter.is_editor(user)


def rule_ids() -> list[str]:
    return list(RuleParameter.objects.order_by("rule_id").values_list("rule_id", flat=True).distinct())


def national_row(rule_id: str, on: datetime.date | None = None) -> RuleParameter | None:
    """The national row a local variant of `rule_id` defaults its source and unit from: the one in force on `on`
    (default today), else the latest."""
    rows = list(RuleParameter.objects.filter(rule_id=rule_id, local=False).order_by("-effective_from"))
    on = on or dates.today()
    for row in rows:
        if covers(row, on):
            return row
    return rows[0] if rows else None


def covers(row, on: datetime.date) -> bool:
    return row.effective_from <= on and (row.effective_to is None or on <= row.effective_to)


def version_in_force(rows, on: datetime.date):
    """Which of one rule's `rows` `param()` uses on `on`: a local variant before a national row, the latest start
    first (the order of core.rules._versions)."""
    ordered = sorted(rows, key=lambda r: (not r.local, -r.effective_from.toordinal()))
    return next((r for r in ordered if covers(r, on)), None)


def in_force_ids(on: datetime.date | None = None) -> set[int]:
    """The pk of the row in force on `on` (default today) for every rule."""
    on = on or dates.today()
    by_rule: dict[str, list] = {}
    for row in RuleParameter.objects.only("pk", "rule_id", "local", "effective_from", "effective_to"):
        by_rule.setdefault(row.rule_id, []).append(row)
    return {row.pk for rows in by_rule.values() if (row := version_in_force(rows, on)) is not None}


@dataclass
class RuleHistory:
    rule_id: str
    rows: list  # every version, oldest first, national before local on the same day
    current: RuleParameter | None
    national: RuleParameter | None
    changes: list  # ObjectChange rows of these versions, newest first


def history(rule_id: str, on: datetime.date | None = None) -> RuleHistory | None:
    rows = list(RuleParameter.objects.filter(rule_id=rule_id).order_by("effective_from", "local", "pk"))
    if not rows:
        return None
    on = on or dates.today()
    changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(RuleParameter), object_id__in=[r.pk for r in rows]
    )[:200]
    return RuleHistory(rule_id, rows, version_in_force(rows, on), national_row(rule_id, on), list(changes))


def format_value(value, unit: str = "") -> str:
    """A figure as people read it: 50 members → "50 members"; {numerator: 1, denominator: 3} → "1/3"."""
    if isinstance(value, dict) and set(value) == {"numerator", "denominator"}:
        text = f"{value['numerator']}/{value['denominator']}"
    elif isinstance(value, bool):
        text = _("yes") if value else _("no")
    elif isinstance(value, dict | list):
        text = _structured(value, unit)
    else:
        text = str(value)
    return f"{text} {unit_label(unit)}".strip() if unit else text


def _structured(value: dict | list, unit: str) -> str:
    """A list or mapping in words ("社区、村"; "同一社区内：社区党组织；…"), with the labels the apps declared for the
    unit (core.rules.describe_values); a word nobody labelled, or a value of another shape, stays as stored."""
    labels, keys = value_labels(unit)

    def word(item) -> str:
        return str(labels.get(item, item)) if isinstance(item, str) else json.dumps(item, ensure_ascii=False)

    if isinstance(value, list):
        return "、".join(word(item) for item in value)
    return "；".join(f"{keys.get(k, labels.get(k, k))!s}：{word(v)}" for k, v in value.items())


UNIT_LABELS = {
    "members": "人",
    "persons": "人",
    "units": "个",
    "years": "年",
    "months": "个月",
    "days": "天",
    "hours": "小时",
    "times": "次",
    "ratio": "",
    "share": "",
    "sectors": "",  # a list of sectors: the words say it
    "levels": "",  # who approves, by level: the words say it
}


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit, unit)


# ---------------------------------------------------------------------------------------------------------------
# Validation


FRACTION = re.compile(r"^(\d+)\s*[/／]\s*(\d+)$")


def parse_value(text: str):
    """A value typed into the form: a fraction as people write it (1/3), or JSON (60, 0.25, {"numerator": 1,
    "denominator": 3}); anything else is taken as text (and then refused where the rule expects a number)."""
    text = (text or "").strip()
    if m := FRACTION.match(text):
        return {"numerator": int(m[1]), "denominator": int(m[2])}
    try:
        return json.loads(text)
    except ValueError:
        return text


def json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int in Python
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    return "array"


def kind_label(kind: str) -> str:
    return {
        "null": _("empty"),
        "boolean": _("yes/no"),
        "integer": _("a whole number"),
        "number": _("a number"),
        "string": _("text"),
        "object": _("a structured value"),
        "array": _("a list"),
    }[kind]


def _conform(value, examples: list, path: str, errors: list):
    """`value` shaped like the `examples` (the rule's existing values at the same place); returns it normalized
    (a whole float for an integer becomes an int) and appends what is wrong to `errors`."""
    kinds = {json_kind(e) for e in examples}
    kind = json_kind(value)
    where = f"{path}：" if path else ""
    if not kinds:
        return value
    if kinds <= {"integer"}:
        if kind == "number" and math.isfinite(value) and value.is_integer():
            return int(value)
        if kind != "integer":
            errors.append(
                where
                + _("%(expected)s is expected here (like the rule's other versions), not %(got)s.")
                % {"expected": kind_label("integer"), "got": kind_label(kind)}
            )
        return value
    if kinds <= {"integer", "number"}:
        if kind not in ("integer", "number"):
            errors.append(
                where
                + _("%(expected)s is expected here (like the rule's other versions), not %(got)s.")
                % {"expected": kind_label("number"), "got": kind_label(kind)}
            )
        return value
    if len(kinds) == 1 and kind not in kinds:
        errors.append(
            where
            + _("%(expected)s is expected here (like the rule's other versions), not %(got)s.")
            % {"expected": kind_label(next(iter(kinds))), "got": kind_label(kind)}
        )
        return value
    if kind == "object" and kinds == {"object"}:
        keys = set().union(*(set(e) for e in examples))
        if set(value) != keys:
            errors.append(
                where + _("The value must have exactly these parts: %(keys)s.") % {"keys": "、".join(sorted(keys))}
            )
            return value
        return {
            k: _conform(value[k], [e[k] for e in examples if k in e], f"{path}.{k}" if path else k, errors)
            for k in value
        }
    return value


def _numbers(value):
    if json_kind(value) in ("integer", "number"):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)


def _span(row) -> str:
    end = row.effective_to.isoformat() if row.effective_to else _("open-ended")
    return f"{row.effective_from.isoformat()} — {end}"


def validate_parameter(row: RuleParameter) -> RuleParameter:
    """Check `row` against the rulebook; raise ValidationError with every problem by field, or return the row
    with its value normalized. Nothing is written."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    others = list(RuleParameter.objects.filter(rule_id=row.rule_id).exclude(pk=row.pk))
    if not row.rule_id:
        add("rule_id", _("Choose a rule."))
    elif row.local and not any(not o.local for o in others):
        add(
            "rule_id",
            _("Unknown rule %(rule)s: a local variant can only be added to a rule of the rulebook.")
            % {"rule": row.rule_id},
        )

    if row.effective_from is None:
        add("effective_from", _("Enter the date from which this version applies."))
    elif row.effective_to is not None and row.effective_to < row.effective_from:
        add(
            "effective_to",
            _("The end date %(to)s is before the start date %(start)s.")
            % {"to": row.effective_to.isoformat(), "start": row.effective_from.isoformat()},
        )
    elif row.rule_id:
        start, end = row.effective_from, row.effective_to or datetime.date.max
        for o in others:
            if o.local == row.local and o.effective_from <= end and start <= (o.effective_to or datetime.date.max):
                kind = _("local variant") if o.local else _("national version")
                add(
                    "effective_from",
                    _(
                        "The dates overlap the %(kind)s in force %(span)s (value %(value)s); end that one first or "
                        "choose dates outside it."
                    )
                    % {"kind": kind, "span": _span(o), "value": format_value(o.value, o.unit)},
                )

    value_errors: list[str] = []
    if row.value is None or row.value == "":
        value_errors.append(_("Enter a value."))
    else:
        row.value = _conform(row.value, [o.value for o in others], "", value_errors)
        numbers = list(_numbers(row.value))
        if any(not math.isfinite(n) for n in numbers):
            value_errors.append(_("The value must be a finite number."))
        elif any(n < 0 for n in numbers):
            value_errors.append(_("A threshold cannot be negative."))
        elif row.unit in COUNT_UNITS and json_kind(row.value) == "number":
            if row.value.is_integer():
                row.value = int(row.value)
            else:
                value_errors.append(
                    _("This figure counts whole %(unit)s: enter a whole number.")
                    % {"unit": unit_label(row.unit) or row.unit}
                )
        elif row.unit in RATIO_UNITS:
            if json_kind(row.value) not in ("integer", "number"):
                value_errors.append(_("A ratio is a number between 0 and 1, e.g. 0.2 for 20%."))
            elif not 0 <= row.value <= 1:
                value_errors.append(_("A ratio must be between 0 and 1 (0.2 means 20%)."))
        elif row.unit in SHARE_UNITS and isinstance(row.value, dict) and {"numerator", "denominator"} <= set(row.value):
            num, den = row.value["numerator"], row.value["denominator"]
            if json_kind(num) in ("integer", "number") and json_kind(den) in ("integer", "number"):
                if den == 0 or num > den:
                    value_errors.append(
                        _(
                            "A share is a fraction between 0 and 1: the denominator must be greater "
                            "than zero and not smaller than the numerator."
                        )
                    )
    for message in value_errors:
        add("value", message)

    if not row.regulation:
        add("regulation", _("Name the regulation this figure comes from."))
    if row.trust not in RuleParameter.Trust.values:
        add("trust", _("Unknown trust level."))
    if errors:
        raise ValidationError(errors)
    return row


# ---------------------------------------------------------------------------------------------------------------
# Writing


def _lock_rule(rule_id: str) -> None:
    """Serialize writers of one rule (PostgreSQL row locks) so two overlapping variants cannot both pass."""
    list(RuleParameter.objects.select_for_update().filter(rule_id=rule_id).values_list("pk", flat=True))


def build_local_variant(
    rule_id: str,
    *,
    value,
    effective_from: datetime.date | None,
    effective_to: datetime.date | None = None,
    note: str = "",
    regulation: str = "",
    article: str = "",
) -> RuleParameter:
    """An unsaved local variant of `rule_id`: unit from the rule, regulation and article from its national row unless
    given, trust LOCAL. Check it with `validate_parameter()`."""
    base = national_row(rule_id, effective_from)
    return RuleParameter(
        rule_id=rule_id,
        value=value,
        unit=base.unit if base else "",
        regulation=(regulation or (base.regulation if base else "")).strip(),
        article=(article or (base.article if base else "")).strip(),
        trust=RuleParameter.Trust.LOCAL,
        effective_from=effective_from,  # type: ignore[misc]  # None is refused by validate_parameter()
        effective_to=effective_to,
        local=True,
        note=(note or "").strip(),
    )


def do_add_local_variant(*, acting_user, rule_id: str, **data) -> RuleParameter:
    """Add a local variant of a known rule (fields as `build_local_variant`). Raises ValidationError (nothing
    saved) or PermissionDenied."""
    if acting_user is not None and not may_edit(acting_user):
        raise PermissionDenied(_("Only city and district administrators may change the rulebook."))
    try:
        with transaction.atomic():
            _lock_rule(rule_id)
            row = validate_parameter(build_local_variant(rule_id, **data))
            row.full_clean()
            with acting_as(acting_user):
                row.save()
            ensure_in_scope(row, acting_user, "add")
    finally:
        clear_cache()  # this process sees the change (or its rollback) at once
    return row


def do_end_local_variant(row: RuleParameter, *, acting_user, effective_to: datetime.date) -> RuleParameter:
    """End a local variant on `effective_to` (its last day in force); the national row applies after it."""
    if not row.local:
        raise PermissionDenied(_("National figures are read-only; add a local variant instead."))
    if acting_user is not None and not may_edit(acting_user):
        raise PermissionDenied(_("Only city and district administrators may change the rulebook."))
    try:
        with transaction.atomic():
            _lock_rule(row.rule_id)
            fresh = RuleParameter.objects.get(pk=row.pk)
            if effective_to is None:
                raise ValidationError({"effective_to": [_("Enter the last day on which the variant applies.")]})
            fresh.effective_to = effective_to
            validate_parameter(fresh)
            fresh.full_clean()
            with acting_as(acting_user):
                fresh.save()
            ensure_in_scope(fresh, acting_user, "change")
    finally:
        clear_cache()
    return fresh
