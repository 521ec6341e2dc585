"""Migration operations shared by the apps."""

from __future__ import annotations

from django.db import migrations, models


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


def drop_like_indexes(app_label: str, model_name: str, *fields: str):
    """On PostgreSQL, drop the LIKE-pattern (`varchar_pattern_ops`) index Django adds beside the index of a unique or
    indexed CharField. For a keyed hash nobody searches by prefix, it is one more random insert for every row
    written (an import of 100,000 members) and nothing gained; the field's own index stays. Other databases have
    none. Django state knows nothing of these indexes: no state to change."""

    def indexes(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        table = model._meta.db_table
        for name in fields:
            column = model._meta.get_field(name).column
            yield table, column, schema_editor._create_index_name(table, [column], suffix="_like")

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for _table, _column, index in indexes(apps, schema_editor):
                schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            quote = schema_editor.quote_name
            for table, column, index in indexes(apps, schema_editor):
                schema_editor.execute(
                    f"CREATE INDEX IF NOT EXISTS {quote(index)} ON {quote(table)} ({quote(column)} varchar_pattern_ops)"
                )

    return migrations.RunPython(forwards, backwards, elidable=False)


def drop_field_index(app_label: str, alter_field: migrations.AlterField):
    """`alter_field` (of a model of `app_label`) turns a field's own index off (`db_index=False`: a composite index
    leading with the column serves it). The state changes as the AlterField says; the database only loses that
    one-column index — where the AlterField itself would rebuild the whole table on SQLite (and, on a table with
    triggers, lose them)."""

    def index_names(model, schema_editor):
        column = model._meta.get_field(alter_field.name).column
        return schema_editor._constraint_names(model, [column], index=True, type_=models.Index.suffix)

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, alter_field.model_name)
        for name in index_names(model, schema_editor):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def backwards(apps, schema_editor):
        model = apps.get_model(app_label, alter_field.model_name)
        if not index_names(model, schema_editor):
            field = model._meta.get_field(alter_field.name)
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    return migrations.SeparateDatabaseAndState(
        state_operations=[alter_field], database_operations=[migrations.RunPython(forwards, backwards)]
    )
