"""The base of every `sqdj` command: Chinese output, and the options several commands share, declared by class
attributes and read by one resolver each — `--user` (`acts_as_user`, `acting_user()`), `--org` (`uses_org`,
`org()`), `--as-of` (`uses_as_of`, `as_of()`) and `--json` (`uses_json`: exactly one JSON object on stdout,
`write_json()`). Exit codes (docs/cli.md): 1 for an unknown organization or one outside the user's scope, 2 for
usage errors (a bad date, an unknown user) and internal failures.

With `--json` (declared here or by the command itself) stdout holds exactly one JSON object whatever happens: what
the command writes is held back until it finishes. A usage error or a refusal (`CommandError`) for which the command
wrote no object of its own gives `{"ok": false, "code": "usage"|"rejected", "error": "…"}`; an internal error —
a database that stayed locked, say — drops whatever was written and gives code `database_busy` or `internal`, exit
2, the traceback on stderr. Without `--json` an internal error also exits 2, not 1 (1 means
"input rejected")."""

from __future__ import annotations

import argparse
import datetime
import io
import json
import logging
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.utils import translation
from django.utils.translation import gettext_lazy

from sqdj.core.errors import is_database_busy
from sqdj.core.scope import EVERYTHING, org_tree, visible

from .. import dates

log = logging.getLogger(__name__)
JSON_FLAG = "--json"


class SqdjCommand(BaseCommand):
    """Commands speak Chinese (the deployment's language) and may act as a named user."""

    help: Any = ""  # a lazy translation in subclasses: made a real string in create_parser()
    leave_locale_alone = True
    acts_as_user = False  # --user NAME
    uses_org = False  # --org CODE
    org_required = False
    org_help = gettext_lazy("organization code")
    uses_as_of = False  # --as-of YYYY-MM-DD
    as_of_help = gettext_lazy("as of this day, YYYY-MM-DD (default today)")
    uses_json = False  # --json

    def _create_parser(self, prog_name, subcommand, **kwargs):
        translation.activate(settings.LANGUAGE_CODE)
        self.help = str(self.help)  # argparse needs a real string for the description
        # the translation is active from here: the options' help texts are translated now
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if self.uses_org:
            parser.add_argument("--org", required=self.org_required, help=str(self.org_help))
        if self.uses_as_of:
            parser.add_argument("--as-of", dest="as_of", help=str(self.as_of_help))
        if self.uses_json:
            outputs = parser.add_mutually_exclusive_group()
            outputs.add_argument(
                "--json", action="store_true", help=str(gettext_lazy("print exactly one JSON object on stdout"))
            )
            self.add_output_arguments(outputs)
        if self.acts_as_user:
            parser.add_argument(
                "--user",
                dest="acting_username",
                default=None,
                help=str(gettext_lazy("act as this user: their scope applies and the change log names them")),
            )
        return parser

    def add_output_arguments(self, group):
        """Options that exclude --json (e.g. `-o FILE`), added to `group`."""

    def run_from_argv(self, argv):
        """From the shell. With --json the parser's complaints are raised (not printed) and become the one JSON
        object; an internal error exits 2 with or without --json (execute() has written the object then)."""
        self._json_argv = JSON_FLAG in argv[2:]
        try:
            super().run_from_argv(argv)
        except CommandError as exc:  # raised by the parser (--json): execute() has not run
            if "--traceback" in argv:
                raise
            self.stdout.write(json.dumps(self._error_object(exc, usage=True), ensure_ascii=False))
            self.stderr.write(f"{exc.__class__.__name__}: {exc}")
            sys.exit(2)
        except Exception as exc:  # an internal failure without --json (with it, execute() made it a CommandError)
            if "--traceback" in argv:
                raise
            log.error("%s failed", argv[1], exc_info=True)
            self.stderr.write(self._error_object(exc)["error"])
            sys.exit(2)

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = self._create_parser(prog_name, subcommand, **kwargs)
        if getattr(self, "_json_argv", False):
            # a usage error raises CommandError (as under call_command) instead of printing to stderr and exiting,
            # so that run_from_argv() can report it as the one JSON object — subcommands' parsers included
            parsers = [parser]
            while parsers:
                p = parsers.pop()
                p.called_from_command_line = False
                for action in p._actions:
                    if isinstance(action, argparse._SubParsersAction):
                        parsers.extend(action.choices.values())
        return parser

    def execute(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        if not options.get("json"):
            return super().execute(*args, **options)
        # --json: hold stdout back until the command has finished, so that a failure half-way leaves one object
        out = OutputWrapper(options["stdout"]) if options.get("stdout") else self.stdout
        held = io.StringIO()
        options["stdout"] = held
        try:
            result = super().execute(*args, **options)
        except SystemExit:  # the command's own exit status (import: 1 after its object)
            self.stdout = out
            out.write(held.getvalue(), ending="")
            raise
        except CommandError as exc:
            self.stdout = out
            if held.getvalue():  # the command wrote its own object for the refusal (exchange import: its `code`)
                out.write(held.getvalue(), ending="")
            else:
                out.write(json.dumps(self._error_object(exc), ensure_ascii=False))
            raise
        except Exception as exc:
            self.stdout = out
            log.error("%s failed", self.__module__.rpartition(".")[2], exc_info=True)
            error = self._error_object(exc)
            out.write(json.dumps(error, ensure_ascii=False))
            raise CommandError(error["error"], returncode=2) from exc
        self.stdout = out
        out.write(held.getvalue(), ending="")
        return result

    @staticmethod
    def _error_object(exc: BaseException, *, usage: bool = False) -> dict:
        """The one JSON object of a command that failed (docs/cli.md): `ok` false, a `code`, a Chinese `error`."""
        if isinstance(exc, CommandError):
            code = "usage" if usage or exc.returncode == 2 else "rejected"
            return {"ok": False, "code": code, "error": str(exc)}
        if is_database_busy(exc):
            message = translation.gettext(
                "The database stayed busy with another change longer than the wait allows; run the command again later."
            )
            return {"ok": False, "code": "database_busy", "error": message}
        # the exception's text stays on stderr: a database error may quote the values of a row
        message = translation.gettext("Internal error (%(type)s): see the log on stderr.")
        return {"ok": False, "code": "internal", "error": message % {"type": type(exc).__name__}}

    def acting_user(self, options):
        """The user of --user (None without it: the operator at the shell); an unknown user exits 2."""
        name = options.get("acting_username")
        if not name:
            return None
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(translation.gettext("No such user: %(name)s") % {"name": name}, returncode=2)
        return user

    def as_of(self, options) -> datetime.date:
        """The day of --as-of (today without it); not a date exits 2."""
        value = options.get("as_of")
        if not value:
            return dates.today()
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                translation.gettext("Not a date: write it as YYYY-MM-DD, e.g. 2021-07-01."), returncode=2
            ) from None

    def org(self, options, user):
        """The organization of --org as `user` sees it (None without --org; `user` None: the operator at the shell,
        who sees every one); unknown and outside the scope alike exit 1."""
        code = options.get("org")
        if not code:
            return None
        orgs = org_tree().objects.select_related("area")
        org = visible(orgs, EVERYTHING if user is None else user).filter(code=code).first()
        if org is None:
            raise CommandError(
                translation.gettext("Unknown organization code %(code)s (or outside your scope).") % {"code": code},
                returncode=1,
            )
        return org

    def write_json(self, result: dict) -> None:
        """The one JSON object of --json: one line, Chinese as such."""
        self.stdout.write(json.dumps(result, ensure_ascii=False))
