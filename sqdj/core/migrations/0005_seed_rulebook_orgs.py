from django.db import migrations

from sqdj.core.migrations import _seed


class Migration(migrations.Migration):
    """The organization-setup, term and election figures of rules.md §§1–3 (same seed file, missing rows only)."""

    dependencies = [("core", "0004_seed_rulebook")]
    operations = [migrations.RunPython(_seed.seed, migrations.RunPython.noop)]
