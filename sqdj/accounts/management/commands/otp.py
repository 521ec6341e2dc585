"""`sqdj otp reset NAME` / `sqdj otp status NAME [--json]` / `sqdj otp code NAME` (demo accounts only)."""

from __future__ import annotations

import time

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.oath import totp

from sqdj.accounts.models import User
from sqdj.accounts.twofactor import services
from sqdj.core.management.base import SqdjCommand


class Command(SqdjCommand):
    help = gettext_lazy("Second factor (two-step verification): reset a user's, show its status, a demo code.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        cl = getattr(parser, "called_from_command_line", None)
        for name, text in (
            ("reset", gettext_lazy("remove the user's authenticator and recovery codes: the next sign-in enrols anew")),
            ("status", gettext_lazy("whether the user must use it, has it, and how many recovery codes are left")),
            ("code", gettext_lazy("print the current code of a demo account (its published demo key only)")),
        ):
            p = sub.add_parser(name, help=text, called_from_command_line=cl)
            p.add_argument("name")
            # here, not on the command (SqdjCommand.uses_json): `sqdj otp status NAME --json` as docs/cli.md writes it
            p.add_argument("--json", action="store_true", help=gettext_lazy("print exactly one JSON object on stdout"))

    def _user(self, name):
        user = User.objects.filter(username=name).first()
        if user is None:
            raise CommandError(_("No such user: %(name)s") % {"name": name}, returncode=1)
        return user

    def handle(self, *args, **options):
        user = self._user(options["name"])
        action = options["action"]
        if action == "reset":
            count = services.remove_second_factor(user, acting_user=None, reason="reset")
            if options["json"]:
                self.write_json({"ok": True, "user": user.username, "removed": count})
            else:
                self.stdout.write(
                    _("Two-step verification of %(name)s reset; the next sign-in sets it up again.")
                    % {"name": user.username}
                )
        elif action == "status":
            status = services.status(user)
            if options["json"]:
                self.write_json({"ok": True, **status})
            else:
                yes, no = _("yes"), _("no")
                self.stdout.write(_("User: %(name)s") % {"name": user.username})
                self.stdout.write(_("Must use two-step verification: %(v)s") % {"v": yes if status["required"] else no})
                self.stdout.write(_("Set up: %(v)s") % {"v": status["enrolled_at"] or no})
                self.stdout.write(_("Last used: %(v)s") % {"v": status["last_used_at"] or "-"})
                self.stdout.write(_("Recovery codes left: %(n)s") % {"n": status["recovery_codes_left"]})
        else:
            device = services.confirmed_device(user)
            # the demo key is published (docs/security.md); any other device's code is its owner's alone
            if not services.is_demo_device(device):
                raise CommandError(_("%(name)s has no demo authenticator.") % {"name": user.username}, returncode=1)
            code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"
            left = device.step - int(time.time() - device.t0) % device.step
            if options["json"]:
                self.write_json({"ok": True, "user": user.username, "code": code, "valid_seconds": left})
            else:
                self.stdout.write(code)
