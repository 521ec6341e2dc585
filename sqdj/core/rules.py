"""The rulebook's parameters: every regulatory figure (thresholds, terms, deadlines) is a row with its source
and effective dates, never a literal in code (rules.md). `param(rule_id, on=date)` reads the version in force.

The national rows (the project's own copy of rules.md's figures) are carried by the data migrations of the apps
that use them (`core.rulebook_seed`); a district may add a local variant as a new row with its own dates.
"""

from __future__ import annotations

import datetime
import gc
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, NamedTuple, cast

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from . import dates
from .models import RuleParameter

CACHE_SECONDS = 60  # other processes see a changed parameter within a minute; this one at once
_cache: dict[str, tuple[float, list]] = {}


def clear_cache(**kwargs) -> None:
    _cache.clear()


def _versions(rule_id: str) -> list:
    hit = _cache.get(rule_id)
    if hit is None or time.monotonic() - hit[0] > CACHE_SECONDS:
        rows = list(RuleParameter.objects.filter(rule_id=rule_id).order_by("-local", "-effective_from"))
        hit = _cache[rule_id] = (time.monotonic(), rows)
    return hit[1]


_MISSING = object()


def param(rule_id: str, on: datetime.date | None = None, default=_MISSING):
    """The value of `rule_id` in force on `on` (default today); a local variant wins over the national row.

    With no version in force (e.g. a date before the earliest encoded regulation) `default` is returned when
    given — a check should then not judge that record — and otherwise it is a configuration error."""
    on = on or dates.today()
    for row in _versions(rule_id):
        if row.effective_from <= on and (row.effective_to is None or on <= row.effective_to):
            return row.value
    if default is not _MISSING:
        return default
    raise ImproperlyConfigured(f"rulebook parameter {rule_id!r} has no version in force on {on}")


def rule_row(rule_id: str, on: datetime.date | None = None):
    """The parameter row in force on `on` (for its source), or None."""
    on = on or dates.today()
    for row in _versions(rule_id):
        if row.effective_from <= on and (row.effective_to is None or on <= row.effective_to):
            return row
    return None


def source_of(rule_id: str, on: datetime.date | None = None) -> str:
    """The regulation and article a parameter comes from, as cited in a finding ("党章第三十条；…")."""
    row = rule_row(rule_id, on)
    if row is None:
        return ""
    if "；" in row.regulation and row.article:
        return row.article  # several regulations: the article column names each ("党章第三十条；支部工作条例第四条")
    return f"{row.regulation}{row.article}"


# ---------------------------------------------------------------------------------------------------------------
# The checks engine: apps register checks; a check reads its figures through `param()` for the checked date and
# yields findings for the subtree it is given.

SEVERITIES = ("error", "warning", "reminder")  # the order of the 组织体检 page


class Finding(NamedTuple):
    """One thing to fix (interfaces.md §4): rule id, severity, the object, message, source and suggested action.

    An immutable named tuple rather than a frozen dataclass: a city's run makes tens of thousands of them, and a
    tuple is built several times faster."""

    rule: str
    severity: str
    object_type: str  # "org", "area", "unit", "member"
    object_code: str
    object_name: str
    message: str
    source: str
    action: str
    object_id: int | None = None
    url: str = ""
    basis: str = ""  # the rulebook parameter the finding rests on (links the page to its versions and source)

    def as_json(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "object": {"type": self.object_type, "code": self.object_code},
            "message": self.message,
            "source": self.source,
            "action": self.action,
        }


@dataclass
class CheckContext:
    """What every check is given: the root org, the acting user (or `EVERYTHING`), the checked date, and a
    per-run memo so that checks sharing a query (member counts per org, say) run it once."""

    org: object
    user: object
    on: datetime.date
    memo: dict = field(default_factory=dict)

    def cached(self, key: str, compute: Callable[[], object]):
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def source(self, basis: str) -> str:
        """The regulation and article of a parameter on the checked day, looked up once per run."""
        return cast(str, self.cached(f"source:{basis}", lambda: source_of(basis, self.on)))


@dataclass(frozen=True)
class Check:
    rule: str
    severity: str
    func: Callable[[CheckContext], Iterable[Finding]]
    title: str = ""
    parts: tuple = ()  # the functions `func` runs, when several apps judge the rule


_registry: dict[str, Check] = {}


def register(rule: str, severity: str, title: str = ""):
    """Decorator: `@register("org.branch_size", "warning")` on a function `f(ctx) -> iterable of Finding`.

    Several apps may judge one rule, each the objects it knows (`org.required`: the communities by the leadership
    app, the units by the units app): their functions are run one after the other, under one severity and title."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")

    def wrap(func):
        existing = _registry.get(rule)
        parts = [p for p in getattr(existing, "parts", ()) if _name(p) != _name(func)] if existing else []
        if existing is not None and existing.severity != severity:
            raise ValueError(f"rule {rule!r} is registered as {existing.severity!r}, not {severity!r}")
        parts.append(func)
        title_given = title or (existing.title if existing is not None else "")
        joined = parts[0] if len(parts) == 1 else _joined(tuple(parts))
        _registry[rule] = Check(rule, severity, joined, title_given, tuple(parts))
        return func

    return wrap


def _name(func) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def _joined(parts: tuple) -> Callable[[CheckContext], Iterable[Finding]]:
    def run(ctx: CheckContext):
        for part in parts:
            yield from part(ctx)

    return run


def url_maker(viewname: str) -> Callable[[Any], str]:
    """`reverse(viewname, args=[pk])` for many pks: reverse once, then fill in (reverse costs ~100 µs a call, and a
    city's checks make thousands of findings)."""
    marker = 987654321
    template = reverse(viewname, args=[marker]).replace(str(marker), "{}")
    return template.format


# What people read instead of rule ids: the apps name the figures their rulebook rows carry and the words inside
# structured values (a parameter whose value lists org sectors, say), in their checks.py.
_parameter_titles: dict[str, Any] = {}
_value_labels: dict[str, dict] = {}
_key_labels: dict[str, dict] = {}


def describe_parameters(titles: dict[str, Any]) -> None:
    """`{rule_id: title}` for the rulebook parameters an app's migrations carry."""
    _parameter_titles.update(titles)


def describe_values(unit: str, labels: dict[str, Any], *, keys: dict[str, Any] | None = None) -> None:
    """The labels of the words a structured value of this unit holds: its list items or dict values, and its dict
    keys (`keys`, when they are other words)."""
    _value_labels.setdefault(unit, {}).update(labels)
    _key_labels.setdefault(unit, {}).update(keys or {})


def value_labels(unit: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(labels of the values, labels of the keys) of a structured value of this unit."""
    return _value_labels.get(unit, {}), _key_labels.get(unit, {})


def title_of(rule_id: str) -> str:
    """A rule's or parameter's name in the user's language: the check's title, else the parameter's; the id only
    for a rule nobody named (tests/test_crawl.py and the rulebook's tests find those)."""
    check = _registry.get(rule_id)
    if check is not None and check.title:
        return str(check.title)
    title = _parameter_titles.get(rule_id)
    return str(title) if title is not None else rule_id


def titled(rule_id: str) -> bool:
    return title_of(rule_id) != rule_id


def registered_checks() -> list[Check]:
    return sorted(_registry.values(), key=lambda c: c.rule)


def run_checks(org, *, user, on: datetime.date | None = None, rules: Iterable[str] | None = None) -> list[Finding]:
    """All findings for `org` and its descendants as `user` may see them, on `on` (default today): errors first,
    then warnings, then reminders; within a severity by rule and object code."""
    # A city's run makes some hundred thousand short-lived objects and no reference cycles: without the cyclic
    # garbage collector, which would otherwise walk the whole heap again and again, it runs a third faster.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_checks(org, user=user, on=on, rules=rules)
    finally:
        if collecting:
            gc.enable()


def _run_checks(org, *, user, on, rules) -> list[Finding]:
    ctx = CheckContext(org=org, user=user, on=on or dates.today())
    wanted = set(rules) if rules is not None else None
    order = {s: i for i, s in enumerate(SEVERITIES)}
    # registered_checks() is in rule order (the order ties keep below)
    checks = [c for c in registered_checks() if wanted is None or c.rule in wanted]
    found = {}
    own_kinds = True
    for check in checks:
        found[check.rule] = rows = list(check.func(ctx))
        rows.sort(key=_object_code)  # stable: equal codes keep the check's order
        own_kinds = own_kinds and set(map(_rule_and_severity, rows)) <= {(check.rule, check.severity)}
    findings: list[Finding] = []
    if own_kinds:
        # the checks in page order, each sorted by code: the order of sorting all by (severity, rule, code), without
        # a key tuple per finding (a city has tens of thousands)
        for check in sorted(checks, key=lambda c: (order[c.severity], c.rule)):
            findings.extend(found[check.rule])
    else:  # some check yields another rule or severity
        for rows in found.values():
            findings.extend(rows)
        findings.sort(key=lambda f: (order[f.severity], f.rule, f.object_code))
    return findings


_object_code = attrgetter("object_code")
_rule_and_severity = attrgetter("rule", "severity")


def summary(findings: Iterable[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts
