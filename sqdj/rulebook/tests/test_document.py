"""docs/rules.md is `sqdj rulebook --markdown` on a freshly migrated database (the test database is one): every
check and every version of every parameter, with the parameters each check reads (issue 13)."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sqdj.core.models import RuleParameter
from sqdj.core.rules import registered_checks
from sqdj.rulebook import document

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[3] / "docs" / "rules.md"


def generate() -> str:
    out = StringIO()
    call_command("rulebook", "--markdown", stdout=out)
    return out.getvalue()


def test_docs_rules_md_is_current():
    assert generate() == DOC.read_text(encoding="utf-8"), (
        f"docs/rules.md is out of date: on a freshly migrated database run `{document.COMMAND}` "
        "(e.g. SQDJ_DATA_DIR=$(mktemp -d) sh -c 'sqdj migrate -v0 && sqdj rulebook --markdown -o docs/rules.md') "
        "and commit it"
    )


def test_every_check_and_every_version_is_listed():
    text = generate()
    for check in registered_checks():
        assert f"### `{check.rule}` " in text
    for row in RuleParameter.objects.all():
        section = text.split(f"#### `{row.rule_id}`\n", 1)[1].split("####", 1)[0]
        until = row.effective_to.isoformat() if row.effective_to else "—"
        assert f"| {row.effective_from.isoformat()} | {until} |" in section


def test_the_parameters_a_check_reads_are_found_in_its_code():
    known = set(RuleParameter.objects.values_list("rule_id", flat=True))
    reads = {c.rule: document.parameters_read(c, known) for c in registered_checks()}
    assert reads["org.required"] == ["org.min_full_members"]
    # the sector versions of a parameter the check names, through its helper
    assert reads["org.may_become_committee"] == ["org.committee_min_members", "org.committee_min_members.community"]
    # through the terms module: the sector list and every term length
    assert {"org.term_sectors.community", "org.term_years.community", "org.term_years.branch"} <= set(
        reads["org.term_expired"]
    )


def test_a_local_variant_is_listed_with_its_dates():
    RuleParameter.objects.create(
        rule_id="org.branch_max_members",
        value=45,
        unit="members",
        regulation="某区党建工作规范",
        article="第三条",
        trust="LOCAL",
        effective_from=datetime.date(2024, 1, 1),
        effective_to=datetime.date(2025, 12, 31),
        local=True,
        note="本区试行",
    )
    section = generate().split("#### `org.branch_max_members`", 1)[1].split("####", 1)[0]
    (line,) = [line for line in section.splitlines() if "某区党建工作规范" in line]
    assert line.startswith("| 2024-01-01 | 2025-12-31 | 45 ")
    assert "本区试行" in line and str(RuleParameter.Trust.LOCAL.label) in line


def test_the_format_is_required_and_a_file_can_be_written(tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("rulebook")
    assert exc.value.returncode == 2
    target = tmp_path / "rules.md"
    call_command("rulebook", "--markdown", "-o", str(target))
    assert target.read_text(encoding="utf-8") == generate()
