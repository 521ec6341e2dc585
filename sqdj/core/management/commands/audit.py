"""`sqdj audit verify [--json]`: walk the audit trail's hash chain (core.audit). Exit 0 intact; 1 a broken link,
reported with the row's id and time (the first one: an edited row, or rows deleted or inserted before it).
`sqdj audit purge [--json]`: what the daily job does — delete the events older than SQDJ_AUDIT_KEEP_DAYS (at least
184 days), leaving a checkpoint in the chain."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core import audit
from sqdj.core.management.base import SqdjCommand

PROBLEMS = {
    "edited": gettext_lazy("its content no longer matches its hash (the record was edited)"),
    "missing": gettext_lazy("it does not follow the record before it (records were deleted or inserted there)"),
}


class Command(SqdjCommand):
    help = gettext_lazy("Check the tamper-evident audit trail (verify), or purge records past their retention.")
    uses_json = True

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "purge"])

    def handle(self, *args, **options):
        if options["action"] == "purge":
            result = audit.purge()
            if options["json"]:
                self.write_json({"ok": True, **result})
            else:
                self.stdout.write(
                    _("%(n)d audit records older than %(days)d days purged.")
                    % {"n": result["deleted"], "days": result["keep_days"]}
                )
            return
        result = audit.verify()
        if options["json"]:
            self.write_json(result)
        elif result["ok"]:
            self.stdout.write(
                _("Audit trail intact: %(rows)d records, head %(head)s.")
                % {"rows": result["rows"], "head": result["head"][:16] or "-"}
            )
        if not result["ok"]:
            message = _("Audit trail broken at record %(id)d (%(time)s): %(problem)s.") % {
                "id": result["id"],
                "time": result["time"],
                "problem": PROBLEMS[result["problem"]],
            }
            if options["json"]:
                self.stderr.write(message)
                raise SystemExit(1)
            raise CommandError(message, returncode=1)
