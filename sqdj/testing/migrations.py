"""Data-migration tests: take the database back to an older schema, write rows as the old code did, come forward."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(targets=None):
    """Migrate to `targets` (a list of (app, migration); None: every app's latest, as the other tests expect the
    database) and return the apps of that state (the historical models)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps
