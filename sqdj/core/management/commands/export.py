from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.exporting import export_queryset, scoped_queryset_for
from sqdj.core.importing import get_importer, importer_kinds
from sqdj.core.management.base import SqdjCommand


class Command(SqdjCommand):
    help = gettext_lazy("Export KIND for an organization as .xlsx or .csv, with the columns of the import template.")
    acts_as_user = True

    def add_arguments(self, parser):
        parser.add_argument("kind")
        parser.add_argument("--org", required=True, help=gettext_lazy("organization code"))
        parser.add_argument("--descendants", action="store_true", help=gettext_lazy("include everything below the org"))
        parser.add_argument("-o", "--output", required=True, help=gettext_lazy("FILE.xlsx or FILE.csv"))

    def handle(self, *args, **options):
        if options["kind"] not in importer_kinds():
            raise CommandError(
                _("Unknown kind %(kind)s; one of: %(kinds)s")
                % {"kind": options["kind"], "kinds": ", ".join(importer_kinds())},
                returncode=2,
            )
        out = Path(options["output"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise CommandError(_("The output file must end in .xlsx or .csv."), returncode=2)
        user = self.acting_user(options)
        importer = get_importer(options["kind"])(user=user)
        qs = scoped_queryset_for(importer, user, options["org"], options["descendants"])
        if qs is None:
            raise CommandError(
                _("Unknown organization code %(code)s (or outside your scope).") % {"code": options["org"]},
                returncode=1,
            )
        data, count = export_queryset(importer, qs, fmt)
        out.write_bytes(data)
        self.stderr.write(_("Exported %(n)d rows to %(file)s.") % {"n": count, "file": out})
