"""Sign-in throttling per username and per address (security.md R2) and rate limits (R34)."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from sqdj.accounts.services import do_create_user, do_issue_token
from sqdj.testing import PASSWORD, build_world

pytestmark = pytest.mark.django_db
API = "/api/v1/orgs/"


@pytest.fixture
def world():
    cache.clear()  # the throttles' counters (Django's cache) start empty
    w = build_world()
    for i in range(5):
        do_create_user(f"user{i}", password=PASSWORD, validate=False)
    yield w
    cache.clear()


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_password_spray_from_one_address_locks_the_address(world):
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(20):  # 4 per username: below the per-username limit of 5
        r = _login(attacker, f"user{i % 5}", "wrong-password-x")
    assert r.status_code == 429
    r = _login(attacker, "admin1", PASSWORD)  # correct password, an account not tried before
    assert r.status_code == 429
    assert "_auth_user_id" not in attacker.session
    # another address is not affected, not even for the usernames tried
    r = _login(Client(REMOTE_ADDR="198.51.100.9"), "user0", PASSWORD)
    assert r.status_code == 302


def test_below_the_address_limit_the_address_still_signs_in(world):
    office = Client(REMOTE_ADDR="203.0.113.8")
    for i in range(19):
        _login(office, f"user{i % 5}", "wrong-password-x")
    assert _login(office, "admin1", PASSWORD).status_code == 302


def test_success_does_not_reset_the_address_count(world):
    c = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(16):
        _login(c, f"user{i % 4}", "wrong-password-x")
    assert _login(Client(REMOTE_ADDR="203.0.113.9"), "viewer1", PASSWORD).status_code == 302
    for _ in range(4):
        _login(c, "user4", "wrong-password-x")
    assert _login(Client(REMOTE_ADDR="203.0.113.9"), "admin1", PASSWORD).status_code == 429


def test_username_lockout_still_works_from_any_address(world):
    for i in range(5):
        r = _login(Client(REMOTE_ADDR=f"192.0.2.{i + 1}"), "admin1", "wrong-password-x")
    assert r.status_code == 429
    assert _login(Client(REMOTE_ADDR="192.0.2.99"), "admin1", PASSWORD).status_code == 429
    assert _login(Client(REMOTE_ADDR="192.0.2.99"), "viewer1", PASSWORD).status_code == 302


def test_forwarded_header_is_ignored_unless_configured(world, settings):
    # without a configured proxy header a client cannot pick its address: X-Forwarded-For is ignored
    for i in range(20):
        _login(Client(REMOTE_ADDR="203.0.113.10", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}"), f"user{i % 5}", "wrong-x")
    assert _login(Client(REMOTE_ADDR="203.0.113.10"), "admin1", PASSWORD).status_code == 429
    settings.SQDJ_PROXY_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = "10.9.9.9"  # every request arrives from the proxy; the client is the right-most forwarded address
    for i in range(20):
        _login(Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, 198.51.100.{i % 2}"), f"user{i % 5}", "x")
    assert (
        _login(Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.77"), "admin1", PASSWORD).status_code
        == 302
    )


@override_settings(SQDJ_API_RATE="120/min")
def test_api_121st_call_is_refused(world):
    key = do_issue_token(world.admin1)
    c = Client()
    for _ in range(120):
        assert c.get(API, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    r = c.get(API, HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 429
    assert int(r["Retry-After"]) > 0
    assert "限流" in r.json()["detail"] or "秒" in r.json()["detail"]
    # per user: another user's calls still go through
    assert Client().get(API, HTTP_AUTHORIZATION=f"Token {do_issue_token(world.viewer1)}").status_code == 200


@override_settings(SQDJ_API_RATE="3/min")
def test_api_rate_counts_session_users_too(world):
    c = Client()
    c.force_login(world.admin1)
    assert [c.get(API).status_code for _ in range(4)] == [200, 200, 200, 429]


@override_settings(SQDJ_EXPORT_RATE="10/hour")
def test_11th_export_in_an_hour_is_refused(world):
    c = Client()
    c.force_login(world.admin1)
    for _ in range(10):
        assert c.get("/orgs/?export=csv").status_code == 200
    r = c.get("/orgs/?export=csv")
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 3600
    assert "每小时最多导出 10 次" in r.content.decode()
    assert c.get("/orgs/").status_code == 200  # the list itself is not an export
    other = Client()
    other.force_login(world.viewer1)
    assert other.get("/orgs/?export=csv").status_code == 200


@override_settings(SQDJ_EXPORT_RATE="1/hour")
def test_export_urls_count_too(world):
    c = Client()
    c.force_login(world.superuser)
    assert c.get("/stats/?export=xlsx").status_code in (200, 400)
    r = c.get(reverse("health:org_health_export", args=[world.street.pk]))
    assert r.status_code == 429
