"""docs/rules.md, generated from the rulebook table and the registered checks (`sqdj rulebook --markdown`), so that a
reviewer can compare every figure with the regulations line by line (issue 13).

Two parts: the checks (rule id, severity, what it checks, the parameters it reads) and the parameters (every
version: effective dates, value, source, trust, national or local, note). What a check reads is found in its code:
the rule ids written in the check function and in the project functions it calls (a parameter `X` read by a check
also covers its sector versions `X.<sector>`). The output depends only on the table and the code, never on today's
date, so the file in the repository can be compared with a fresh run (rulebook/tests/test_document.py).
"""

from __future__ import annotations

import ast
import inspect
import json
import types
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.models import RuleParameter
from sqdj.core.rules import Check, registered_checks

from .services import format_value

COMMAND = "sqdj rulebook --markdown -o docs/rules.md"
PACKAGE = "sqdj"
SOURCE_ROOT = Path(__file__).resolve().parent.parent  # the sqdj package directory

SEVERITY_LABELS = {
    "error": gettext_lazy("Error"),
    "warning": gettext_lazy("Warning"),
    "reminder": gettext_lazy("Reminder"),
}

# Parameters grouped by the first part of their id, in this order (any other prefix goes under "Other").
GROUPS = [
    ("org", gettext_lazy("Organization setup, committees and terms")),
    ("election", gettext_lazy("Elections")),
    ("member", gettext_lazy("Members: joining, probation, contact")),
    ("mobile", gettext_lazy("Mobile members")),
    ("transfer", gettext_lazy("Transfers of membership")),
    ("appraisal", gettext_lazy("Democratic appraisal")),
]


# Labels of the document, translated when it is written (xgettext does not read calls inside f-strings).
LABELS = {
    "Rulebook: checks and parameters": gettext_lazy("Rulebook: checks and parameters"),
    "Checks": gettext_lazy("Checks"),
    "rule": gettext_lazy("rule"),
    "Severity": gettext_lazy("Severity"),
    "what it checks": gettext_lazy("what it checks"),
    "Parameters read": gettext_lazy("Parameters read"),
    "What it checks (from the code)": gettext_lazy("What it checks (from the code)"),
    "Parameters": gettext_lazy("Parameters"),
    "Read by the checks": gettext_lazy("Read by the checks"),
    "Read in the code": gettext_lazy("Read in the code"),
    "effective from": gettext_lazy("effective from"),
    "effective to": gettext_lazy("effective to"),
    "value": gettext_lazy("value"),
    "source": gettext_lazy("source"),
    "trust": gettext_lazy("trust"),
    "kind": gettext_lazy("kind"),
    "note": gettext_lazy("note"),
}


# ---------------------------------------------------------------------------------------------------------------
# What the code reads


def _code_objects(code: types.CodeType) -> Iterable[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _ours(obj) -> bool:
    return (getattr(obj, "__module__", None) or getattr(obj, "__name__", "")).startswith(f"{PACKAGE}.")


def strings_reached(func) -> set[str]:
    """The string constants of `func`, of the nested functions in it and of the project functions it names (through
    globals, or attributes of a project module it names), transitively; module-level string constants it names
    (e.g. `SECTORS_RULE`) included."""
    found: set[str] = set()
    seen: set[types.CodeType] = set()
    stack = [func]
    while stack:
        f = stack.pop()
        code = getattr(f, "__code__", None)
        if code is None or code in seen:
            continue
        seen.add(code)
        namespace = getattr(f, "__globals__", {})
        for c in _code_objects(code):
            found.update(const for const in c.co_consts if isinstance(const, str))
            for name in c.co_names:
                target = namespace.get(name)
                if isinstance(target, str):
                    found.add(target)
                elif inspect.isfunction(target) and _ours(target):
                    stack.append(target)
                elif inspect.ismodule(target) and _ours(target):
                    for attr in c.co_names:
                        value = getattr(target, attr, None)
                        if inspect.isfunction(value) and _ours(value):
                            stack.append(value)
                        elif isinstance(value, str):
                            found.add(value)
    return found


def _with_variants(strings: Iterable[str], known: set[str]) -> set[str]:
    """The known rule ids among `strings`, each with its sector versions (`X` → `X.community`)."""
    direct = {s for s in strings if s in known}
    return direct | {k for k in known for s in direct if k.startswith(f"{s}.")}


def parameters_read(check: Check, known: set[str]) -> list[str]:
    """The parameters the check's code reads — of every app's part where several judge the rule (core.rules)."""
    found: set[str] = set()
    for func in check.parts or (check.func,):
        found |= set(_with_variants(strings_reached(func), known))
    return sorted(found)


def modules_reading(known: set[str]) -> dict[str, list[str]]:
    """Per rule id, the project modules (tests and migrations aside) whose code names it, from their source text."""
    by_rule: dict[str, set[str]] = defaultdict(set)
    for path in sorted(SOURCE_ROOT.rglob("*.py")):
        parts = path.relative_to(SOURCE_ROOT.parent).with_suffix("").parts
        if "tests" in parts or "migrations" in parts or "testing" in parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        module = ".".join(p for p in parts if p != "__init__")
        for rule_id in _with_variants(strings, known):
            by_rule[rule_id].add(module)
    return {rule_id: sorted(modules) for rule_id, modules in by_rule.items()}


# ---------------------------------------------------------------------------------------------------------------
# Markdown


def _cell(text) -> str:
    return " ".join(str(text).split()).replace("|", "\\|") or "—"


def _code_list(ids: Iterable[str]) -> str:
    return "、".join(f"`{i}`" for i in ids) or _("none")


def _source(row: RuleParameter) -> str:
    return f"{row.regulation} {row.article}".strip()


def _sorted(value):
    """A JSON value with its objects' keys in order: PostgreSQL's jsonb gives them back in its own order."""
    return json.loads(json.dumps(value, sort_keys=True))


def _docstring(check: Check) -> str:
    return inspect.cleandoc(check.func.__doc__ or "")


def markdown() -> str:
    # sorted here, not by the database: PostgreSQL's collation would order "a.b_c" and "a.b.c" otherwise than SQLite
    rows = sorted(RuleParameter.objects.all(), key=lambda r: (r.rule_id, r.local, r.effective_from, r.pk))
    by_rule: dict[str, list[RuleParameter]] = defaultdict(list)
    for row in rows:
        by_rule[row.rule_id].append(row)
    known = set(by_rule)
    checks = registered_checks()
    reads = {check.rule: parameters_read(check, known) for check in checks}
    read_by: dict[str, list[str]] = defaultdict(list)
    for rule, ids in reads.items():
        for rule_id in ids:
            read_by[rule_id].append(rule)
    modules = modules_reading(known)
    trust = dict(RuleParameter.Trust.choices)
    t = {text: str(label) for text, label in LABELS.items()}

    out = [
        f"# {t['Rulebook: checks and parameters']}",
        "",
        "> "
        + _(
            "Generated by `%(command)s` on a freshly migrated database; do not edit by hand. When a rule or a "
            "check changes, run the command again and commit the file (a test compares them)."
        )
        % {"command": COMMAND},
        "",
        _(
            "Every regulatory figure the system uses is a parameter of the rulebook, with one row per version: the "
            "dates it is in force, its value, its source (regulation and article), how far the source was verified, "
            "and whether it is a national row or a local variant. A check applies the version in force on the "
            "checked day (a local variant before the national row); with no version in force it does not judge."
        ),
        "",
        f"## {t['Checks']}",
        "",
        f"| {t['rule']} | {t['Severity']} | {t['what it checks']} | {t['Parameters read']} |",
        "|---|---|---|---|",
    ]
    for check in checks:
        out.append(
            f"| `{check.rule}` | {SEVERITY_LABELS[check.severity]!s} | {_cell(check.title or '')} | "
            f"{_code_list(reads[check.rule])} |"
        )
    for check in checks:
        out += ["", f"### `{check.rule}` {check.title or ''!s}".rstrip(), ""]
        out.append(f"- {t['Severity']}：{SEVERITY_LABELS[check.severity]!s}")
        out.append(f"- {t['Parameters read']}：{_code_list(reads[check.rule])}")
        doc = _docstring(check)
        if doc:
            out += [f"- {t['What it checks (from the code)']}：", ""]
            out += [f"  > {line}".rstrip() for line in doc.splitlines()]

    out += ["", f"## {t['Parameters']}"]
    groups = [(prefix, str(label)) for prefix, label in GROUPS]
    prefixes = {prefix for prefix, _label in groups}
    groups.append(("", _("Other")))
    for prefix, label in groups:
        ids = [
            i for i in by_rule if (i.split(".", 1)[0] == prefix) or (not prefix and i.split(".", 1)[0] not in prefixes)
        ]
        if not ids:
            continue
        out += ["", f"### {label}"]
        for rule_id in ids:
            out += ["", f"#### `{rule_id}`", ""]
            out.append(f"- {t['Read by the checks']}：{_code_list(read_by.get(rule_id, []))}")
            out.append(f"- {t['Read in the code']}：{_code_list(modules.get(rule_id, []))}")
            out += [
                "",
                f"| {t['effective from']} | {t['effective to']} | {t['value']} | {t['source']} | {t['trust']} | "
                f"{t['kind']} | {t['note']} |",
                "|---|---|---|---|---|---|---|",
            ]
            for row in by_rule[rule_id]:
                kind = _("local variant") if row.local else _("national")
                out.append(
                    f"| {row.effective_from.isoformat()} | {row.effective_to.isoformat() if row.effective_to else '—'} "
                    f"| {_cell(format_value(_sorted(row.value), row.unit))} | {_cell(_source(row))} | "
                    f"{_cell(trust.get(row.trust, row.trust))} | {kind} | {_cell(row.note)} |"
                )
    return "\n".join(out) + "\n"
