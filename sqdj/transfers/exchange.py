"""Exchange of transfer letters with other sqdj deployments as signed JSON packages (docs/exchange.md).

A letter of introduction to an org outside this deployment (an outgoing case, approved: the letter is issued) is
exported as a JSON package signed with this deployment's Ed25519 key; the other deployment checks the signature
against the public key its operator configured for us (`PeerDeployment`) and creates the incoming case, which then
waits there for acceptance. Refused, with nothing written: a package that is not one, altered after signing, for
another deployment, from a deployment not trusted, signed with another key, expired, or imported before.

The private key comes from `SQDJ_SIGNING_KEY` (base64 of the raw 32-byte Ed25519 key) or is created once in the
data directory, like the personal-data keys (core/pii.py).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
import os
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sqdj.core import dates
from sqdj.core.context import acting_as
from sqdj.core.pii import _key_file
from sqdj.members.services import do_reveal, may_reveal
from sqdj.orgs.models import Org

from . import services
from .choices import Direction, TransferReason, TransferState
from .models import ImportedLetter, PeerDeployment, Transfer

FORMAT = "sqdj-transfer-letter"
VERSION = 1
MAX_BYTES = 256 * 1024  # a letter is a few kilobytes; anything far larger is not one
# The member object: the fields of members.services.FIELDS a receiving deployment needs (not org, home_area).
MEMBER_FIELDS = (
    "name", "sex", "ethnicity", "id_number", "birth_date", "education", "member_type", "joined_on",
    "confirmed_on", "category", "work_status", "phone", "work_unit",
)  # fmt: skip
DATE_FIELDS = ("birth_date", "joined_on", "confirmed_on")


class ExportDenied(PermissionDenied):
    """The user may see the case but not export it (no permission to reveal the member's personal data)."""


# ---------------------------------------------------------------------------------------------------------------
# Keys


def deployment_id() -> str:
    return settings.SQDJ_DEPLOYMENT_ID


@cache
def _private_key() -> Ed25519PrivateKey:
    raw = os.environ.get("SQDJ_SIGNING_KEY") or _key_file(
        "signing_key", lambda: base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
    )
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw.strip(), validate=True))
    except (ValueError, binascii.Error) as exc:
        raise ImproperlyConfigured("SQDJ_SIGNING_KEY must be the base64 of a raw 32-byte Ed25519 private key") from exc


def reset_keys() -> None:
    """Forget the cached key (tests; after the environment changes)."""
    _private_key.cache_clear()


def generate_private_key() -> str:
    """A new key in the form SQDJ_SIGNING_KEY takes."""
    return base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()


def public_key() -> str:
    """This deployment's public key: base64 of the raw 32 bytes (what a peer passes to `sqdj exchange trust`)."""
    return base64.b64encode(_private_key().public_key().public_bytes_raw()).decode()


def key_id(public_key_b64: str) -> str:
    """A short fingerprint of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:16]


def parse_public_key(value: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode((value or "").strip(), validate=True))
    except (ValueError, binascii.Error):
        raise ValidationError(
            {"public_key": [_("Not an Ed25519 public key: paste the line `sqdj exchange key` prints there.")]}
        ) from None


@transaction.atomic
def do_trust(*, acting_user, deployment: str, public_key: str, name: str) -> PeerDeployment:
    """Accept packages signed with `public_key` as coming from `deployment` (a second call replaces the key)."""
    deployment, name, public_key = (deployment or "").strip(), (name or "").strip(), (public_key or "").strip()
    errors = {}
    if not deployment:
        errors["deployment_id"] = [_("Enter the other deployment's id.")]
    elif deployment == deployment_id():
        errors["deployment_id"] = [_("This is this deployment's own id.")]
    if not name:
        errors["name"] = [_("Name the other deployment (e.g. its city or district).")]
    if errors:
        raise ValidationError(errors)
    parse_public_key(public_key)
    peer = PeerDeployment.objects.filter(deployment_id=deployment).first() or PeerDeployment(deployment_id=deployment)
    peer.name, peer.public_key = name, public_key
    peer.full_clean()
    with acting_as(acting_user):
        peer.save()
    return peer


# ---------------------------------------------------------------------------------------------------------------
# Signing


def canonical(package: dict) -> bytes:
    """What is signed: the package without "signature", as JSON with sorted keys and no spaces, in UTF-8."""
    body = {k: v for k, v in package.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(package: dict, private_key: Ed25519PrivateKey | None = None) -> dict:
    """`package` with the key_id and signature of `private_key` (default: this deployment's key)."""
    key = private_key or _private_key()
    signed = dict(package)
    signed.pop("signature", None)
    signed["key_id"] = key_id(base64.b64encode(key.public_key().public_bytes_raw()).decode())
    signed["signature"] = base64.b64encode(key.sign(canonical(signed))).decode()
    return signed


def digest(package: dict) -> str:
    return hashlib.sha256(canonical(package)).hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# Export


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def export_package(
    case: Transfer,
    *,
    acting_user,
    reason: str,
    to_deployment: str = "",
    to_org_code: str = "",
    contact: str = "",
    remote_addr=None,
) -> bytes:
    """The signed package of an issued letter to an org outside this deployment. The member's unmasked personal
    data travel in it, so the user must be allowed to reveal them and give a reason (a `PiiReveal` row is
    written). `to_deployment` is recorded on the case the first time; later exports must name the same one."""
    if not Transfer.objects.restrict(acting_user, "view").filter(pk=case.pk).exists():
        raise services.OutOfScope(_("No such transfer case in your scope."))
    case = Transfer.objects.select_for_update(of=("self",)).select_related("member", "from_org").get(pk=case.pk)
    if case.direction != Direction.OUTGOING or case.state != TransferState.APPROVED:
        raise ValidationError(
            _(
                "Only an issued letter (an approved case) to an organization outside this system can be exported "
                "as a package."
            )
        )
    if not may_reveal(case.member, acting_user):
        raise ExportDenied(
            _("Exporting the letter needs permission to see the member's full personal data, which you do not have.")
        )
    to_deployment = (to_deployment or "").strip()
    errors: dict[str, list[str]] = {}
    if len((reason or "").strip()) < 2:
        errors["reason"] = [_("Say why you export the letter (at least 2 characters).")]
    if case.external_deployment and to_deployment and to_deployment != case.external_deployment:
        errors["to_deployment"] = [
            _("This letter goes to deployment %(id)s, recorded on the case.") % {"id": case.external_deployment}
        ]
    elif not (to_deployment or case.external_deployment):
        errors["to_deployment"] = [_("Enter the id of the deployment the letter goes to.")]
    elif (to_deployment or case.external_deployment) == deployment_id():
        errors["to_deployment"] = [_("The letter goes outside this deployment: enter the other deployment's id.")]
    if errors:
        raise ValidationError(errors)
    revealed = do_reveal(case.member, acting_user=acting_user, reason=reason, remote_addr=remote_addr)
    if not case.external_deployment:
        case.external_deployment = to_deployment
        case.version += 1  # every change of a case moves its version (services' conflict check)
        with acting_as(acting_user):
            case.save()
    member = case.member
    to_org = {"name": case.external_org_name, "contact": case.external_org_contact}
    if (to_org_code or "").strip():
        to_org["code"] = to_org_code.strip()
    package = {
        "format": FORMAT,
        "version": VERSION,
        "from_deployment": deployment_id(),
        "to_deployment": case.external_deployment,
        "issued_at": timezone.now().replace(microsecond=0).isoformat(),
        "letter": {
            "number": case.letter_number,
            "issued_on": _iso(case.approved_on),
            "valid_until": _iso(case.valid_until),
            "reason": case.reason,
            "note": case.note,
            "from_org": {"code": case.from_org.code, "name": case.from_org.name, "contact": (contact or "").strip()},
            "to_org": to_org,
        },
        "member": {
            "name": member.name,
            "sex": member.sex,
            "ethnicity": member.ethnicity,
            "id_number": revealed["id_number"],
            "birth_date": _iso(member.birth_date),
            "education": member.education,
            "member_type": member.member_type,
            "joined_on": _iso(member.joined_on),
            "confirmed_on": _iso(member.confirmed_on),
            "category": member.category,  # derived; kept for deployments that read no work status
            "work_status": member.work_status,
            "phone": revealed["phone"] or "",
            "work_unit": member.work_unit or "",
        },
    }
    return json.dumps(sign(package), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8") + b"\n"


def filename(case: Transfer) -> str:
    return f"{case.letter_number or case.pk}.sqdj-letter.json"


# ---------------------------------------------------------------------------------------------------------------
# Verification and import


def _refuse(message: str, code: str):
    """Refuse the package; `code` says why to programs (tests, the CLI's JSON), the message says it to people."""
    raise ValidationError(message, code=code)


def _date(value, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        _refuse(_("The package's %(field)s is not a date.") % {"field": label}, "bad_date")


def verify(data: bytes | str, *, on: datetime.date | None = None) -> dict:
    """The package if it is a well-formed letter, signed by a trusted deployment with its key, unchanged since,
    addressed to this deployment and still valid; otherwise ValidationError with the reason (in Chinese)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        _refuse(_("The file is too large to be a transfer letter package."), "not_package")
    try:
        package = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        _refuse(_("The file is not a transfer letter package (not valid JSON)."), "not_package")
    if not isinstance(package, dict) or package.get("format") != FORMAT:
        _refuse(_("The file is not a transfer letter package of sqdj."), "not_package")
    if package.get("version") != VERSION:
        _refuse(
            _("Package version %(version)s is not supported here.") % {"version": package.get("version")}, "version"
        )
    for key, kind in (("from_deployment", str), ("to_deployment", str), ("issued_at", str), ("letter", dict),
                      ("member", dict), ("key_id", str), ("signature", str)):  # fmt: skip
        if not isinstance(package.get(key), kind):
            _refuse(_("The package is incomplete: %(field)s is missing.") % {"field": key}, "incomplete")
    here = deployment_id()
    if package["to_deployment"] != here:
        _refuse(
            _("This package is addressed to deployment %(to)s, not to this one (%(here)s); nothing was imported.")
            % {"to": package["to_deployment"], "here": here},
            "wrong_deployment",
        )
    peer = PeerDeployment.objects.filter(deployment_id=package["from_deployment"]).first()
    if peer is None:
        _refuse(
            _(
                "Deployment %(id)s is not trusted here: the operator must first add its public key "
                "(sqdj exchange trust). Nothing was imported."
            )
            % {"id": package["from_deployment"]},
            "untrusted",
        )
    if package["key_id"] != key_id(peer.public_key):
        _refuse(
            _(
                "The package was signed with a key (%(key)s) that is not the one configured for deployment %(id)s: "
                "the signature is not valid. Nothing was imported."
            )
            % {"key": package["key_id"], "id": peer.deployment_id},
            "wrong_key",
        )
    try:
        signature = base64.b64decode(package["signature"], validate=True)
        parse_public_key(peer.public_key).verify(signature, canonical(package))
    except (InvalidSignature, binascii.Error, ValueError):
        _refuse(
            _(
                "The signature does not match the package: it was altered after it was signed, or was not signed "
                "by deployment %(id)s. Nothing was imported."
            )
            % {"id": peer.deployment_id},
            "bad_signature",
        )
    # Signed by the peer: from here on the content is theirs, checked only for what this side needs.
    letter, member = package["letter"], package["member"]
    if not str(letter.get("number") or "").strip():
        _refuse(_("The package has no letter number."), "incomplete")
    issued_on = _date(letter.get("issued_on"), _("date of issue"))
    valid_until = _date(letter.get("valid_until"), _("validity"))
    if valid_until < (on or dates.today()):
        _refuse(
            _(
                "The letter of introduction expired on %(date)s and can no longer be accepted. The sending "
                "organization must issue a new one."
            )
            % {"date": valid_until.isoformat()},
            "expired",
        )
    if not isinstance(letter.get("from_org"), dict) or not isinstance(letter.get("to_org"), dict):
        _refuse(_("The package is incomplete: %(field)s is missing.") % {"field": "from_org/to_org"}, "incomplete")
    if not str(member.get("name") or "").strip() or not str(member.get("id_number") or "").strip():
        _refuse(
            _("The package is incomplete: %(field)s is missing.") % {"field": "member.name/id_number"}, "incomplete"
        )
    for field in DATE_FIELDS:
        if member.get(field):
            _date(member[field], field)
    package["_issued_on"], package["_valid_until"] = issued_on, valid_until
    return package


def already_imported(package: dict) -> Transfer | None:
    row = (
        ImportedLetter.objects.filter(
            from_deployment=package["from_deployment"],
            letter_number=package["letter"]["number"],
            issued_on=package["_issued_on"],
        )
        .select_related("transfer")
        .first()
    )
    return row.transfer if row else None


def receiving_org(package: dict, user) -> Org | None:
    """The org named in the package (by its code here) if the user may receive into it."""
    code = str(package["letter"]["to_org"].get("code") or "").strip()
    if not code:
        return None
    orgs = Org.objects.restrict(user, "change") if user is not None else Org.objects.all()
    return orgs.filter(code=code).first()


@transaction.atomic
def import_package(data: bytes | str, *, acting_user, to_org: Org | None = None) -> Transfer:
    """Create the incoming case of a verified package (it starts approved and waits for acceptance here)."""
    package = verify(data)
    letter, from_org = package["letter"], package["letter"]["from_org"]
    previous = already_imported(package)
    if previous is not None:
        _refuse(
            _("Letter %(number)s was already imported (case %(case)s); nothing was imported again.")
            % {"number": letter["number"], "case": previous.pk},
            "already_imported",
        )
    if to_org is None:
        code = str(letter["to_org"].get("code") or "").strip()
        to_org = Org.objects.filter(code=code).first() if code else None
    if to_org is None:
        raise ValidationError({"to_org": [_("Choose the organization here that receives the member.")]})
    reason = letter.get("reason") if letter.get("reason") in TransferReason.values else TransferReason.OTHER
    details = {k: package["member"].get(k) for k in MEMBER_FIELDS}
    details["phone"] = details.get("phone") or ""
    details["work_unit"] = details.get("work_unit") or ""
    case = services.do_create_incoming(
        acting_user=acting_user,
        to_org=to_org,
        details=details,
        letter_number=str(letter["number"]).strip(),
        issued_on=package["_issued_on"],
        valid_until=package["_valid_until"],
        external_org_name=str(from_org.get("name") or ""),
        external_org_contact=str(from_org.get("contact") or ""),
        external_deployment=package["from_deployment"],
        reason=reason,
        note=str(letter.get("note") or "")[:200],
    )
    try:
        with transaction.atomic():
            ImportedLetter.objects.create(
                from_deployment=package["from_deployment"],
                letter_number=case.letter_number,
                issued_on=package["_issued_on"],
                transfer=case,
                digest=digest({k: v for k, v in package.items() if not k.startswith("_")}),
                imported_by=acting_user if getattr(acting_user, "pk", None) else None,
            )
    except IntegrityError:  # imported by someone else at the same moment: this import rolls back whole
        _refuse(
            _("Letter %(number)s was already imported; nothing was imported again.") % {"number": letter["number"]},
            "already_imported",
        )
    return case
