from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.management.base import SqdjCommand
from sqdj.orgs.services import find_org
from sqdj.stats import services
from sqdj.stats.exporting import report_sections, workbook


class Command(SqdjCommand):
    help = gettext_lazy(
        "Statistics of an organization and everything below it: a readable summary, the JSON object (--json) or a "
        "workbook (-o FILE.xlsx). PDF output is not available yet. "
        "Exit 0 done, 1 unknown organization (or outside your scope), 2 usage."
    )
    acts_as_user = True

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help=gettext_lazy("organization code"))
        parser.add_argument(
            "--as-of", dest="as_of", help=gettext_lazy("count as of this day, YYYY-MM-DD (default today)")
        )
        out = parser.add_mutually_exclusive_group()
        out.add_argument("--json", action="store_true", help=gettext_lazy("print exactly one JSON object on stdout"))
        out.add_argument("-o", "--output", help=gettext_lazy("FILE.xlsx (PDF is not available yet)"))

    def handle(self, *args, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(_("Not a date: write it as YYYY-MM-DD, e.g. 2021-07-01."), returncode=2) from None
        out = Path(options["output"]) if options["output"] else None
        if out is not None and out.suffix.lower() != ".xlsx":
            raise CommandError(_("The output file must end in .xlsx (PDF is not available yet)."), returncode=2)
        user = self.acting_user(options)
        if user is None:
            user = services.EVERYTHING  # the operator at the shell, as for `sqdj export`
        org = find_org(options["org"], user)
        if org is None:
            raise CommandError(
                _("Unknown organization code %(code)s (or outside your scope).") % {"code": options["org"]},
                returncode=1,
            )
        stats = services.compute(org, user=user, as_of=as_of)
        if options["json"]:
            self.stdout.write(json.dumps(stats, ensure_ascii=False))
        elif out is not None:
            out.write_bytes(workbook(stats))
            self.stderr.write(_("Wrote the statistics to %(file)s.") % {"file": out})
        else:
            self.stdout.write(f"{stats['org']['name']}（{stats['org']['code']}） {stats['as_of']}")
            for _key, heading, figures in report_sections(stats):
                self.stdout.write(f"\n{heading}")
                for label, number in figures:
                    self.stdout.write(f"  {label}: {number}")
