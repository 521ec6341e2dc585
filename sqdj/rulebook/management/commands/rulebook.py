"""`sqdj rulebook --markdown [-o FILE]`: the rulebook's checks and every version of every parameter as Markdown
(docs/rules.md is this command's output on a freshly migrated database)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.management.base import SqdjCommand
from sqdj.rulebook import document


class Command(SqdjCommand):
    help = gettext_lazy(
        "The rulebook as a document: every check (rule, severity, what it checks, the parameters it reads) and "
        "every version of every parameter (dates, value, source, trust, local variants). "
        "Exit 0 done, 2 usage."
    )

    def add_arguments(self, parser):
        parser.add_argument("--markdown", action="store_true", help=str(gettext_lazy("write Markdown (docs/rules.md)")))
        parser.add_argument("-o", "--output", help=str(gettext_lazy("write to this file instead of stdout")))

    def handle(self, *args, **options):
        if not options["markdown"]:
            raise CommandError(_("Choose the output format: --markdown."), returncode=2)
        text = document.markdown()
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
