from django.apps import AppConfig
from django.apps import apps as installed_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .plugins import autodiscover
from .rulebook_seed import insert_missing, seeded_rows


def ensure_rulebook(sender, app_config=None, apps=None, using="default", **kwargs):
    """The national rulebook rows are reference data, like content types: put back whatever is missing after
    every migrate — and after a flush (which empties the table and then sends post_migrate), so that a
    transactional test or a restored empty database never runs without the regulations."""
    # flush sends post_migrate without the migration state: the installed models then
    apps = apps or installed_apps
    try:
        model = apps.get_model("core", "RuleParameter")
    except LookupError:  # migrating to a state before the table exists
        return
    # rules.py imports this app's models, which can be imported only once the app registry is ready
    from .rules import clear_cache

    insert_missing(model, list(seeded_rows()))
    clear_cache()  # bulk writes and a flush send no model signals


class CoreConfig(AppConfig):
    name = "sqdj.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # the change-log handlers import models, so they connect here, once the app registry is ready
        from . import deploy_checks, signals  # noqa: F401

        post_migrate.connect(ensure_rulebook, sender=self, dispatch_uid="sqdj.core.ensure_rulebook")
        autodiscover("checks")  # every app's rulebook checks register themselves
