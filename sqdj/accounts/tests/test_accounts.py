import io

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from sqdj import settings as prod
from sqdj.accounts.models import ApiToken, RoleAssignment, User
from sqdj.testing import PASSWORD, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_production_hashing_is_argon2():
    assert prod.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")

    assert make_password("x" * 12, hasher="argon2").startswith("argon2$argon2id$")


def test_user_add_with_password_from_stdin(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("A-Strong-Pass-2026\n"))
    call_command(
        "user",
        "add",
        "wang",
        "--role",
        "community_admin",
        "--org",
        "SQT1",
        "--descendants",
        "--password-stdin",
        stderr=io.StringIO(),
    )
    u = User.objects.get(username="wang")
    assert u.check_password("A-Strong-Pass-2026")
    a = RoleAssignment.objects.get(user=u)
    assert (a.role, a.org.code, a.descendants) == ("community_admin", "SQT1", True)


def test_user_add_rejects_weak_password_unknown_org_and_role(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError) as exc:
        call_command("user", "add", "li", "--role", "viewer", "--org", "SQT1", "--password-stdin")
    assert exc.value.returncode == 1
    with pytest.raises(CommandError) as exc:
        call_command("user", "add", "li", "--role", "viewer", "--org", "NOPE")
    assert exc.value.returncode == 1
    with pytest.raises(CommandError):
        call_command("user", "add", "li", "--role", "king", "--org", "SQT1")
    assert not User.objects.filter(username="li").exists()


def test_user_grant_adds_a_second_assignment(world):
    call_command("user", "grant", "admin1", "--role", "viewer", "--org", "SQT2", stderr=io.StringIO())
    assert RoleAssignment.objects.filter(user=world.admin1).count() == 2


def test_token_is_the_only_stdout_line_and_stored_hashed(world):
    out = io.StringIO()
    call_command("user", "token", "admin1", stdout=out)
    key = out.getvalue().strip()
    assert len(out.getvalue().strip().splitlines()) == 1 and len(key) == 40
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert ApiToken.objects.filter(key_hash=ApiToken.hash(key), user=world.admin1).exists()
    r = Client().get("/api/v1/orgs/", HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 200
    assert {o["code"] for o in r.json()["results"]} == {"SQT1", "ZBT1", "XZT1"}
    assert Client().get("/api/v1/orgs/", HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_login_and_logout(world):
    c = Client()
    r = c.post(reverse("login"), {"username": "admin1", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("home")
    assert c.get(reverse("home")).status_code == 200
    c.post(reverse("logout"))
    assert c.get(reverse("home")).status_code == 302


def test_lockout_after_repeated_failures(world):
    c = Client()
    for i in range(1, settings.AXES_FAILURE_LIMIT + 1):
        r = c.post(reverse("login"), {"username": "admin1", "password": "wrong-password"})
        assert r.status_code == (429 if i == settings.AXES_FAILURE_LIMIT else 200)
    r = c.post(reverse("login"), {"username": "admin1", "password": PASSWORD})  # even the right password
    assert r.status_code == 429
    assert c.get(reverse("home")).status_code == 302
    # another user from the same address is not locked
    r = Client().post(reverse("login"), {"username": "viewer1", "password": PASSWORD})
    assert r.status_code == 302


def test_anonymous_pages_redirect_to_login():
    c = Client()
    for url in ("/", "/orgs/", "/orgs/tree/", "/areas/", "/orgs/import/"):
        r = c.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login")), url
