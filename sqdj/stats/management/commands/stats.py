from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.management.base import SqdjCommand
from sqdj.core.scope import EVERYTHING
from sqdj.stats import services
from sqdj.stats.exporting import report_sections, workbook


class Command(SqdjCommand):
    help = gettext_lazy(
        "Statistics of an organization and everything below it: a readable summary, the JSON object (--json) or a "
        "workbook (-o FILE.xlsx). PDF output is not available yet. "
        "Exit 0 done, 1 unknown organization (or outside your scope), 2 usage."
    )
    acts_as_user = True
    uses_org = org_required = True
    uses_as_of = uses_json = True
    as_of_help = gettext_lazy("count as of this day, YYYY-MM-DD (default today)")

    def add_output_arguments(self, group):
        group.add_argument("-o", "--output", help=gettext_lazy("FILE.xlsx (PDF is not available yet)"))

    def handle(self, *args, **options):
        as_of = self.as_of(options)
        out = Path(options["output"]) if options["output"] else None
        if out is not None and out.suffix.lower() != ".xlsx":
            raise CommandError(_("The output file must end in .xlsx (PDF is not available yet)."), returncode=2)
        user = self.acting_user(options) or EVERYTHING  # the operator at the shell, as for `sqdj export`
        org = self.org(options, user)
        stats = services.compute(org, user=user, as_of=as_of)
        if options["json"]:
            self.write_json(stats)
        elif out is not None:
            out.write_bytes(workbook(stats))
            self.stderr.write(_("Wrote the statistics to %(file)s.") % {"file": out})
        else:
            self.stdout.write(f"{stats['org']['name']}（{stats['org']['code']}） {stats['as_of']}")
            for _key, heading, figures in report_sections(stats):
                self.stdout.write(f"\n{heading}")
                for label, number in figures:
                    self.stdout.write(f"  {label}: {number}")
