"""The second factor (security.md R4, R35): who must, the gate, codes single-use and throttled, enrolment, the CLI.

The test settings turn the gate off for the rest of the suite; every test here turns it on."""

from __future__ import annotations

import base64
import datetime
import io
import json
import re
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sqdj.accounts.models import ApiToken, User
from sqdj.accounts.roles import Duty
from sqdj.accounts.services import do_create_user, do_grant_role, do_issue_token
from sqdj.accounts.twofactor import services
from sqdj.core.models import AuditEvent
from sqdj.testing import PASSWORD, build_world

pytestmark = pytest.mark.django_db

VERIFY, SETUP = "/account/2fa/verify/", "/account/2fa/setup/"
# pages and endpoints of several apps a blocked session must not reach
GUARDED = ["/", "/orgs/", "/members/", "/notifications/", "/api/v1/orgs/", "/api/v1/members/"]


@pytest.fixture(autouse=True)
def gate_on(settings):
    settings.SQDJ_OTP_ENFORCED = True
    settings.SQDJ_OTP_FOR_ALL = False
    settings.SQDJ_OTP_REQUIRED_ROLES = ["city_admin", "district_admin", "subdistrict_admin"]


@pytest.fixture
def world():
    return build_world()


def _user(world, name, role=None, org=None):
    user = do_create_user(name, password=PASSWORD, validate=False)
    if role:
        do_grant_role(user, role=role, org=org or world.street, descendants=True)
    return user


def _password_login(user) -> Client:
    """Sign in through the login page, as a person does (the password factor only)."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def code(device, steps=0) -> str:
    """The device's code `steps` time steps from now, as an authenticator app computes it."""
    return f"{totp(device.bin_key, step=device.step, digits=device.digits, drift=steps):06d}"


def _secret(html: str) -> str:
    return re.search(r'id="twofactor-secret"[^>]*>([A-Z2-7 ]+)<', html).group(1)


def _device_of(secret: str) -> TOTPDevice:
    """An unsaved device on the key the page shows (what the authenticator app holds)."""
    return TOTPDevice(key=base64.b32decode(secret.replace(" ", "")).hex())


def _enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    return device


# ---- who must ---------------------------------------------------------------------------------------------------


def test_who_must_use_it(world, settings):
    street_admin = _user(world, "jd", "subdistrict_admin")
    district_admin = _user(world, "qu", "district_admin", world.district)
    auditor = _user(world, "aud")
    auditor.duty = Duty.AUDIT_ADMIN
    auditor.save()
    assert services.otp_required(street_admin) and services.otp_required(district_admin)
    assert services.otp_required(world.superuser) and services.otp_required(auditor)
    assert not services.otp_required(world.admin1)  # community admin
    assert not services.otp_required(world.viewer1) and not services.otp_required(world.nobody)
    assert not services.otp_required(AnonymousUser())
    settings.SQDJ_OTP_REQUIRED_ROLES = ["community_admin"]
    assert services.otp_required(world.admin1) and not services.otp_required(street_admin)
    settings.SQDJ_OTP_FOR_ALL = True
    assert services.otp_required(world.nobody)


# ---- the gate ---------------------------------------------------------------------------------------------------


def test_privileged_user_with_password_only_reaches_nothing_until_verified(world):
    user = _user(world, "jd", "subdistrict_admin")
    device = _enrolled(user)
    client = _password_login(user)
    for url in GUARDED:
        response = client.get(url)
        if url.startswith("/api/"):
            assert response.status_code == 403, url
            assert "detail" in response.json()
        else:
            assert response.status_code == 302, url
            assert response["Location"].startswith(VERIFY), (url, response["Location"])
    # a write too, and an htmx request gets HX-Redirect instead of a page
    assert client.post("/orgs/", {}).status_code == 302
    response = client.get("/orgs/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == VERIFY and not response.content
    # open: the 2FA pages, the other account pages' prefix, static files
    assert client.get(VERIFY).status_code == 200
    assert client.get("/static/sqdj/sqdj.css").status_code == 200

    response = client.post(VERIFY, {"code": code(device), "next": "/orgs/"})
    assert response.status_code == 302 and response["Location"] == "/orgs/"
    for url in GUARDED:
        assert client.get(url).status_code == 200, url


def test_verification_rotates_the_session_key(world):
    user = _user(world, "jd", "subdistrict_admin")
    device = _enrolled(user)
    client = _password_login(user)
    before = client.session.session_key
    client.post(VERIFY, {"code": code(device)})
    assert client.session.session_key != before
    assert client.get("/").status_code == 200


def test_required_user_without_device_is_sent_to_enrolment(world):
    user = _user(world, "qu", "district_admin", world.district)
    client = _password_login(user)
    response = client.get("/members/")
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    assert client.get("/api/v1/members/").status_code == 403
    assert client.get(VERIFY)["Location"] == SETUP  # nothing to verify yet


def test_non_privileged_user_is_not_asked(world):
    client = _password_login(world.admin1)
    for url in GUARDED:
        assert client.get(url).status_code == 200, url


def test_voluntary_enrolment_is_asked_for_too(world):
    _enrolled(world.admin1)
    client = _password_login(world.admin1)
    assert client.get("/")["Location"].startswith(VERIFY)


def test_api_token_is_not_affected(world):
    user = _user(world, "jd", "subdistrict_admin")
    _enrolled(user)
    key = do_issue_token(user)
    client = Client()
    response = client.get("/api/v1/orgs/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    # a session of that user plus a token header: the token decides (a bad token is 401, never the session)
    session = _password_login(user)
    assert session.get("/api/v1/orgs/", headers={"Authorization": f"Token {key}"}).status_code == 200
    assert session.get("/api/v1/orgs/", headers={"Authorization": "Token wrong"}).status_code == 401
    assert session.get("/api/v1/orgs/", headers={"Authorization": "Bearer x"}).status_code == 403
    assert ApiToken.objects.filter(user=user).count() == 1


# ---- codes ------------------------------------------------------------------------------------------------------


def test_wrong_code_refused(world):
    user = _user(world, "jd", "subdistrict_admin")
    device = _enrolled(user)
    client = _password_login(user)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200 and response.context["form"].errors
    assert client.get("/")["Location"].startswith(VERIFY)
    assert AuditEvent.objects.filter(event="otp_failed", user_id=user.pk, outcome="failed").count() == 1


def test_replayed_code_refused(world):
    user = _user(world, "jd", "subdistrict_admin")
    device = _enrolled(user)
    now = code(device)
    first = _password_login(user)
    assert first.post(VERIFY, {"code": now})["Location"] == "/"
    # the same code, seconds later, in another session (an eavesdropper): refused, the session stays blocked
    second = _password_login(user)
    response = second.post(VERIFY, {"code": now})
    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert second.get("/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # it was compared, and refused: its time step is used up
    # the next time step's code works (tolerance one step for clock drift), once the 1 s wait has passed
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=10)
    )
    assert second.post(VERIFY, {"code": code(device, 1)}).status_code == 302
    assert second.get("/").status_code == 200


def test_wrong_codes_are_throttled(world):
    user = _user(world, "jd", "subdistrict_admin")
    device = _enrolled(user)
    client = _password_login(user)
    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    client.post(VERIFY, {"code": wrong})
    time.sleep(1.1)  # past the 1 s wait after one failure
    client.post(VERIFY, {"code": wrong})
    device.refresh_from_db()
    assert device.throttling_failure_count == 2  # the next try waits 2 s
    # even the right code is not checked while the wait runs
    response = client.post(VERIFY, {"code": code(device)})
    assert response.context["form"].errors["code"]
    assert client.get("/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 2  # not compared at all
    refused = AuditEvent.objects.filter(event="otp_failed", user_id=user.pk, outcome="refused")
    assert refused.count() == 1 and refused.get().detail["throttled"]
    # as if the wait had passed
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=10)
    )
    assert client.post(VERIFY, {"code": code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_recovery_code_works_once(world):
    user = _user(world, "jd", "subdistrict_admin")
    _enrolled(user)
    codes = services.regenerate_recovery_codes(user)
    assert len(codes) == 10 == len(set(codes))
    client = _password_login(user)
    response = client.post(VERIFY, {"code": services.format_code(codes[0]).upper()})  # as printed, any case
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9
    again = _password_login(user)
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert again.get("/").status_code == 302


# ---- enrolment, change, removal ---------------------------------------------------------------------------------


def test_enrolment_flow(world):
    user = _user(world, "qu", "district_admin", world.district)
    client = _password_login(user)
    response = client.get(SETUP)
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html and "http" not in html.split("<svg", 1)[1].split("</svg>")[0]
    secret = _secret(html)
    assert not TOTPDevice.objects.filter(user=user).exists()  # showing the page writes nothing
    pending = _device_of(secret)
    assert client.get(SETUP).content.decode().count(secret) == 1  # the same key until confirmed
    wrong = f"{(int(code(pending)) + 1) % 1_000_000:06d}"
    assert client.post(SETUP, {"code": wrong}).status_code == 200
    assert not TOTPDevice.objects.filter(user=user).exists()

    response = client.post(SETUP, {"code": code(pending)})
    assert response.status_code == 200
    shown = response.context["codes"]
    assert len(shown) == 10
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert {c.replace("-", "") for c in shown} == stored
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.key == pending.key
    assert client.get("/").status_code == 200  # the enrolling session is verified
    # the code that confirmed the device is used up: it does not sign in another session
    assert _password_login(user).post(VERIFY, {"code": code(pending)}).status_code == 200
    assert AuditEvent.objects.filter(event="otp_enrolled", user_id=user.pk).count() == 2  # device, recovery codes


def test_changing_the_device_needs_the_current_password(world):
    user = _user(world, "jd", "subdistrict_admin")
    old = _enrolled(user)
    client = _password_login(user)
    assert client.get(SETUP)["Location"].startswith(VERIFY)  # not before the second factor
    client.post(VERIFY, {"code": code(old)})
    new = _device_of(_secret(client.get(SETUP).content.decode()))
    response = client.post(SETUP, {"code": code(new), "password": "wrong"})
    assert response.status_code == 200 and "password" in response.context["form"].errors
    assert TOTPDevice.objects.filter(user=user, confirmed=True).get() == old
    response = client.post(SETUP, {"code": code(new), "password": PASSWORD})
    assert len(response.context["codes"]) == 10
    assert list(TOTPDevice.objects.filter(user=user).values_list("key", flat=True)) == [new.key]


def test_recovery_codes_regenerated_with_password(world):
    user = _user(world, "jd", "subdistrict_admin")
    device = _enrolled(user)
    old = services.regenerate_recovery_codes(user)
    client = _password_login(user)
    client.post(VERIFY, {"code": code(device)})
    assert client.post("/account/2fa/recovery/", {"password": "wrong"}).status_code == 200
    assert StaticToken.objects.filter(device__user=user, token=old[0]).exists()
    response = client.post("/account/2fa/recovery/", {"password": PASSWORD})
    assert len(response.context["codes"]) == 10
    assert not StaticToken.objects.filter(device__user=user, token__in=old).exists()


def test_removal_needs_password_and_is_refused_to_required_users(world):
    device = _enrolled(world.admin1)
    client = _password_login(world.admin1)
    client.post(VERIFY, {"code": code(device)})
    client.post("/account/2fa/remove/", {"password": "wrong"})
    assert TOTPDevice.objects.filter(user=world.admin1).exists()
    assert client.post("/account/2fa/remove/", {"password": PASSWORD}).status_code == 302
    assert not TOTPDevice.objects.filter(user=world.admin1).exists()
    assert AuditEvent.objects.filter(event="otp_removed", object_id=str(world.admin1.pk)).count() == 1
    assert _password_login(world.admin1).get("/").status_code == 200  # no code asked any more

    required = _user(world, "jd", "subdistrict_admin")
    device = _enrolled(required)
    client = _password_login(required)
    client.post(VERIFY, {"code": code(device)})
    client.post("/account/2fa/remove/", {"password": PASSWORD})
    assert TOTPDevice.objects.filter(user=required).exists()


def test_overview_page(world):
    client = _password_login(world.admin1)
    response = client.get("/account/2fa/")
    assert response.status_code == 200 and not response.context["status"]["enrolled"]


def test_next_is_kept_and_foreign_hosts_are_not_followed(world):
    user = _user(world, "jd", "subdistrict_admin")
    device = _enrolled(user)
    client = _password_login(user)
    assert client.get("/members/?q=1")["Location"] == VERIFY + "?next=%2Fmembers%2F%3Fq%3D1"
    assert client.post(VERIFY, {"code": code(device), "next": "https://evil.example/"})["Location"] == "/"


# ---- the CLI, the demo, the check -------------------------------------------------------------------------------


def test_cli_status_and_reset(world):
    user = _user(world, "jd", "subdistrict_admin")
    _enrolled(user)
    services.regenerate_recovery_codes(user)
    out = io.StringIO()
    call_command("otp", "status", "jd", "--json", stdout=out)
    status = json.loads(out.getvalue())
    assert status["ok"] and status["required"] and status["enrolled"] and status["recovery_codes_left"] == 10
    call_command("otp", "reset", "jd", stdout=io.StringIO())
    assert not TOTPDevice.objects.filter(user=user).exists() and not StaticDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(event="otp_removed", object_id=str(user.pk), user_id=None).count() == 1
    assert _password_login(user).get("/")["Location"].startswith(SETUP)
    with pytest.raises(CommandError) as exc:
        call_command("otp", "status", "nosuch", stdout=io.StringIO())
    assert exc.value.returncode == 1


def test_demo_devices_and_demo_code(world):
    user = _user(world, "jd", "subdistrict_admin")
    assert services.enrol_demo_device(user)
    device = services.confirmed_device(user)
    assert services.secret_of(device) == services.DEMO_SECRET
    out = io.StringIO()
    call_command("otp", "code", "jd", stdout=out)
    client = _password_login(user)
    assert client.post(VERIFY, {"code": out.getvalue().strip()}).status_code == 302
    # a real device's code is never printed
    _enrolled(world.admin1)
    with pytest.raises(CommandError):
        call_command("otp", "code", "admin1", stdout=io.StringIO())


def test_demo_command_enrols_the_required_demo_accounts():
    from sqdj.demo.accounts import enrol_demo_second_factor, ensure_demo_users
    from sqdj.demo.synthetic import generate

    generate("small")
    ensure_demo_users()
    assert enrol_demo_second_factor() == ["sysadmin", "qu_admin", "jd_admin"]
    for name in ("sysadmin", "qu_admin", "jd_admin"):
        assert services.is_demo_device(services.confirmed_device(User.objects.get(username=name)))
    assert not TOTPDevice.objects.filter(user__username="sq_admin").exists()


def test_production_cannot_run_without_the_gate(settings):
    settings.DEBUG, settings.SQDJ_HTTPS, settings.SQDJ_OTP_ENFORCED = False, True, False
    assert "sqdj.twofactor.E001" in {m.id for m in run_checks()}
    settings.SQDJ_OTP_ENFORCED = True
    assert "sqdj.twofactor.E001" not in {m.id for m in run_checks()}


def test_the_gate_costs_an_ordinary_user_no_query_per_request(world, settings):
    """An ordinary user (most of them) passes the gate with what the request reads anyway: the query baselines of
    tests/test_query_counts.py, taken with the gate off, hold with it on."""
    user = _user(world, "putong", role="community_admin", org=world.community1)
    client = _password_login(user)
    url = reverse("members:member_list")
    client.get(url)  # the session's first request notes that the user has no device
    with CaptureQueriesContext(connection) as on:
        assert client.get(url).status_code == 200
    settings.SQDJ_OTP_ENFORCED = False
    with CaptureQueriesContext(connection) as off:
        assert client.get(url).status_code == 200
    assert len(on) == len(off), [q["sql"] for q in on.captured_queries]
