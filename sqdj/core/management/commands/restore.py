"""`sqdj restore FILE [--json]`: restore a backup of `sqdj backup` into an empty database of the same deployment
(core.backup). Exit 0 done; 1 the file or the database was refused and nothing was written; 2 failure."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core import audit, backup
from sqdj.core.management.base import SqdjCommand


def _shows_progress(command, options) -> bool:
    """Table by table on stderr: on a terminal, or with -v 2."""
    return options["verbosity"] >= 2 or (options["verbosity"] >= 1 and command.stderr.isatty())


class Command(SqdjCommand):
    help = gettext_lazy("Restore a backup file into an empty database of this deployment.")
    uses_json = True

    def add_arguments(self, parser):
        parser.add_argument("file", help=str(gettext_lazy("the backup file written by sqdj backup")))

    def handle(self, *args, **options):
        progress = self.stderr.write if _shows_progress(self, options) else (lambda text: None)
        try:
            result = backup.restore(options["file"], progress=progress)
        except backup.BackupError as exc:  # with --json, the base makes it the one object (code "rejected")
            raise CommandError(exc.message, returncode=1) from None
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": options["file"], "error": exc}, returncode=2
            ) from None
        # after the restored rows (the restore needs an empty database): the chain goes on from the restored head
        audit.record(
            audit.Event.RESTORE,
            detail={"created": result["created"], "rows": result["rows"], "sha256": result["checksum"]},
        )
        if options["json"]:
            self.write_json({"ok": True, **result})
        else:
            self.stdout.write(
                _("Restored %(file)s (made %(created)s): %(tables)d tables, %(rows)d rows, all checksums match.")
                % {k: result[k] for k in ("file", "created", "tables", "rows")}
            )
