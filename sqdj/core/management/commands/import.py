from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.context import acting_as
from sqdj.core.import_templates import template_workbook
from sqdj.core.importing import get_importer, importer_kinds
from sqdj.core.management.base import SqdjCommand


class Command(SqdjCommand):
    help = gettext_lazy("Import a template file (.xlsx, or .csv in UTF-8 or GBK). Exit 0 done, 1 rejected, 2 usage.")
    acts_as_user = True

    def add_arguments(self, parser):
        parser.add_argument("kind", help=gettext_lazy("areas, orgs, …"))
        parser.add_argument("file", nargs="?", help=gettext_lazy("the file to import (not with --template)"))
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("check and count, write nothing"))
        parser.add_argument("--json", action="store_true", help=gettext_lazy("print exactly one JSON object on stdout"))
        parser.add_argument(
            "--template",
            action="store_true",
            help=gettext_lazy("write the empty template (.xlsx: the columns, an example row, notes) to -o FILE"),
        )
        parser.add_argument("-o", "--output", help=gettext_lazy("where --template writes the template"))

    def handle(self, *args, **options):
        kinds = importer_kinds()
        if options["kind"] not in kinds:
            raise CommandError(
                _("Unknown kind %(kind)s; one of: %(kinds)s") % {"kind": options["kind"], "kinds": ", ".join(kinds)},
                returncode=2,
            )
        if options["template"]:
            return self._template(options)
        if not options["file"]:
            raise CommandError(_("Name the file to import (or --template -o FILE)."), returncode=2)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path}, returncode=2)
        user = self.acting_user(options)
        importer = get_importer(options["kind"])(user=user)
        progress = None
        if sys.stderr.isatty() or os.environ.get("SQDJ_PROGRESS") == "1":  # forced: tests watch a pipe

            def progress(done, total, stage="write"):
                if done == total or done % 200 == 0:
                    width = 30
                    filled = int(width * done / max(total, 1))
                    label = _("checking") if stage == "check" else _("writing")
                    sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
                    if done == total:
                        sys.stderr.write("\n")
                    sys.stderr.flush()

        with acting_as(user):
            result = importer.run(path, path.name, dry_run=options["dry_run"], progress=progress)
        if options["json"]:
            self.stdout.write(result.to_json())
        else:
            for m in result.errors:
                self.stdout.write(_("Row %(row)d %(column)s: %(message)s") % m.__dict__ if m.row else m.message)
            for m in result.warnings:
                warning = _("Warning: row %(row)d %(column)s: %(message)s")
                self.stdout.write(warning % m.__dict__ if m.row else m.message)
            if result.ok:
                self.stdout.write(
                    _("%(mode)sCreated %(created)d, updated %(updated)d, unchanged %(unchanged)d.")
                    % {
                        "mode": _("(dry run, nothing written) ") if result.dry_run else "",
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    }
                )
            else:
                n = result.errors_total or len(result.errors)  # errors_total: more than are listed
                self.stdout.write(_("Rejected: %(n)d problems; nothing was written.") % {"n": n})
        if not result.ok:
            sys.exit(1)

    def _template(self, options) -> None:
        """The template the web pages offer (core.import_templates): its example row uses codes of the acting
        user's scope, so that it imports as it is."""
        if options["file"] or not options["output"]:
            raise CommandError(_("--template writes to -o FILE and takes no file to import."), returncode=2)
        user = self.acting_user(options)
        importer = get_importer(options["kind"])(user=user)
        with acting_as(user):
            Path(options["output"]).write_bytes(template_workbook(importer))
        self.stdout.write(options["output"])
