from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_rulebook(sender, app_config=None, apps=None, using="default", **kwargs):
    """The national rulebook rows are reference data, like content types: put back whatever is missing after
    every migrate — and after a flush (which empties the table and then sends post_migrate), so that a
    transactional test or a restored empty database never runs without the regulations."""
    if apps is None:  # flush sends post_migrate without the migration state: the installed models then
        from django.apps import apps as installed

        apps = installed
    try:
        apps.get_model("core", "RuleParameter")
    except LookupError:  # migrating to a state before the table exists
        return
    from .migrations._seed import seed
    from .rules import clear_cache

    seed(apps, None)
    clear_cache()  # bulk writes and a flush send no model signals


class CoreConfig(AppConfig):
    name = "sqdj.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import signals  # noqa: F401  (connects the change-log handlers)

        post_migrate.connect(ensure_rulebook, sender=self, dispatch_uid="sqdj.core.ensure_rulebook")
