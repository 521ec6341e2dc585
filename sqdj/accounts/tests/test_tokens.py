"""API tokens: expiry, revocation, listing (security.md R35; `sqdj user token`, docs/cli.md)."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from sqdj.accounts.models import ApiToken
from sqdj.accounts.services import do_issue_token, do_revoke_tokens
from sqdj.testing import build_world

pytestmark = pytest.mark.django_db
API = "/api/v1/orgs/"


@pytest.fixture
def world():
    return build_world()


def _get(key):
    return Client().get(API, HTTP_AUTHORIZATION=f"Token {key}")


def _token(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("user", "token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_token_expires_after_the_configured_days(world, settings):
    settings.SQDJ_API_TOKEN_DAYS = 90
    key = do_issue_token(world.admin1)
    token = ApiToken.objects.get(prefix=key[:8])
    assert abs(token.expires_at - (timezone.now() + datetime.timedelta(days=90))) < datetime.timedelta(minutes=1)
    assert _get(key).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    r = _get(key)
    assert r.status_code == 401
    assert "已过期" in r.json()["detail"]


def test_revoked_token_is_refused(world):
    key = do_issue_token(world.admin1)
    keep = do_issue_token(world.admin1)
    assert do_revoke_tokens(world.admin1, prefix=key[:8]) == 1
    r = _get(key)
    assert r.status_code == 401 and "吊销" in r.json()["detail"]
    assert _get(keep).status_code == 200
    assert ApiToken.objects.filter(prefix=key[:8], revoked_at__isnull=False).exists()  # kept, marked


def test_cli_issues_with_days_and_name_and_prints_only_the_key(world):
    out, _ = _token("admin1", "--days", "7", "--name", "报表脚本")
    key = out.strip()
    assert len(out.splitlines()) == 1 and len(key) == 40
    token = ApiToken.objects.get(key_hash=ApiToken.hash(key))
    assert token.name == "报表脚本"
    assert datetime.timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= datetime.timedelta(days=7)
    assert _get(key).status_code == 200


def test_cli_expires_option_of_the_contract(world):
    day = timezone.localdate() + datetime.timedelta(days=3)
    key = _token("admin1", "--expires", day.isoformat())[0].strip()
    token = ApiToken.objects.get(key_hash=ApiToken.hash(key))
    assert timezone.localtime(token.expires_at).date() == day + datetime.timedelta(days=1)  # the end of that day
    with pytest.raises(CommandError) as exc:
        _token("admin1", "--expires", "2001-01-01")
    assert exc.value.returncode == 1
    with pytest.raises(CommandError) as exc:
        _token("admin1", "--expires", "soon")
    assert exc.value.returncode == 2
    with pytest.raises(CommandError):
        _token("admin1", "--days", "0")


def test_cli_list_text_and_json(world):
    a = _token("admin1", "--name", "甲")[0].strip()
    b = _token("admin1")[0].strip()
    c = _token("admin1")[0].strip()
    do_revoke_tokens(world.admin1, prefix=b[:8])
    ApiToken.objects.filter(prefix=c[:8]).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    _get(a)
    out, _ = _token("admin1", "--list", "--json")
    data = json.loads(out)
    assert data["ok"] and data["user"] == "admin1"
    rows = {r["prefix"]: r for r in data["tokens"]}
    assert {p: r["state"] for p, r in rows.items()} == {a[:8]: "active", b[:8]: "revoked", c[:8]: "expired"}
    assert rows[a[:8]]["name"] == "甲" and rows[a[:8]]["last_used"] and rows[b[:8]]["last_used"] is None
    assert set(rows[a[:8]]) == {"prefix", "name", "created", "expires", "last_used", "state"}
    assert all(a not in out for a in (a, b, c))  # keys are never shown again
    text, _ = _token("admin1", "--list")
    assert len(text.splitlines()) == 3
    assert "有效" in text and "已吊销" in text and "已过期" in text


def test_cli_revoke_one_or_all(world):
    a = _token("admin1")[0].strip()
    b = _token("admin1")[0].strip()
    other = do_issue_token(world.viewer1)
    _token("admin1", "--revoke", a[:8])
    assert _get(a).status_code == 401 and _get(b).status_code == 200
    with pytest.raises(CommandError) as exc:
        _token("admin1", "--revoke", a[:8])  # no live token with that prefix any more
    assert exc.value.returncode == 1
    out, _ = _token("admin1", "--revoke", "--json")  # the contract's bare --revoke: all the user's tokens
    assert json.loads(out) == {"ok": True, "user": "admin1", "revoked": 1}
    assert _get(b).status_code == 401
    assert _get(other).status_code == 200


def test_cli_unknown_user(world):
    with pytest.raises(CommandError) as exc:
        _token("nobody-here", "--list")
    assert exc.value.returncode == 1
