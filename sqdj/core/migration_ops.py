"""Migration operations shared by the apps."""

from __future__ import annotations

from django.db import migrations


def fine_statistics(table: str, column: str = "path", target: int = 10_000, previous: int = -1):
    """On PostgreSQL, keep as many histogram buckets for `table.column` as the statistics allow.

    A tree's materialized path is filtered by prefix (`path LIKE '0001000100%'`, a subtree). With the default
    100 buckets a subdistrict's few hundred orgs fall inside one bucket and the planner guesses their number
    a hundred times too low — and with it the rows of every list and count over the subtree (core.paging
    shows its estimate as "约 N"). Analyzing tens of thousands of short paths stays cheap. Going back sets
    `previous` (-1: the server's default)."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            quote = schema_editor.quote_name
            schema_editor.execute(f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} SET STATISTICS {target:d}")
            schema_editor.execute(f"ANALYZE {quote(table)}")

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            quote = schema_editor.quote_name
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(column)} SET STATISTICS {previous:d}"
            )

    return migrations.RunPython(forwards, backwards, elidable=False)
