"""组织体检: the rulebook's findings for an org subtree, as the CLI, the API, the page and the export give them."""

from __future__ import annotations

import datetime

from sqdj.core.rules import SEVERITIES, Finding, run_checks, summary


def findings_for(org, *, user, on: datetime.date | None = None) -> list[Finding]:
    """The findings for `org` and its descendants that `user` may see (`EVERYTHING` at the shell)."""
    return run_checks(org, user=user, on=on)


def as_json(org, findings: list[Finding], on: datetime.date) -> dict:
    """The object of interfaces.md §4 (plus the checked date and the counts, which clients may ignore)."""
    return {
        "org": {"code": org.code, "name": org.name},
        "as_of": on.isoformat(),
        "summary": summary(findings),
        "findings": [f.as_json() for f in findings],
    }


def grouped(findings: list[Finding]) -> dict:
    """Findings grouped by severity in page order, with counts."""
    groups: dict[str, list] = {s: [] for s in SEVERITIES}
    for f in findings:
        groups[f.severity].append(f)
    return {"groups": groups, "counts": {s: len(v) for s, v in groups.items()}, "findings": findings}
