"""An app's reference rows (a national catalogue frozen in its data migration) kept present: put back after every
migrate and after a flush (a transactional test, a restored empty database), like the rulebook's rows — by
bulk_create, so without change-log rows (seed data, as after migrate) — and declared to the backup as seeded."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps as installed_apps
from django.db.models.signals import post_migrate

from .backup import register_seeded


def keep_seeded(config, model_name: str, key: str, rows: Callable[[], Iterable[dict[str, Any]]]) -> None:
    """Called from an AppConfig.ready(): the rows of `model_name` (dicts of field values, `key` naming each one)
    are put back where missing after each migrate and flush."""
    label = f"{config.label}.{model_name.lower()}"

    def ensure(sender, apps=None, **kwargs):
        registry = apps or installed_apps  # flush sends post_migrate without the migration state
        try:
            model = registry.get_model(config.label, model_name)
        except LookupError:  # migrating to a state before the table exists
            return
        present = set(model.objects.values_list(key, flat=True))
        model.objects.bulk_create(model(**row) for row in rows() if row[key] not in present)

    post_migrate.connect(ensure, sender=config, dispatch_uid=f"sqdj.keep_seeded.{label}", weak=False)
    register_seeded(label)
