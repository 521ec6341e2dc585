from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.accounts.models import User
from sqdj.accounts.roles import Role
from sqdj.accounts.services import do_create_user, do_grant_role, do_issue_token
from sqdj.core.management.base import SqdjCommand
from sqdj.core.scope import org_tree


class Command(SqdjCommand):
    help = gettext_lazy("Manage users: add, grant, token.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        for name in ("add", "grant"):
            p = sub.add_parser(
                name,
                help=gettext_lazy("add a user with a role on an organization")
                if name == "add"
                else gettext_lazy("grant a role on an organization to a user"),
                called_from_command_line=getattr(parser, "called_from_command_line", None),
            )
            p.add_argument("name")
            p.add_argument("--role", required=True, choices=Role.values)
            p.add_argument("--org", required=True, help=gettext_lazy("organization code"))
            p.add_argument(
                "--descendants", action="store_true", help=gettext_lazy("also everything below the organization")
            )
            if name == "add":
                p.add_argument(
                    "--password-stdin", action="store_true", help=gettext_lazy("read the password from stdin")
                )
                p.add_argument("--display-name", default="")
        p = sub.add_parser(
            "token",
            help=gettext_lazy("print a new API token"),
            called_from_command_line=getattr(parser, "called_from_command_line", None),
        )
        p.add_argument("name")

    def _org(self, code):
        org = org_tree().objects.filter(code=code).first()
        if org is None:
            raise CommandError(_("Unknown organization code %(code)s.") % {"code": code}, returncode=1)
        return org

    def _user(self, name):
        user = User.objects.filter(username=name).first()
        if user is None:
            raise CommandError(_("No such user: %(name)s") % {"name": name}, returncode=1)
        return user

    def handle(self, *args, **options):
        action = options["action"]
        try:
            if action == "add":
                org = self._org(options["org"])
                password = sys.stdin.readline().rstrip("\n") if options["password_stdin"] else None
                user = do_create_user(options["name"], password=password, display_name=options["display_name"])
                do_grant_role(user, role=options["role"], org=org, descendants=options["descendants"])
                self.stderr.write(_("Created user %(name)s.") % {"name": user.username})
            elif action == "grant":
                user, org = self._user(options["name"]), self._org(options["org"])
                do_grant_role(user, role=options["role"], org=org, descendants=options["descendants"])
                self.stderr.write(_("Granted."))
            elif action == "token":
                self.stdout.write(do_issue_token(self._user(options["name"])))
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=1) from exc
