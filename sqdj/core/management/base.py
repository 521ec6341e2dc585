"""The base of every `sqdj` command: Chinese output, and the options several commands share, declared by class
attributes and read by one resolver each — `--user` (`acts_as_user`, `acting_user()`), `--org` (`uses_org`,
`org()`), `--as-of` (`uses_as_of`, `as_of()`) and `--json` (`uses_json`: exactly one JSON object on stdout,
`write_json()`). Exit codes (docs/cli.md): 1 for an unknown organization or one outside the user's scope, 2 for
usage errors (a bad date, an unknown user)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext_lazy

from sqdj.core.scope import EVERYTHING, org_tree, visible


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

    def create_parser(self, prog_name, subcommand, **kwargs):
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

    def execute(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        return super().execute(*args, **options)

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
            return datetime.date.today()
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
