"""`sqdj check --json` and /api/v1/checks/ give the object of interfaces.md §4, the same one, within scope."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase

from sqdj.leadership.tests.test_checks import add_members
from sqdj.testing import build_world
from sqdj.testing.api import ScopedReportAPITests, api_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/checks/"
ON = "2026-06-30"


@pytest.fixture
def world():
    w = build_world()
    add_members(w.branch1, 51)  # org.branch_size + org.may_become_general_branch + committee composition on ZBT1
    add_members(w.branch2, 3)
    w.branch2.term_started_on = datetime.date(2021, 7, 1)  # community branch: ends 2026-06-30, reminder now
    w.branch2.save()
    return w


def check(*args):
    out = io.StringIO()
    call_command("check", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


class ChecksAPIScopeTests(ScopedReportAPITests, TestCase):
    """Anonymous 401, no role 403, out of scope 404, in scope 200 (the shared world)."""

    url_name = "api:checks"


def test_json_is_the_findings_object(world):
    text = check("--org", "GWT01001", "--as-of", ON, "--json")
    assert text.count("\n") == 1 and "\\u" not in text  # one line, Chinese as such
    data = json.loads(text)
    assert data["org"] == {"code": "GWT01001", "name": "中共测试街道工作委员会"}
    assert data["as_of"] == ON
    assert data["summary"] == {"error": 1, "warning": 1, "reminder": 2}
    for f in data["findings"]:
        assert set(f) == {"rule", "severity", "object", "message", "source", "action"}
        assert set(f["object"]) == {"type", "code"} and f["message"] and f["action"]
    got = [(f["rule"], f["severity"], f["object"]["type"], f["object"]["code"]) for f in data["findings"]]
    assert got == [  # errors first, then warnings, then reminders
        ("org.committee_composition", "error", "org", "ZBT1"),
        ("org.branch_size", "warning", "org", "ZBT1"),
        ("org.may_become_general_branch", "reminder", "org", "ZBT1"),
        ("org.term_expiring", "reminder", "org", "ZBT2"),
    ]
    size = data["findings"][1]
    assert (
        size["message"] == "党支部有51名党员，超过一般不超过的50名"
        and size["source"] == "中国共产党支部工作条例（试行）第四条"
    )


def test_cli_equals_api_and_respects_scope(world):
    for code in ("SQT1", "ZBT1"):
        cli = json.loads(check("--org", code, "--as-of", ON, "--json", "--user", "admin1"))
        assert api_client(world.admin1).get(URL, {"org": code, "as_of": ON}).json() == cli
    seen = json.loads(check("--org", "SQT1", "--as-of", ON, "--json", "--user", "admin1"))
    assert {f["object"]["code"] for f in seen["findings"]} == {"ZBT1"}


def test_readable_output(world):
    text = check("--org", "ZBT1", "--as-of", ON)
    assert text.startswith("中共甲社区第一党支部（ZBT1） 2026-06-30")
    assert "[警告] org.branch_size" in text and "依据" in text and "建议" in text


def test_cli_errors(world):
    with pytest.raises(CommandError) as e:
        check("--org", "NOPE", "--json")
    assert e.value.returncode == 1 and "NOPE" in str(e.value)
    with pytest.raises(CommandError) as e:
        check("--org", "SQT2", "--user", "admin1")  # outside the user's scope: like an unknown code
    assert e.value.returncode == 1
    with pytest.raises(CommandError) as e:
        check("--org", "ZBT1", "--as-of", "2026-02-30")
    assert e.value.returncode == 2


def test_without_org_it_is_the_system_check(world):
    out = io.StringIO()
    call_command("check", stdout=out)
    assert "System check identified no issues" in out.getvalue()


def test_api_errors(world):
    c = api_client(world.admin1)
    assert c.get(URL).status_code == 400 and "org" in c.get(URL).json()
    assert c.get(URL, {"org": "ZBT1", "as_of": "soon"}).status_code == 400
    for code in ("SQT2", "ZBT2", "DWT01", "NOPE"):
        r = c.get(URL, {"org": code})
        assert r.status_code == 404 and r.json() == {"detail": "未找到。"}


def test_default_date_is_today(world):
    r = api_client(world.superuser).get(URL, {"org": "DWT01"})
    assert r.status_code == 200 and r.json()["as_of"] == datetime.date.today().isoformat()
