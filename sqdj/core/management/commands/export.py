from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.exporting import export_queryset, subtree_queryset
from sqdj.core.importing import get_importer, importer_kinds
from sqdj.core.management.base import SqdjCommand


class Command(SqdjCommand):
    help = gettext_lazy("Export KIND for an organization as .xlsx or .csv, with the columns of the import template.")
    acts_as_user = True
    uses_org = org_required = True

    def add_arguments(self, parser):
        parser.add_argument("kind")
        parser.add_argument("--descendants", action="store_true", help=gettext_lazy("include everything below the org"))
        parser.add_argument("-o", "--output", required=True, help=gettext_lazy("FILE.xlsx or FILE.csv"))
        parser.add_argument(
            "--reveal-reason",
            default=None,
            help=gettext_lazy(
                "why the full ID and phone numbers are needed (members only, with --user): written in full for the "
                "members the user may reveal, each one logged"
            ),
        )

    def handle(self, *args, **options):
        if options["kind"] not in importer_kinds():
            raise CommandError(
                _("Unknown kind %(kind)s; one of: %(kinds)s")
                % {"kind": options["kind"], "kinds": ", ".join(importer_kinds())},
                returncode=2,
            )
        out = Path(options["output"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise CommandError(_("The output file must end in .xlsx or .csv."), returncode=2)
        user = self.acting_user(options)
        importer_cls = get_importer(options["kind"])
        kwargs = {}
        reason = options["reveal_reason"]
        if reason is not None:
            if not getattr(importer_cls, "reveals_pii", False):
                raise CommandError(
                    _("--reveal-reason is only for exports that contain personal data (members)."), returncode=2
                )
            if user is None:
                raise CommandError(
                    _("--reveal-reason needs --user: full numbers are shown only to a user allowed to see them."),
                    returncode=2,
                )
            kwargs["reveal_reason"] = reason or " "  # an empty reason is an error, not "no reason"
        try:
            importer = importer_cls(user=user, **kwargs)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=2) from exc
        qs = subtree_queryset(importer, user, self.org(options, user), options["descendants"])
        data, count = export_queryset(importer, qs, fmt)
        out.write_bytes(data)
        self.stderr.write(_("Exported %(n)d rows to %(file)s.") % {"n": count, "file": out})
