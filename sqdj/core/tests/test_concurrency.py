"""Concurrent writers, and what a writer that cannot get the lock sees (issue 12 part 2; docs/operations.md, "SQLite").

On SQLite (one writer at a time) every transaction takes the write lock when it begins and waits for it up to the
busy timeout, so two processes writing at once both succeed. A writer that still cannot get the lock (another
connection holds it past the timeout) is not a server error: a command with `--json` prints one JSON object and
exits 2, a request answers 503 with Retry-After. The same tests run on PostgreSQL, where a lock timeout
(`lock_timeout`) stands for SQLite's busy timeout.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory

from sqdj.accounts.models import User
from sqdj.accounts.services import do_issue_token
from sqdj.areas.models import Area
from sqdj.areas.services import do_create_area
from sqdj.core.errors import server_error
from sqdj.core.models import ObjectChange
from sqdj.testing.imports import write_csv
from sqdj.testing.processes import process_env

SQDJ = str(Path(sys.executable).with_name("sqdj"))
WRITES = 150  # areas each process creates, then renames: 300 writes a process


# One writer process: creates WRITES communities under the subdistrict (a tree insert: it reads the parent's last
# child and writes the new path and the parent's child count) and renames each one, through the services — every
# write a transaction that reads before it writes, the kind SQLite fails at once when it is deferred.
WRITER = textwrap.dedent(
    """
    import json, os, sys, time
    import django
    django.setup()
    from sqdj.areas.models import Area
    from sqdj.areas.services import do_create_area, do_update_area
    tag, count, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.01)
    errors = []
    created = []
    for i in range(count):
        try:
            parent = Area.objects.get(code="C01001")
            created.append(do_create_area(
                acting_user=None, parent=parent, code=f"C01001{tag}{i:03d}", name=f"{tag}社区{i}", type="community"
            ))
        except Exception as exc:
            errors.append(f"create {i}: {type(exc).__name__}: {exc}")
    for area in created:
        try:
            do_update_area(Area.objects.get(pk=area.pk), acting_user=None, name=area.name + "（改）")
        except Exception as exc:
            errors.append(f"update {area.code}: {type(exc).__name__}: {exc}")
    print(json.dumps({"errors": errors[:5], "failed": len(errors)}), flush=True)
    """
)


@pytest.mark.django_db(transaction=True)
def test_two_processes_write_to_one_database_at_once(tmp_path):
    district = do_create_area(acting_user=None, parent=None, code="C01", name="并发区", type="district")
    do_create_area(acting_user=None, parent=district, code="C01001", name="并发街道", type="subdistrict")
    changes_before = ObjectChange.objects.count()
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, tag, str(WRITES), str(go)],
            env=process_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("A", "B")
    ]
    try:
        for p in procs:  # both have loaded Django and wait: they start writing together
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        go.touch()
        results = []
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert results == [{"errors": [], "failed": 0}] * 2
    communities = Area.objects.filter(code__startswith="C01001", type="community")
    assert communities.count() == 2 * WRITES
    assert not communities.exclude(name__endswith="（改）").exists()  # every rename is there
    street = Area.objects.get(code="C01001")
    assert street.numchild == 2 * WRITES  # the tree's bookkeeping saw every insert
    assert len(set(communities.values_list("path", flat=True))) == 2 * WRITES
    assert Area.objects.find_problems() == ([], [], [], [], [])
    assert ObjectChange.objects.count() - changes_before == 4 * WRITES  # one change row a write


@pytest.fixture
def hold_write_lock():
    """Holds the write lock (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an exclusive lock on the areas table) on the
    test's connection while the body runs; the environment makes a writer give up after 0.3 s."""

    if connection.vendor == "sqlite":
        wait = {"SQDJ_SQLITE_TIMEOUT": "0.3"}
    else:
        wait = {"PGOPTIONS": "-c lock_timeout=300"}

    class Held:
        env = process_env(**wait)

        def __enter__(self):
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":  # BEGIN IMMEDIATE has taken it; a write makes sure of it
                    cursor.execute("UPDATE areas_area SET name = name WHERE 1 = 0")
                else:
                    cursor.execute(f"LOCK TABLE {Area._meta.db_table} IN ACCESS EXCLUSIVE MODE")
            return self

        def __exit__(self, *exc):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    return Held()


def one_json_object(stdout: str) -> dict:
    lines = stdout.splitlines()
    assert len(lines) == 1, stdout
    obj = json.loads(lines[0])
    assert isinstance(obj, dict)
    return obj


@pytest.mark.django_db(transaction=True)
def test_json_command_on_a_locked_database_prints_one_object_and_exits_2(tmp_path, hold_write_lock):
    rows = [["区域编码", "区域名称", "区域类型", "上级区域编码"], ["L01", "锁测试区", "区", ""]]
    path = str(write_csv(tmp_path / "areas.csv", rows))
    with hold_write_lock as held:
        started = time.monotonic()
        r = subprocess.run(
            [SQDJ, "import", "areas", path, "--json"], env=held.env, capture_output=True, text=True, timeout=60
        )
        assert time.monotonic() - started < 30  # it gave up after the short wait, it did not hang
        plain = subprocess.run([SQDJ, "import", "areas", path], env=held.env, capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    error = one_json_object(r.stdout)
    assert error["ok"] is False and error["code"] == "database_busy"
    assert "数据库" in error["error"]
    assert "Traceback" not in r.stdout and "Traceback" in r.stderr  # the details are for the operator, on stderr
    # without --json an internal error exits 2 as well (1 would say "input rejected"), with no traceback on stdout
    assert plain.returncode == 2 and "Traceback" not in plain.stdout and "数据库" in plain.stderr
    assert not Area.objects.filter(code="L01").exists()
    # the lock gone, the same command does its work: it was the lock
    r = subprocess.run([SQDJ, "import", "areas", path, "--json"], env=held.env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert one_json_object(r.stdout)["created"] == 1


@pytest.fixture
def live_server_127(transactional_db):
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("127.0.0.1")
    yield server
    server.stop()


def http(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, dict, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Content-Type", "application/json")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.mark.django_db(transaction=True)
def test_a_write_that_cannot_get_the_lock_answers_503_and_reads_go_on(live_server_127, hold_write_lock, monkeypatch):
    district = do_create_area(acting_user=None, parent=None, code="H01", name="锁测试区", type="district")
    token = do_issue_token(User.objects.create_superuser("lock_root", password="Lock-Root-Password-2026"))
    # the server's connections (opened per request) give up after 0.3 s
    options = connection.settings_dict.setdefault("OPTIONS", {})
    if connection.vendor == "sqlite":
        monkeypatch.setitem(options, "timeout", 0.3)
    else:
        monkeypatch.setitem(options, "options", "-c lock_timeout=300")
    url = f"{live_server_127.url}/api/v1/areas/{district.pk}/"
    with hold_write_lock:
        status, headers, body = http("PATCH", url, token, {"name": "改名"})
        if connection.vendor == "sqlite":  # WAL: readers do not wait for the writer
            read = http("GET", url, token)
            assert read[0] == 200 and json.loads(read[2])["name"] == "锁测试区"
    assert status == 503, body
    assert headers["Retry-After"].isdigit()
    assert "数据库" in json.loads(body)["detail"]
    status, _headers, body = http("PATCH", url, token, {"name": "改名"})  # the lock gone, the same request works
    assert status == 200, body
    assert Area.objects.get(pk=district.pk).name == "改名"


def test_busy_database_answers_503_not_500():
    request = RequestFactory().post("/api/v1/orgs/1/")
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "数据库" in json.loads(response.content)["detail"]

    class LockNotAvailable(Exception):  # psycopg's, as Django wraps it
        sqlstate = "55P03"

    try:
        try:
            raise LockNotAvailable("canceling statement due to lock timeout")
        except LockNotAvailable as exc:
            raise OperationalError(str(exc)) from exc
    except OperationalError:
        response = server_error(RequestFactory().get("/orgs/"))
    assert response.status_code == 503 and "数据库" in response.content.decode()

    try:
        raise ValueError("something else")
    except ValueError:
        response = server_error(RequestFactory().get("/orgs/"))
    assert response.status_code == 500


def run_argv(*argv):
    """`sqdj ARGV…` in this process, as from the shell: (exit status, stdout, stderr)."""
    from django.core.management import ManagementUtility

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            ManagementUtility(["sqdj", *argv]).execute()
            code = 0
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ("import", "nosuchkind", "file.csv", "--json"),  # refused by the command
        ("import", "areas", "--json"),  # refused by the parser: the file is missing
        ("import", "areas", "file.csv", "--json", "--no-such-option"),
        ("exchange", "import", "--json"),  # a subcommand's parser
        ("stats", "--org", "X", "--as-of", "tomorrow", "--json"),
    ],
)
def test_usage_errors_with_json_are_one_object_and_exit_2(argv):
    code, out, err = run_argv(*argv)
    assert code == 2, (out, err)
    obj = one_json_object(out)
    assert obj["ok"] is False and obj["code"] == "usage" and obj["error"], obj
    assert err  # and said on stderr too
