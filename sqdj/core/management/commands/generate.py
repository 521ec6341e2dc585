from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core import synthetic
from sqdj.core.management.base import SqdjCommand, add_size_argument


class Command(SqdjCommand):
    help = gettext_lazy("Fill the database with a deterministic synthetic city (Chinese names, realistic structure).")

    def add_arguments(self, parser):
        add_size_argument(parser)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        result = synthetic.generate(options["size"], options["seed"])
        if result["created"]:
            self.stdout.write(_("Generated %(areas)d areas and %(orgs)d party organizations.") % result)
        else:
            self.stdout.write(
                _("The synthetic city is already loaded (%(areas)d areas, %(orgs)d organizations).") % result
            )
