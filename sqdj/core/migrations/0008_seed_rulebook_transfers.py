from django.db import migrations

from sqdj.core.migrations import _seed


class Migration(migrations.Migration):
    """The transfer and mobile-member figures of rules.md §6 (same seed file, missing rows only)."""

    dependencies = [("core", "0007_notification")]
    operations = [migrations.RunPython(_seed.seed, migrations.RunPython.noop)]
