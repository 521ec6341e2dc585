from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.management.base import SqdjCommand
from sqdj.core.scope import EVERYTHING
from sqdj.stats import ledger, services
from sqdj.stats.exporting import pdf, report_sections, workbook


class Command(SqdjCommand):
    help = gettext_lazy(
        "Statistics of an organization and everything below it: a readable summary, the JSON object (--json) or a "
        "workbook or an A4 PDF (-o FILE.xlsx or FILE.pdf, with the table per subordinate organization). "
        "Exit 0 done, 1 unknown organization (or outside your scope), 2 usage."
    )
    acts_as_user = True
    uses_org = org_required = True
    uses_as_of = uses_json = True
    as_of_help = gettext_lazy("count as of this day, YYYY-MM-DD (default today)")

    def add_output_arguments(self, group):
        group.add_argument("-o", "--output", help=gettext_lazy("FILE.xlsx or FILE.pdf"))

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # issue 13: the count ledger's reconciliation for a period (the additive key `ledger`)
        parser.add_argument(
            "--from", dest="ledger_from", help=gettext_lazy("ledger from this day, YYYY-MM-DD (default 1 January)")
        )
        parser.add_argument(
            "--to", dest="ledger_to", help=gettext_lazy("ledger to this day, YYYY-MM-DD (default the --as-of day)")
        )

    def ledger_period(self, options, as_of):
        """(start, end) of --from/--to (None without either): --to defaults to the counted day, --from to the
        1 January of --to's year."""
        if not options.get("ledger_from") and not options.get("ledger_to"):
            return None
        end = self.as_of({"as_of": options.get("ledger_to")}) if options.get("ledger_to") else as_of
        start = (
            self.as_of({"as_of": options["ledger_from"]}) if options.get("ledger_from") else end.replace(day=1, month=1)
        )
        if start > end:
            raise CommandError(_("--from must not be after --to."), returncode=2)
        return start, end

    def handle(self, *args, **options):
        as_of = self.as_of(options)
        out = Path(options["output"]) if options["output"] else None
        if out is not None and out.suffix.lower() not in (".xlsx", ".pdf"):
            raise CommandError(_("The output file must end in .xlsx or .pdf."), returncode=2)
        user = self.acting_user(options) or EVERYTHING  # the operator at the shell, as for `sqdj export`
        org = self.org(options, user)
        period = self.ledger_period(options, as_of)
        stats = services.compute(org, user=user, as_of=as_of)
        if period is not None:
            stats["ledger"] = ledger.reconcile(org, user=user, start=period[0], end=period[1])
        if options["json"]:
            self.write_json(stats)
        elif out is not None:
            # issue 14: the table per child org too, as the statistics page shows it
            children = services.table_shown(services.children_table(org, user=user, as_of=as_of))
            out.write_bytes(pdf(stats, children) if out.suffix.lower() == ".pdf" else workbook(stats, children))
            self.stderr.write(_("Wrote the statistics to %(file)s.") % {"file": out})
        else:
            self.stdout.write(f"{stats['org']['name']}（{stats['org']['code']}） {stats['as_of']}")
            for _key, heading, figures in report_sections(stats):
                self.stdout.write(f"\n{heading}")
                for label, number in figures:
                    self.stdout.write(f"  {label}: {number}")
            if period is not None:
                self.write_ledger(stats["ledger"])

    def write_ledger(self, found: dict) -> None:
        self.stdout.write(f"\n{_('Count ledger')} {found['from']}..{found['to']}")
        self.stdout.write(f"  {_('At the start')}: {found['start']}")
        for heading, key in ((_("Increases"), "increases"), (_("Decreases"), "decreases")):
            self.stdout.write(f"  {heading}: {found[key]['total']}")
            for label, number in found[key].items():
                if label != "total":
                    number = number["total"] if isinstance(number, dict) else number
                    self.stdout.write(f"    {label}: {number}")
        self.stdout.write(f"  {_('At the end')}: {found['end']}")
        if not found["balanced"]:
            self.stdout.write(_("  The ledger does not balance: start + increases − decreases ≠ end."))
