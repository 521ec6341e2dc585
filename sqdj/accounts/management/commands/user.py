from __future__ import annotations

import datetime
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.accounts.models import ApiToken, User
from sqdj.accounts.roles import Duty, Role
from sqdj.accounts.services import (
    do_create_user,
    do_grant_role,
    do_issue_token,
    do_revoke_tokens,
    do_set_duty,
    do_set_password,
    do_unlock,
    token_state,
)
from sqdj.core.management.base import SqdjCommand
from sqdj.core.scope import org_tree

STATE_LABELS = {
    "active": gettext_lazy("active"),
    "expired": gettext_lazy("expired"),
    "revoked": gettext_lazy("revoked"),
}


def _iso(value):
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


class Command(SqdjCommand):
    help = gettext_lazy("Manage users: add, grant, token, password.")

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
            # an account of one of the three separated duties (三员) holds no role on an org: --duty instead
            p.add_argument("--role", required=name == "grant", choices=Role.values)
            p.add_argument("--org", required=name == "grant", help=gettext_lazy("organization code"))
            p.add_argument(
                "--descendants", action="store_true", help=gettext_lazy("also everything below the organization")
            )
            if name == "add":
                p.add_argument(
                    "--password-stdin", action="store_true", help=gettext_lazy("read the password from stdin")
                )
                p.add_argument("--display-name", default="")
                p.add_argument(
                    "--duty", choices=Duty.values, help=gettext_lazy("one of the three separated duties, no org role")
                )
        # ---- tokens and passwords (security.md R5, R35; docs/cli.md) ----
        p = sub.add_parser(
            "token",
            help=gettext_lazy("print a new API token; or list or revoke the user's tokens"),
            called_from_command_line=getattr(parser, "called_from_command_line", None),
        )
        p.add_argument("name")
        what = p.add_mutually_exclusive_group()
        what.add_argument("--list", action="store_true", help=gettext_lazy("list the user's tokens"))
        what.add_argument(
            "--revoke",
            nargs="?",
            const="",
            default=None,
            metavar="PREFIX",
            help=gettext_lazy("revoke the token whose key starts with PREFIX; without PREFIX, all the user's tokens"),
        )
        valid = p.add_mutually_exclusive_group()
        valid.add_argument(
            "--days", type=int, help=gettext_lazy("valid for this many days (default SQDJ_API_TOKEN_DAYS)")
        )
        valid.add_argument("--expires", help=gettext_lazy("valid until the end of this day, YYYY-MM-DD"))
        p.add_argument("--name", dest="token_name", default="", help=gettext_lazy("what the token is for"))
        p.add_argument("--json", action="store_true", help=gettext_lazy("print exactly one JSON object on stdout"))
        p = sub.add_parser(
            "password",
            help=gettext_lazy("set a user's password (read from stdin); the user must change it at the next sign-in"),
            called_from_command_line=getattr(parser, "called_from_command_line", None),
        )
        p.add_argument("name")
        p.add_argument(
            "--password-stdin", action="store_true", required=True, help=gettext_lazy("read the password from stdin")
        )
        # ---- end tokens and passwords ----
        p = sub.add_parser(
            "unlock",
            help=gettext_lazy("lift the sign-in lockout of a user name (recorded in the audit trail)"),
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

    def _token(self, user, options):
        if options["list"]:
            now = timezone.now()
            rows = [
                {
                    "prefix": t.prefix,
                    "name": t.name,
                    "created": _iso(t.created),
                    "expires": _iso(t.expires_at),
                    "last_used": _iso(t.last_used),
                    "state": token_state(t, now),
                }
                for t in user.api_tokens.order_by("-created", "-pk")
            ]
            if options["json"]:
                self.write_json({"ok": True, "user": user.username, "tokens": rows})
            else:
                for r in rows:
                    cells = (r["prefix"], r["name"] or "-", r["created"], r["expires"] or "-", r["last_used"] or "-")
                    self.stdout.write("\t".join((*cells, str(STATE_LABELS[r["state"]]))))
        elif options["revoke"] is not None:
            count = do_revoke_tokens(user, prefix=options["revoke"] or None)
            if options["json"]:
                self.write_json({"ok": True, "user": user.username, "revoked": count})
            else:
                self.stderr.write(_("Revoked %(count)d token(s).") % {"count": count})
        else:
            until = None
            if options["expires"]:
                try:
                    until = datetime.date.fromisoformat(options["expires"])
                except ValueError:
                    raise CommandError(
                        _("Not a date: write it as YYYY-MM-DD, e.g. 2021-07-01."), returncode=2
                    ) from None
            key = do_issue_token(user, name=options["token_name"], days=options["days"], until=until)
            if options["json"]:
                token = user.api_tokens.get(prefix=key[:8], key_hash=ApiToken.hash(key))
                self.write_json({"ok": True, "user": user.username, "token": key, "expires": _iso(token.expires_at)})
            else:
                self.stdout.write(key)

    @transaction.atomic
    def _add(self, options, org, password):
        # a password issued by the operator is the user's to replace at the first sign-in (security.md R5)
        user = do_create_user(
            options["name"], password=password, display_name=options["display_name"], must_change_password=True
        )
        if options["duty"]:
            do_set_duty(user, options["duty"])
        else:
            do_grant_role(user, role=options["role"], org=org, descendants=options["descendants"])
        self.stderr.write(_("Created user %(name)s.") % {"name": user.username})

    def handle(self, *args, **options):
        action = options["action"]
        try:
            if action == "add":
                if bool(options["duty"]) == bool(options["role"] and options["org"]) or (
                    options["duty"] and (options["role"] or options["org"])
                ):
                    raise CommandError(
                        _("Give either --role and --org, or --duty (a duty holder holds no role)."), returncode=1
                    )
                org = self._org(options["org"]) if options["org"] else None
                password = sys.stdin.readline().rstrip("\n") if options["password_stdin"] else None
                self._add(options, org, password)
            elif action == "grant":
                user, org = self._user(options["name"]), self._org(options["org"])
                do_grant_role(user, role=options["role"], org=org, descendants=options["descendants"])
                self.stderr.write(_("Granted."))
            elif action == "token":
                self._token(self._user(options["name"]), options)
            elif action == "unlock":
                # the same service as the user administration's Unlock button (accounts.services.do_unlock)
                removed = do_unlock(options["name"])
                self.stderr.write(
                    _("Unlocked %(name)s (%(count)d record(s) of failed sign-ins removed).")
                    % {"name": options["name"], "count": removed}
                )
            elif action == "password":
                user = self._user(options["name"])
                do_set_password(user, sys.stdin.readline().rstrip("\n"))
                self.stderr.write(_("Password set; %(name)s must change it at the next sign-in.") % {"name": user})
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=1) from exc
