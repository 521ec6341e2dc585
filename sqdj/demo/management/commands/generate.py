from __future__ import annotations

import sys

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.management.base import SqdjCommand
from sqdj.demo import synthetic
from sqdj.demo.management.options import add_size_argument


class Command(SqdjCommand):
    help = gettext_lazy("Fill the database with a deterministic synthetic city (Chinese names, realistic structure).")

    def add_arguments(self, parser):
        add_size_argument(parser, city=True)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        result = synthetic.generate(options["size"], options["seed"], progress=self.progress)
        if result["created"]:
            self.stdout.write(_("Generated %(areas)d areas and %(orgs)d party organizations.") % result)
        else:
            self.stdout.write(
                _("The synthetic city is already loaded (%(areas)d areas, %(orgs)d organizations).") % result
            )
        if result["created"] or result.get("members_added"):
            self.stdout.write(
                _("Generated %(members)d party members and %(registrations)d registrations (%(seconds).1f s).") % result
            )

    def progress(self, stage, done, total, seconds):
        """On stderr, so that stdout stays the summary."""
        line = {
            "orgs": _("areas and %(done)d party organizations written (%(seconds).1f s)"),
            "members": _("members: %(done)d of %(total)d (%(percent)d%%, %(seconds).1f s)"),
            "ledger": _("writing the membership ledger, building indexes and checking references (%(seconds).1f s)"),
            "analyze": _("updating the database statistics (%(seconds).1f s)"),
        }[stage]
        params = {"done": done, "total": total, "percent": 100 * done // max(total, 1), "seconds": seconds}
        self.stderr.write(line % params)
        sys.stderr.flush()
