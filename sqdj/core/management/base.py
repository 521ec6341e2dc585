from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext_lazy


class SqdjCommand(BaseCommand):
    """Commands speak Chinese (the deployment's language) and may act as a named user."""

    leave_locale_alone = True
    acts_as_user = False

    def create_parser(self, prog_name, subcommand, **kwargs):
        translation.activate(settings.LANGUAGE_CODE)
        self.help = str(self.help)  # argparse needs a real string for the description
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if self.acts_as_user:
            parser.add_argument(
                "--user",
                dest="acting_username",
                default=None,
                help=gettext_lazy("act as this user: their scope applies and the change log names them"),
            )
        return parser

    def execute(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        return super().execute(*args, **options)

    def acting_user(self, options):
        name = options.get("acting_username")
        if not name:
            return None
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(translation.gettext("No such user: %(name)s") % {"name": name}, returncode=2)
        return user
