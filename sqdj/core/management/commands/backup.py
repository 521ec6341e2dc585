"""`sqdj backup -o FILE [--json]`: a consistent backup of the whole database (core.backup); personal fields stay
encrypted and no key is in the file. Exit 0 done, 2 on failure (nothing is left at FILE then)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core import audit, backup
from sqdj.core.management.base import SqdjCommand


def _shows_progress(command, options) -> bool:
    """Table by table on stderr: on a terminal, or with -v 2."""
    return options["verbosity"] >= 2 or (options["verbosity"] >= 1 and command.stderr.isatty())


class Command(SqdjCommand):
    help = gettext_lazy("Back up the whole database into one file (personal data stay encrypted; no keys).")
    uses_json = True

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help=str(gettext_lazy("the backup file to write")))

    def handle(self, *args, **options):
        progress = self.stderr.write if _shows_progress(self, options) else (lambda text: None)
        # audited before the snapshot, so that the file holds its own event (a failure adds a second, "failed")
        audit.record(audit.Event.BACKUP, detail={"file": Path(options["output"]).name})
        try:
            result = backup.backup(options["output"], progress=progress)
        except OSError as exc:
            audit.record(
                audit.Event.BACKUP, outcome=audit.Outcome.FAILED, detail={"file": Path(options["output"]).name}
            )
            raise CommandError(
                _("Cannot write %(file)s: %(error)s") % {"file": options["output"], "error": exc}, returncode=2
            ) from None
        if options["json"]:
            self.write_json({"ok": True, **result})
        else:
            self.stdout.write(
                _("Backup written to %(file)s: %(tables)d tables, %(rows)d rows, checksum %(checksum)s.")
                % {k: result[k] for k in ("file", "tables", "rows", "checksum")}
            )
