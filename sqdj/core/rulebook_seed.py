"""Rulebook rows carried by the apps' own data migrations.

An app that adds regulatory figures writes them, frozen, into one of its migrations:

    from sqdj.core.rulebook_seed import seed_rulebook

    ROWS = [{"rule_id": "org.branch_max_members", "value": 50, ...}, ...]

    class Migration(migrations.Migration):
        dependencies = [("core", "0001_initial")]
        operations = [seed_rulebook(ROWS)]

A later change of a figure is a new row (or a new version with its own dates) in a new migration; an old
migration never changes what it does. Rows are inserted only when missing (by rule and effective date), so a
local variant or a row already there is never touched. After every migrate and after a flush, the rows of all
the apps' migrations are put back (`ensure_rulebook`), like content types.
"""

from __future__ import annotations

import datetime
from functools import cache

from django.db import migrations
from django.db.migrations.loader import MigrationLoader


class SeedRulebook(migrations.RunPython):
    """Insert the rows that are missing; reversing leaves them (they are reference data, like content types)."""

    def __init__(self, rows: list[dict]):
        self.rulebook_rows = [dict(r) for r in rows]
        super().__init__(self._forward, migrations.RunPython.noop, elidable=False)

    def _forward(self, apps, schema_editor):
        insert_missing(apps.get_model("core", "RuleParameter"), self.rulebook_rows)

    def deconstruct(self):
        return (self.__class__.__name__, [self.rulebook_rows], {})


def seed_rulebook(rows: list[dict]) -> SeedRulebook:
    return SeedRulebook(rows)


def insert_missing(model, rows: list[dict]) -> int:
    have = set(model.objects.filter(local=False).values_list("rule_id", "effective_from"))
    missing = [r for r in rows if (r["rule_id"], datetime.date.fromisoformat(str(r["effective_from"]))) not in have]
    if missing:
        model.objects.bulk_create([model(**r) for r in missing])
    return len(missing)


@cache
def seeded_rows() -> tuple[dict, ...]:
    """Every row that the installed apps' migrations carry (in migration order)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    rows: list[dict] = []
    for key in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(key):
            migration = loader.graph.nodes[node]
            for op in migration.operations:
                for row in getattr(op, "rulebook_rows", ()):
                    if row not in rows:
                        rows.append(row)
    return tuple(rows)
