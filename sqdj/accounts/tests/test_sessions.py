"""Session ends (security.md R2, R35): idle 30 min (privileged 15), absolute 12 h, flushed server-side.

Time moves by rewriting the stamps stored in the session, not by sleeping."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from sqdj.accounts.middleware import LOGIN_AT, SEEN_AT
from sqdj.accounts.models import User
from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.testing import PASSWORD, build_world

pytestmark = pytest.mark.django_db
API = "/api/v1/orgs/"  # a JSON endpoint that answers a signed-in session (no page template involved)


@pytest.fixture
def world():
    return build_world()


def _signed_in(username):
    c = Client()
    r = c.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.content
    return c


def _age(c, *, idle_minutes=0.0, since_login_hours=0.0):
    s = c.session
    s[SEEN_AT] -= idle_minutes * 60
    s[LOGIN_AT] -= since_login_hours * 3600
    s.save()
    return s.session_key


def _assert_signed_out(c, old_key):
    r = c.get(API)
    assert r.status_code == 401
    assert r.json()["code"] == "session_expired"
    assert not SessionStore().exists(old_key)  # flushed server-side, not only forgotten by the browser
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert replay.get(API).status_code in (401, 403)
    r = replay.get("/orgs/")
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_ordinary_user_idle_limit_is_30_minutes(world):
    c = _signed_in("admin1")
    _age(c, idle_minutes=29)
    assert c.get(API).status_code == 200
    key = _age(c, idle_minutes=31)
    _assert_signed_out(c, key)


@pytest.mark.parametrize("how", ["district_admin", "city_admin", "duty", "superuser"])
def test_privileged_user_idle_limit_is_15_minutes(world, how):
    user = do_create_user("boss", password=PASSWORD, validate=False)
    if how == "duty":
        User.objects.filter(pk=user.pk).update(duty="security_admin")
    elif how == "superuser":
        User.objects.filter(pk=user.pk).update(is_superuser=True)
    else:
        do_grant_role(user, role=how, org=world.district)
    c = _signed_in("boss")
    key = _age(c, idle_minutes=14)
    r = c.get(API)
    assert r.status_code in (200, 403)  # a duty holder sees no business data; the session itself is alive
    assert r.json().get("code") != "session_expired"
    key = _age(c, idle_minutes=16)
    _assert_signed_out(c, key)


def test_absolute_limit_12_hours_even_when_active(world):
    c = _signed_in("admin1")
    _age(c, since_login_hours=11.9)
    assert c.get(API).status_code == 200
    key = _age(c, since_login_hours=0.2)  # 12.1 h since sign-in, active a moment ago
    _assert_signed_out(c, key)


def test_page_request_redirects_to_login_with_message(world):
    c = _signed_in("admin1")
    _age(c, idle_minutes=45)
    r = c.get("/orgs/?q=1")
    assert r.status_code == 302
    assert r["Location"] == f"{reverse('login')}?next=/orgs/%3Fq%3D1"
    r = c.get(r["Location"])
    assert "分钟未操作，已自动退出" in r.content.decode()


def test_htmx_request_gets_hx_redirect(world):
    c = _signed_in("admin1")
    _age(c, idle_minutes=45)
    r = c.get("/orgs/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r["HX-Redirect"] == reverse("login")


def test_activity_is_written_at_most_once_a_minute(world):
    c = _signed_in("admin1")
    s = c.session
    s[SEEN_AT] -= 30
    s.save()
    before = c.session[SEEN_AT]
    assert c.get(API).status_code == 200
    assert c.session[SEEN_AT] == before  # 30 s ago: not rewritten
    _age(c, idle_minutes=5)
    before = c.session[SEEN_AT]
    assert c.get(API).status_code == 200
    assert c.session[SEEN_AT] > before + 4 * 60  # refreshed: the idle clock starts again
    _age(c, idle_minutes=29)
    assert c.get(API).status_code == 200


def test_limits_are_settings(world, settings):
    settings.SQDJ_SESSION_IDLE_MINUTES = 5
    c = _signed_in("admin1")
    key = _age(c, idle_minutes=6)
    _assert_signed_out(c, key)


def test_token_requests_are_not_session_bound(world):
    from sqdj.accounts.services import do_issue_token

    key = do_issue_token(world.admin1)
    c = _signed_in("admin1")
    _age(c, idle_minutes=45)
    # the token is its own credential: an old session cookie beside it neither blocks nor is needed
    assert c.get(API, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
