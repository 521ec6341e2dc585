"""`sqdj check --org CODE [--json]`: the rulebook's findings (interfaces.md §4). Without --org it is Django's
system check, which this command replaces under the same name."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.core.management.commands.check import Command as SystemCheck
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.management.base import SqdjCommand
from sqdj.core.scope import EVERYTHING
from sqdj.health import services

SEVERITY_LABELS = {
    "error": gettext_lazy("Error"),
    "warning": gettext_lazy("Warning"),
    "reminder": gettext_lazy("Reminder"),
}


class Command(SqdjCommand):
    help = gettext_lazy(
        "Rulebook findings (organization health check) of an organization and everything below it: a readable list "
        "or the JSON object (--json). Without --org: Django's system checks. "
        "Exit 0 done, 1 unknown organization (or outside your scope), 2 usage."
    )
    acts_as_user = True
    uses_org = uses_as_of = uses_json = True
    as_of_help = gettext_lazy("check as of this day, YYYY-MM-DD (default today)")
    requires_system_checks = []

    def add_arguments(self, parser):
        SystemCheck.add_arguments(self, parser)

    def handle(self, *app_labels, **options):
        if not options["org"]:
            if options["json"] or options["as_of"]:
                raise CommandError(_("--json and --as-of need --org."), returncode=2)
            return SystemCheck.handle(self, *app_labels, **options)
        on = self.as_of(options)
        user = self.acting_user(options) or EVERYTHING  # the operator at the shell, as for `sqdj stats`
        org = self.org(options, user)
        findings = services.findings_for(org, user=user, on=on)
        if options["json"]:
            self.write_json(services.as_json(org, findings, on))
            return
        self.stdout.write(f"{org.name}（{org.code}） {on.isoformat()}")
        counts = services.grouped(findings)["counts"]
        self.stdout.write("  ".join(f"{SEVERITY_LABELS[s]} {n}" for s, n in counts.items()))
        for f in findings:
            self.stdout.write(
                f"\n[{SEVERITY_LABELS[f.severity]}] {f.rule}  {f.object_name}（{f.object_code}）\n  {f.message}\n"
                f"  {_('Source')}: {f.source}\n  {_('Suggested action')}: {f.action}"
            )
