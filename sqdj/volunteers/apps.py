from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from sqdj.core.plugins import service_rendered
from sqdj.core.seeding import keep_seeded

# the data migration that carries the national post catalogue (the 五员), frozen there
CATALOGUE_MIGRATION = "sqdj.volunteers.migrations.0003_post_kinds"


def national_kinds():
    return (
        {"code": code, "name": name, "duties": duties, "position": 10 * n}
        for n, (code, name, duties) in enumerate(import_module(CATALOGUE_MIGRATION).KINDS, start=1)
    )


class VolunteersConfig(AppConfig):
    """The in-service members' loop and volunteer service (issue 16): 单位报到, posts and teams, activities, service
    hours, feedback to the members' units, certificates. 在职党员报到 itself is the members app's (Registration)."""

    name = "sqdj.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteer service")

    def ready(self):
        # the national post kinds are reference data: back after a flush, and a backup restores over them
        keep_seeded(self, "PostKind", "code", national_kinds)
        # a member's wish fulfilled in the services app counts in the member's service record
        service_rendered.connect(import_module("sqdj.volunteers.hours").record_rendered_service,
                                 dispatch_uid="volunteers_service_rendered")  # fmt: skip
