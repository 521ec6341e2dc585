"""Schemathesis with 2 concurrent workers against a real server (issue 12: on SQLite it found 500s, "database is
locked"). tests/api/test_schemathesis.py checks the API against its schema through the WSGI app, inside one
transaction; here the demo city is committed, a threaded live server on 127.0.0.1 opens a database connection per
request, and the schemathesis CLI sends requests from 2 workers at once as the superuser, whose writes succeed — so
writes of two requests meet in the database. The check: no server error (5xx, a 503 for a busy database included).

Kept small for the suite's time budget (the fuzzing phase, 3 examples per operation: some 200 requests, 15–20 s);
SQDJ_SCHEMATHESIS_EXAMPLES raises it. With deferred transactions (before issue 12) a run like this one found
"database is locked" on PATCH members and DELETE orgs about every other time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from sqdj.accounts.models import User
from sqdj.accounts.services import do_issue_token
from sqdj.areas.models import Area
from sqdj.demo.mobility import generate_mobility
from sqdj.demo.synthetic import generate
from sqdj.members.models import Member
from sqdj.orgs.models import Org
from sqdj.transfers.models import Inflow, Outflow, Transfer

ST = str(Path(sys.executable).with_name("st"))
HOST = "127.0.0.1"
EXAMPLES = os.environ.get("SQDJ_SCHEMATHESIS_EXAMPLES", "3")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def live_server_127(transactional_db):
    """A threaded live server on 127.0.0.1 only (pytest-django's default, `localhost`, may resolve to ::1)."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(HOST)
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_two_workers_get_no_server_error(live_server_127, tmp_path):
    generate("small")
    generate_mobility()  # transfer cases in every state, outflows, inflows
    root = User.objects.create_superuser("st_root", password="St-Root-Password-2026")
    token = do_issue_token(root)
    schema = OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    (tmp_path / "openapi.json").write_bytes(schema)
    models = {
        "orgs": Org,
        "areas": Area,
        "members": Member,
        "transfers": Transfer,
        "outflows": Outflow,
        "inflows": Inflow,
    }
    ids = {kind: sorted(model.objects.values_list("pk", flat=True)) for kind, model in models.items()}
    (tmp_path / "ids.json").write_text(json.dumps(ids))
    url = live_server_127.url
    assert urlsplit(url).hostname == HOST, url
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.schemathesis_hooks",
        "SQDJ_SCHEMATHESIS_IDS": str(tmp_path / "ids.json"),
        "PYTHONPATH": str(ROOT),
        "NO_PROXY": "*",  # straight to the loopback server, whatever proxy the environment names
        "no_proxy": "*",
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env.pop(name, None)
    cmd = [
        ST,
        "run",
        str(tmp_path / "openapi.json"),
        "--url",
        url,
        "--workers",
        "2",
        "--header",
        f"Authorization: Token {token}",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        EXAMPLES,
        "--phases",
        "fuzzing",  # the coverage phase's hundreds of boundary cases per operation are tests/api's business
        "--generation-deterministic",  # the same cases every run (and no example database)
        "--no-shrink",
        "--request-timeout",
        "60",
        "--no-color",
    ]
    r = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-3000:]
    summary = r.stdout[r.stdout.rindex("Test cases:") :]
    assert " passed" in summary and "failed" not in summary and "error" not in summary.lower(), summary
