"""`sqdj exchange key | trust | peers | export | import`: transfer letters exchanged with other sqdj deployments as
signed JSON packages (docs/exchange.md). Exit 0 done, 1 refused (nothing written), 2 usage."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sqdj.core.management.base import SqdjCommand
from sqdj.orgs.models import Org
from sqdj.transfers import exchange
from sqdj.transfers.models import PeerDeployment, Transfer


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "；".join(exc.messages)


class Command(SqdjCommand):
    help = gettext_lazy(
        "Transfer letters exchanged with other sqdj deployments: this deployment's id and public key (key), trust "
        "another deployment's key (trust), list the trusted ones (peers), export an issued letter as a signed "
        "package (export), import a package (import). Exit 0 done, 1 refused and nothing written, 2 usage."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="key|trust|peers|export|import")
        sub.add_parser("key", help=gettext_lazy("print this deployment's id and public key"))
        trust = sub.add_parser("trust", help=gettext_lazy("accept packages signed with this key from that deployment"))
        trust.add_argument("deployment", metavar="ID")
        trust.add_argument("public_key", metavar="PUBLIC_KEY")
        trust.add_argument("--name", required=True, help=gettext_lazy("the other deployment's name"))
        sub.add_parser("peers", help=gettext_lazy("list the trusted deployments"))
        export = sub.add_parser("export", help=gettext_lazy("write the signed package of an issued letter"))
        export.add_argument("case", type=int, metavar="CASE_ID")
        export.add_argument(
            "--reason", required=True, help=gettext_lazy("why (recorded: the package holds full personal data)")
        )
        export.add_argument(
            "--to",
            dest="to_deployment",
            default="",
            help=gettext_lazy("the receiving deployment's id, if the case does not name it yet"),
        )
        export.add_argument(
            "--to-org-code", default="", help=gettext_lazy("the receiving organization's code there, if known")
        )
        export.add_argument(
            "--contact", default="", help=gettext_lazy("the sending organization's office and telephone")
        )
        export.add_argument(
            "-o", "--output", required=True, metavar="FILE", help=gettext_lazy("the package file (- for stdout)")
        )
        imp = sub.add_parser("import", help=gettext_lazy("create the incoming case of a package"))
        imp.add_argument("file", metavar="FILE")
        imp.add_argument(
            "--to-org",
            dest="to_org",
            default="",
            metavar="CODE",
            help=gettext_lazy("the receiving organization's code (default: the package's)"),
        )
        imp.add_argument("--dry-run", action="store_true", help=gettext_lazy("only check the package"))
        imp.add_argument("--json", action="store_true", help=gettext_lazy("print exactly one JSON object on stdout"))
        for p in (trust, export, imp):
            p.add_argument(
                "--user",
                dest="acting_username",
                required=p is export,  # the look at the full personal data is recorded under a user
                help=gettext_lazy("act as this user: their scope applies and the change log names them"),
            )  # fmt: skip

    def handle(self, *args, **options):
        return getattr(self, "_" + options["action"])(options)

    def _key(self, options):
        self.stdout.write(f"{exchange.deployment_id()} {exchange.public_key()}")

    def _peers(self, options):
        for peer in PeerDeployment.objects.all():
            self.stdout.write(f"{peer.deployment_id}\t{peer.name}\t{exchange.key_id(peer.public_key)}")

    def _trust(self, options):
        user = self.acting_user(options)
        try:
            peer = exchange.do_trust(
                acting_user=user, deployment=options["deployment"], public_key=options["public_key"],
                name=options["name"],
            )  # fmt: skip
        except ValidationError as exc:
            raise CommandError(_messages(exc), returncode=1) from None
        self.stdout.write(_("Trusted: %(peer)s, key %(key)s") % {"peer": peer, "key": exchange.key_id(peer.public_key)})

    def _export(self, options):
        user = self.acting_user(options)
        case = Transfer.objects.filter(pk=options["case"]).first()
        try:
            if case is None:
                raise Http404
            data = exchange.export_package(
                case,
                acting_user=user,
                reason=options["reason"],
                to_deployment=options["to_deployment"],
                to_org_code=options["to_org_code"],
                contact=options["contact"],
            )
        except Http404:
            raise CommandError(
                _("No transfer case %(id)s (or outside your scope).") % {"id": options["case"]}, returncode=1
            ) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=1) from None
        except ValidationError as exc:
            raise CommandError(_messages(exc), returncode=1) from None
        if options["output"] == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        path = Path(options["output"])
        path.write_bytes(data)
        path.chmod(0o600)  # full personal data: readable by its owner only
        self.stderr.write(_("Written: %(file)s") % {"file": path})

    def _import(self, options):
        user = self.acting_user(options)
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": options["file"], "error": exc}, returncode=2
            ) from None
        to_org = None
        if options["to_org"]:
            orgs = Org.objects.restrict(user, "change") if user is not None else Org.objects.all()
            to_org = orgs.filter(code=options["to_org"]).first()
            if to_org is None:
                return self._fail(
                    options,
                    _("Unknown organization code %(code)s (or outside your scope).") % {"code": options["to_org"]},
                    "to_org",
                )
        try:
            if options["dry_run"]:
                package = exchange.verify(data)
                if exchange.already_imported(package) is not None:
                    return self._fail(
                        options,
                        _("Letter %(number)s was already imported; nothing was imported again.")
                        % {"number": package["letter"]["number"]},
                        "already_imported",
                    )
                return self._done(options, None, package)
            case = exchange.import_package(data, acting_user=user, to_org=to_org)
        except Http404:
            return self._fail(options, _("You cannot receive a member into this organization."), "to_org")
        except ValidationError as exc:
            code = exc.error_list[0].code if not hasattr(exc, "error_dict") and exc.error_list else "invalid"
            return self._fail(options, _messages(exc), code)
        self._done(options, case, None)

    def _fail(self, options, message: str, code: str = "invalid"):
        if options["json"]:
            self.stdout.write(json.dumps({"ok": False, "code": code, "error": message}, ensure_ascii=False))
        raise CommandError(message, returncode=1)

    def _done(self, options, case, package):
        if options["json"]:
            result = {"ok": True, "dry_run": case is None}
            if case is not None:
                result.update(
                    id=case.pk, letter_number=case.letter_number, person=case.person_name,
                    to_org=case.to_org.code, state=case.state,
                    valid_until=case.valid_until.isoformat() if case.valid_until else None,
                )  # fmt: skip
            else:
                result.update(letter_number=package["letter"]["number"], person=package["member"]["name"])
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        elif case is None:
            self.stdout.write(
                _("The package is valid: letter %(number)s for %(name)s.")
                % {"number": package["letter"]["number"], "name": package["member"]["name"]}
            )
        else:
            self.stdout.write(
                _("Incoming case %(id)s created: %(name)s, letter %(number)s, waiting for acceptance.")
                % {"id": case.pk, "name": case.person_name, "number": case.letter_number}
            )
