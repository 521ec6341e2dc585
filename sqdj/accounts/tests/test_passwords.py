"""Password policy, the change page and forced changes (security.md R1, R5, R35)."""

import datetime
import io

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sqdj.accounts.models import User
from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.demo.accounts import DEMO_PASSWORD
from sqdj.testing import PASSWORD, build_world

pytestmark = pytest.mark.django_db
API = "/api/v1/orgs/"
PAGE = "/account/password/"
NEW = "Lotus-Harbor-7391"


@pytest.fixture
def world():
    return build_world()


def _user(**fields):
    return User(username="zhangwei", display_name="张伟", **fields)


@pytest.mark.parametrize(
    "password, code",
    [
        ("Ab1-short", "password_too_short"),  # < 12
        ("dangjian2026", "password_too_simple"),  # two classes
        ("Dangjian-2026!", "password_context_word"),  # long, four classes, but the obvious word
        ("My-Sqdj-Pass-99", "password_context_word"),
        ("Party-Member-2026", "password_context_word"),
        ("abcdefghijkl", "password_too_simple"),  # one class
        ("abcdefgh1234", "password_too_simple"),  # two classes
        ("Zhangwei-2026!", "password_context_word"),  # the user name
        ("Qwerty123456!", "password_common_core"),  # a common password with digits tacked on
        ("Password@2026", "password_common_core"),
        ("123456789012", "password_entirely_numeric"),
    ],
)
def test_rejected(password, code):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, _user())
    assert code in {e.code for e in exc.value.error_list}, exc.value.messages


@pytest.mark.parametrize("password", ["Lotus-Harbor-7391", "river STONE 4 tea", "Tea&Mountain&Cloud", "mOOn7rIvEr5x"])
def test_accepted(password):
    validate_password(password, _user())


def test_messages_are_chinese():
    with pytest.raises(ValidationError) as exc:
        validate_password("dangjian2026", _user())
    text = "".join(exc.value.messages)
    assert "至少" in text and "dangjian" in text


def test_privileged_users_need_15_characters(world):
    assert len("Lotus-Harbor-73") == 15
    validate_password("Lotus-Harbor-7", world.admin1)  # 14: fine for a community administrator
    boss = do_create_user("boss", password=PASSWORD, validate=False)
    do_grant_role(boss, role="district_admin", org=world.district)
    with pytest.raises(ValidationError) as exc:
        validate_password("Lotus-Harbor-7", boss)
    assert "password_too_short_privileged" in {e.code for e in exc.value.error_list}
    validate_password("Lotus-Harbor-73", boss)
    with pytest.raises(ValidationError):
        validate_password("Lotus-Harbor-7", User(username="sec", duty="security_admin"))


def test_demo_password_is_outside_the_policy_but_demo_accounts_are_not_forced():
    # "sqdj" is a context word; the demo accounts are created without validation and never forced to change
    with pytest.raises(ValidationError):
        validate_password(DEMO_PASSWORD, User(username="sq_admin"))


def _signed_in(username, password=PASSWORD):
    c = Client()
    r = c.post(reverse("login"), {"username": username, "password": password})
    assert r.status_code == 302, r.content
    return c


def _change(c, old=PASSWORD, new=NEW, **extra):
    return c.post(PAGE, {"old_password": old, "new_password1": new, "new_password2": new, **extra})


def test_change_password_rotates_session_and_keeps_user_signed_in(world):
    User.objects.filter(pk=world.admin1.pk).update(must_change_password=True)
    c = _signed_in("admin1")
    other = _signed_in("admin1")  # a second browser
    old_key = c.session.session_key
    r = _change(c, next="/orgs/")
    assert r.status_code == 302 and r["Location"] == "/orgs/"
    assert c.session.session_key != old_key and not SessionStore().exists(old_key)
    assert c.get(API).status_code == 200  # still signed in
    assert other.get(API).status_code == 401  # the other session ended with the old password
    user = User.objects.get(pk=world.admin1.pk)
    assert user.check_password(NEW) and not user.must_change_password
    assert timezone.now() - user.password_changed_at < datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("wrong-old-password", NEW, "old_password"),
        (PASSWORD, "dangjian2026", "new_password2"),
        (PASSWORD, PASSWORD, "new_password2"),  # unchanged
    ],
)
def test_change_password_rejects(world, old, new, field):
    c = _signed_in("admin1")
    r = _change(c, old=old, new=new)
    assert r.status_code == 400
    assert r.context["form"].errors[field]
    assert User.objects.get(pk=world.admin1.pk).check_password(PASSWORD)


def test_forced_change_blocks_every_page_until_done(world):
    User.objects.filter(pk=world.admin1.pk).update(must_change_password=True)
    c = _signed_in("admin1")
    for url in ("/", "/orgs/", "/orgs/?q=x"):
        r = c.get(url)
        assert r.status_code == 302 and r["Location"].startswith(PAGE + "?next="), url
    assert c.get("/orgs/", HTTP_HX_REQUEST="true")["HX-Redirect"] == PAGE
    r = c.get(API)
    assert r.status_code == 403 and r.json()["code"] == "password_change"
    assert c.get(PAGE).status_code == 200
    assert "管理员" in c.get(PAGE).content.decode()
    r = c.post(reverse("logout"))  # sign-out stays open
    assert r.status_code == 302
    c = _signed_in("admin1")
    assert _change(c).status_code == 302
    assert c.get(API).status_code == 200


def test_expired_password_forces_the_change(world, settings):
    settings.SQDJ_PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=world.admin1.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=91))
    c = _signed_in("admin1")
    assert c.get("/orgs/")["Location"].startswith(PAGE)
    assert "已过期" in c.get(PAGE).content.decode()
    settings.SQDJ_PASSWORD_MAX_AGE_DAYS = 0  # off
    assert c.get(API).status_code == 200
    settings.SQDJ_PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=world.admin1.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=89))
    assert c.get(API).status_code == 200


def test_issued_password_must_be_changed(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Lotus-Harbor-7391\n"))
    call_command("user", "add", "wang", "--role", "viewer", "--org", "SQT1", "--password-stdin", stderr=io.StringIO())
    assert User.objects.get(username="wang").must_change_password
    c = _signed_in("wang", "Lotus-Harbor-7391")
    assert c.get("/orgs/")["Location"].startswith(PAGE)


def test_administrator_reset_sets_password_and_forces_change(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Cedar-Window-5820\n"))
    call_command("user", "password", "admin1", "--password-stdin", stderr=io.StringIO())
    user = User.objects.get(pk=world.admin1.pk)
    assert user.check_password("Cedar-Window-5820") and user.must_change_password
    monkeypatch.setattr("sys.stdin", io.StringIO("dangjian2026\n"))
    with pytest.raises(CommandError) as exc:
        call_command("user", "password", "admin1", "--password-stdin")
    assert exc.value.returncode == 1
    with pytest.raises(CommandError) as exc:
        call_command("user", "password", "nobody-at-all", "--password-stdin")
    assert exc.value.returncode == 1


def test_user_menu_links_to_the_page(world):
    c = _signed_in("admin1")
    assert f'href="{PAGE}"' in c.get(PAGE).content.decode()
