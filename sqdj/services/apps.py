from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqdj.core.seeding import keep_seeded

SEED_MIGRATION = "sqdj.services.migrations.0002_seed"  # the national request categories, frozen there


def national_categories():
    return (
        {"code": code, "name": name, "position": 10 * n}
        for n, (code, name) in enumerate(import_module(SEED_MIGRATION).CATEGORIES, start=1)
    )


class ServicesConfig(AppConfig):
    """Serving residents (issue 17): requests and 12345 work orders followed to closure, service stations."""

    name = "sqdj.services"
    label = "services"
    verbose_name = _("Serving residents")

    def ready(self):
        keep_seeded(self, "Category", "code", national_categories)
