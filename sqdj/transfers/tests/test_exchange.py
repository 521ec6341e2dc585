"""Transfer letters exchanged with other deployments: signing and verification, every refusal with nothing
written, the export's permission and its record of the look at personal data, and the pages."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.dates import today
from sqdj.members.models import Member, PiiReveal
from sqdj.testing import PASSWORD
from sqdj.testing.members import member_data
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import exchange
from sqdj.transfers import services as T
from sqdj.transfers.choices import Direction, TransferState
from sqdj.transfers.models import ImportedLetter, PeerDeployment, Transfer

pytestmark = pytest.mark.django_db
S = TransferState


@pytest.fixture
def tw():
    return build_transfer_world()


@pytest.fixture
def peer_key():
    """Deployment "P" (another city's sqdj), trusted here; its packages are addressed to this deployment."""
    key = Ed25519PrivateKey.generate()
    public = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    exchange.do_trust(acting_user=None, deployment="P", public_key=public, name="某市")
    return key


def _member_object(seq=31, name="王外来"):
    data = member_data(None, seq=seq, name=name)
    data.pop("org"), data.pop("home_area", None)
    return {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in data.items()}


def _package(tw, **letter):
    return {
        "format": "sqdj-transfer-letter",
        "version": 1,
        "from_deployment": "P",
        "to_deployment": exchange.deployment_id(),
        "issued_at": "2026-01-01T08:00:00+00:00",
        "letter": {
            "number": "P-2026-000042",
            "issued_on": today().isoformat(),
            "valid_until": (today() + datetime.timedelta(days=60)).isoformat(),
            "reason": "residence",
            "note": "",
            "from_org": {"code": "PB1", "name": "中共某市某社区第一党支部", "contact": "0000-1234567"},
            "to_org": {"name": tw.branch3.name, "contact": "", "code": tw.branch3.code},
            **letter,
        },
        "member": _member_object(),
    }


def _signed(package, key) -> bytes:
    return json.dumps(exchange.sign(package, key), ensure_ascii=False).encode()


def _counts():
    return Transfer.objects.count(), ImportedLetter.objects.count(), Member.objects.count()


def _refused(data, tw, code: str, to_org=None) -> ValidationError:
    """The import fails for `code`'s reason, with a message, and writes nothing."""
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        exchange.import_package(data, acting_user=tw.receiver, to_org=to_org)
    assert [e.code for e in exc.value.error_list] == [code], exc.value.messages
    assert exc.value.messages[0].strip()
    assert _counts() == before
    return exc.value


# --- verification and import -----------------------------------------------------------------------------------


def test_a_signed_package_verifies_and_creates_the_incoming_case(tw, peer_key):
    data = _signed(_package(tw), peer_key)
    assert exchange.verify(data)["letter"]["number"] == "P-2026-000042"
    case = exchange.import_package(data, acting_user=tw.receiver)
    assert case.direction == Direction.INCOMING and case.state == S.APPROVED
    assert (case.to_org, case.person_name, case.letter_number) == (tw.branch3, "王外来", "P-2026-000042")
    assert case.external_deployment == "P" and case.external_org_name == "中共某市某社区第一党支部"
    assert case.receiving_approver == tw.street2 and case.valid_until == today() + datetime.timedelta(days=60)
    assert json.loads(case.incoming_details)["id_number"] == _member_object()["id_number"]
    assert not Member.objects.filter(name="王外来").exists()  # only at completion
    assert ImportedLetter.objects.get().transfer == case


def _admin(org):
    user = do_create_user(f"admin_{org.code}", password=PASSWORD, validate=False)
    do_grant_role(user, role="subdistrict_admin", org=org, descendants=True)
    return user


def test_the_incoming_case_completes_into_a_member(tw, peer_key):
    case = exchange.import_package(_signed(_package(tw), peer_key), acting_user=tw.receiver)
    case = T.do_accept(case, acting_user=_admin(tw.street2), version=case.version)
    case = T.do_complete(case, acting_user=tw.receiver, version=case.version)
    member = Member.objects.get(name="王外来")
    assert member.org == tw.branch3 and member.id_number == _member_object()["id_number"]


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p["member"].__setitem__("name", "张冒名"),
        lambda p: p["member"].__setitem__("id_number", _member_object(seq=32)["id_number"]),
        lambda p: p["letter"].__setitem__("valid_until", (today() + datetime.timedelta(days=900)).isoformat()),
        lambda p: p["letter"]["to_org"].__setitem__("code", "ZBT1"),
        lambda p: p.__setitem__("key_id", "0" * 16),
    ],
    ids=["member-name", "member-id-number", "letter-validity", "letter-to-org", "key-id"],
)
def test_a_package_changed_after_signing_is_refused(tw, peer_key, change):
    package = exchange.sign(_package(tw), peer_key)
    change(package)
    _refused(json.dumps(package).encode(), tw, "wrong_key" if package["key_id"] == "0" * 16 else "bad_signature")


def test_a_package_for_another_deployment_is_refused(tw, peer_key):
    package = _package(tw)
    package["to_deployment"] = "elsewhere"
    error = _refused(_signed(package, peer_key), tw, "wrong_deployment")
    assert "elsewhere" in error.messages[0] and exchange.deployment_id() in error.messages[0]


def test_a_package_from_an_untrusted_deployment_or_with_another_key_is_refused(tw, peer_key):
    stranger = Ed25519PrivateKey.generate()
    package = _package(tw)
    package["from_deployment"] = "Q"
    _refused(_signed(package, stranger), tw, "untrusted")  # nobody configured Q
    # signed by a stranger but claiming to be P: its key id is not P's
    _refused(_signed(_package(tw), stranger), tw, "wrong_key")
    # … and with P's key id written in, the signature itself fails
    forged = exchange.sign(_package(tw), stranger)
    forged["key_id"] = exchange.sign(_package(tw), peer_key)["key_id"]
    _refused(json.dumps(forged).encode(), tw, "bad_signature")


def test_a_package_imported_before_is_refused(tw, peer_key):
    data = _signed(_package(tw), peer_key)
    first = exchange.import_package(data, acting_user=tw.receiver)
    _refused(data, tw, "already_imported")
    # a fresh export of the same letter (another time of export, another signature) is the same letter
    again = _package(tw)
    again["issued_at"] = "2026-01-02T09:00:00+00:00"
    error = _refused(_signed(again, peer_key), tw, "already_imported")
    assert "P-2026-000042" in error.messages[0] and str(first.pk) in error.messages[0]
    # the case was returned here: still no second import of the same letter (the sender issues a new one)
    T.do_return(first, acting_user=_admin(tw.street2), reason="信息有误", version=first.version)
    _refused(data, tw, "already_imported")


def test_an_expired_letter_or_a_broken_file_is_refused(tw, peer_key):
    past = (today() - datetime.timedelta(days=1)).isoformat()
    assert past in _refused(_signed(_package(tw, valid_until=past), peer_key), tw, "expired").messages[0]
    for data in (b"not json", b"[]", json.dumps({"format": "other"}).encode(), b"\xff\xfe"):
        _refused(data, tw, "not_package")
    incomplete = exchange.sign(_package(tw), peer_key)
    del incomplete["member"]
    assert "member" in _refused(json.dumps(incomplete).encode(), tw, "incomplete").messages[0]
    wrong_version = exchange.sign({**_package(tw), "version": 2}, peer_key)
    _refused(json.dumps(wrong_version).encode(), tw, "version")


def test_import_needs_a_receiving_org_in_scope(tw, peer_key):
    package = _package(tw)
    del package["letter"]["to_org"]["code"]
    data = _signed(package, peer_key)
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        exchange.import_package(data, acting_user=tw.receiver)
    assert "to_org" in exc.value.message_dict
    with pytest.raises(T.OutOfScope):  # the sender's branch is not the receiver's to act on
        exchange.import_package(data, acting_user=tw.receiver, to_org=tw.world.branch1)
    assert _counts() == before
    assert exchange.import_package(data, acting_user=tw.receiver, to_org=tw.branch3).to_org == tw.branch3


def test_trust_refuses_a_bad_key_and_replaces_a_key(tw):
    with pytest.raises(ValidationError):
        exchange.do_trust(acting_user=None, deployment="P", public_key="abc", name="某市")
    with pytest.raises(ValidationError):
        exchange.do_trust(acting_user=None, deployment=exchange.deployment_id(), public_key=exchange.public_key(),
                          name="自己")  # fmt: skip
    assert not PeerDeployment.objects.exists()
    k1, k2 = (base64.b64encode(Ed25519PrivateKey.generate().public_key().public_bytes_raw()).decode() for _ in "ab")
    exchange.do_trust(acting_user=None, deployment="P", public_key=k1, name="某市")
    exchange.do_trust(acting_user=None, deployment="P", public_key=k2, name="某市")
    assert PeerDeployment.objects.get().public_key == k2


# --- export ----------------------------------------------------------------------------------------------------


def _outgoing(tw, state=S.APPROVED):
    case = T.do_create_transfer(
        acting_user=tw.sender, member=tw.member, reason="residence",
        external_org_name="中共某市某社区委员会", external_org_contact="0000-7654321",
    )  # fmt: skip
    if state != S.DRAFT:
        case = T.do_submit(case, acting_user=tw.sender, version=case.version)
        case = T.do_approve(case, acting_user=tw.street_admin, version=case.version)
    return case


def test_export_signs_the_letter_and_records_the_look_at_personal_data(tw):
    case = _outgoing(tw)
    with override_settings(SQDJ_DEPLOYMENT_ID="A"):
        data = exchange.export_package(case, acting_user=tw.sender, reason="办理组织关系转接", to_deployment="B")
    package = json.loads(data)
    assert package["from_deployment"] == "A" and package["to_deployment"] == "B"
    assert package["letter"]["number"] == case.letter_number and package["letter"]["from_org"]["code"] == "ZBT1"
    assert package["letter"]["valid_until"] == case.valid_until.isoformat()
    assert package["member"]["id_number"] == tw.member.id_number and "*" not in package["member"]["id_number"]
    assert package["member"]["name"] == "李流转"
    reveal = PiiReveal.objects.get()
    assert (reveal.user, reveal.member, reveal.reason) == (tw.sender, tw.member, "办理组织关系转接")
    case.refresh_from_db()
    assert case.external_deployment == "B" and case.state == S.APPROVED
    # the signature verifies with this deployment's public key, as deployment B would check it
    signature = base64.b64decode(package["signature"])
    exchange.parse_public_key(exchange.public_key()).verify(signature, exchange.canonical(package))
    assert package["key_id"] == exchange.key_id(exchange.public_key())


def test_export_needs_the_reveal_permission_and_a_reason(tw):
    case = _outgoing(tw)
    version = case.version
    viewer = tw.world.viewer1  # sees the case (community1 and below) but may not reveal personal data
    assert Transfer.objects.restrict(viewer, "view").filter(pk=case.pk).exists()
    with pytest.raises(exchange.ExportDenied):
        exchange.export_package(case, acting_user=viewer, reason="办理组织关系转接", to_deployment="B")
    with pytest.raises(ValidationError) as exc:
        exchange.export_package(case, acting_user=tw.sender, reason="", to_deployment="B")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        exchange.export_package(case, acting_user=tw.sender, reason="转接", to_deployment="")
    assert "to_deployment" in exc.value.message_dict
    with pytest.raises(T.OutOfScope):
        exchange.export_package(case, acting_user=tw.receiver, reason="转接", to_deployment="B")
    case.refresh_from_db()
    assert not PiiReveal.objects.exists() and case.version == version and case.external_deployment == ""


def test_only_an_issued_letter_to_outside_is_exported(tw):
    draft = _outgoing(tw, state=S.DRAFT)
    with pytest.raises(ValidationError):
        exchange.export_package(draft, acting_user=tw.sender, reason="转接", to_deployment="B")
    T.do_cancel(draft, acting_user=tw.sender, reason="改为内部转接", version=draft.version)
    internal = T.do_create_transfer(acting_user=tw.sender, member=tw.member, reason="work", to_org=tw.branch3)
    internal = T.do_submit(internal, acting_user=tw.sender, version=internal.version)
    internal = T.do_approve(internal, acting_user=tw.district_admin, version=internal.version)
    with pytest.raises(ValidationError):
        exchange.export_package(internal, acting_user=tw.sender, reason="转接", to_deployment="B")
    assert not PiiReveal.objects.exists()


def test_a_second_export_must_name_the_same_deployment(tw):
    case = _outgoing(tw)
    exchange.export_package(case, acting_user=tw.sender, reason="转接", to_deployment="B")
    with pytest.raises(ValidationError):
        exchange.export_package(case, acting_user=tw.sender, reason="转接", to_deployment="C")
    again = json.loads(exchange.export_package(case, acting_user=tw.sender, reason="再次转接"))
    assert again["to_deployment"] == "B" and PiiReveal.objects.count() == 2


def test_an_exported_package_imports_where_it_is_addressed(tw):
    """Both ends in one database: A exports; B (this database under B's id, trusting A's key) is refused because
    the member is still on A's roll here — which shows the import reached the member check, past the signature."""
    case = _outgoing(tw)
    with override_settings(SQDJ_DEPLOYMENT_ID="A"):
        data = exchange.export_package(case, acting_user=tw.sender, reason="转接", to_deployment="B")
    with override_settings(SQDJ_DEPLOYMENT_ID="B"):
        with pytest.raises(ValidationError):  # A is not trusted yet
            exchange.verify(data)
        exchange.do_trust(acting_user=None, deployment="A", public_key=exchange.public_key(), name="甲")
        assert exchange.verify(data)["member"]["id_number"] == tw.member.id_number
        before = _counts()
        with pytest.raises(ValidationError) as exc:
            exchange.import_package(data, acting_user=tw.receiver, to_org=tw.branch3)
        assert "id_number" in exc.value.message_dict and _counts() == before


# --- pages -----------------------------------------------------------------------------------------------------


def test_package_download_page(client, tw):
    case = _outgoing(tw)
    url = reverse("transfers:transfer_package", args=[case.pk])
    client.force_login(tw.receiver)
    assert client.get(url).status_code == 404  # not the receiver's case
    client.force_login(tw.sender)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "", "to_deployment": "B"})
    assert response.status_code == 400 and not PiiReveal.objects.exists()
    response = client.post(url, {"reason": "办理组织关系转接", "to_deployment": "B", "contact": "0000-1"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "no-store"
    package = json.loads(response.content)
    assert package["letter"]["from_org"]["contact"] == "0000-1" and PiiReveal.objects.count() == 1
    client.force_login(tw.world.viewer1)
    response = client.post(url, {"reason": "办理组织关系转接", "to_deployment": "B"})
    assert response.status_code == 403 and PiiReveal.objects.count() == 1


def test_import_page_previews_then_creates_the_case(client, tw, peer_key):
    url = reverse("transfers:transfer_import")
    client.force_login(tw.receiver)
    assert client.get(url).status_code == 200
    data = _signed(_package(tw), peer_key)
    response = client.post(url, {"file": SimpleUploadedFile("l.json", data, content_type="application/json")})
    assert response.status_code == 200
    body = response.content.decode()
    assert "P-2026-000042" in body and "王外来" in body
    assert _member_object()["id_number"] not in body.replace(" ", "")  # masked in the preview
    assert not Transfer.objects.exists()
    package_field = response.context["confirm_form"]["package"].value()
    response = client.post(url, {"package": package_field, "to_org": tw.branch3.code, "confirm": "1"})
    case = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.person_name == "王外来" and case.to_org == tw.branch3
    # a bad package: the page says why and nothing is written
    tampered = json.loads(data)
    tampered["member"]["name"] = "张冒名"
    response = client.post(
        url, {"file": SimpleUploadedFile("l.json", json.dumps(tampered).encode(), content_type="application/json")}
    )
    assert response.status_code == 400 and Transfer.objects.count() == 1
