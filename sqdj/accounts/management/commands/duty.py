"""`sqdj duty NAME [--set system_admin|security_admin|audit_admin|none] [--user ACTING] [--json]`: show or set a
user's administrative duty (三员, security.md R7; accounts.services.do_set_duty). From the shell without --user it
is the set-up of the deployment; with --user the rules of the acting user's duty apply. Exit 0 done; 1 refused
(a second duty, a duty to a holder of roles, an acting user who may not); 2 usage (an unknown user)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.accounts.models import User
from sqdj.accounts.roles import Duty
from sqdj.accounts.services import do_set_duty
from sqdj.core.management.base import SqdjCommand


class Command(SqdjCommand):
    help = gettext_lazy("Show or set a user's administrative duty (system, security or audit administrator).")
    uses_json = True
    acts_as_user = True

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--set", dest="duty", choices=[*Duty.values, "none"])

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["name"]).first()
        if user is None:
            raise CommandError(_("No such user: %(name)s") % {"name": options["name"]}, returncode=2)
        if options["duty"] is not None:
            acting = self.acting_user(options)
            try:
                do_set_duty(user, "" if options["duty"] == "none" else options["duty"], acting_user=acting)
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                raise CommandError(text, returncode=1) from None
        label = user.get_duty_display() if user.duty else _("none")
        if options["json"]:
            self.write_json({"ok": True, "user": user.username, "duty": user.duty or None})
        else:
            self.stdout.write(_("%(name)s: duty %(duty)s") % {"name": user.username, "duty": label})
