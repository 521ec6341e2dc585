from importlib import import_module

from django.apps import AppConfig
from django.apps import apps as installed_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from sqdj.core.backup import register_seeded

# the data migration that carries the national post catalogue (the 五员), frozen there
CATALOGUE_MIGRATION = "sqdj.volunteers.migrations.0003_post_kinds"


def ensure_post_kinds(sender, app_config=None, apps=None, using="default", **kwargs):
    """The national post kinds are reference data, like the rulebook's rows (core.apps.ensure_rulebook): put back
    whatever is missing after every migrate and after a flush (a transactional test, a restored empty database)."""
    apps = apps or installed_apps  # flush sends post_migrate without the migration state
    try:
        model = apps.get_model("volunteers", "PostKind")
    except LookupError:  # migrating to a state before the table exists
        return
    present = set(model.objects.values_list("code", flat=True))
    # bulk_create: no change-log rows (seed data, as after migrate; the installed model would log each save)
    model.objects.bulk_create(
        model(code=code, name=name, duties=duties, position=10 * n)
        for n, (code, name, duties) in enumerate(import_module(CATALOGUE_MIGRATION).KINDS, start=1)
        if code not in present
    )


class VolunteersConfig(AppConfig):
    """The in-service members' loop and volunteer service (issue 16): 单位报到, posts and teams, activities, service
    hours, feedback to the members' units, certificates. 在职党员报到 itself is the members app's (Registration)."""

    name = "sqdj.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteer service")

    def ready(self):
        post_migrate.connect(ensure_post_kinds, sender=self, dispatch_uid="sqdj.volunteers.ensure_post_kinds")
        register_seeded("volunteers.postkind")  # a backup restores into a database that has them
