"""The real console script in a real process: exit codes and stdout as interfaces.md §1 says."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sqdj.testing.imports import write_csv

SQDJ = str(Path(sys.executable).with_name("sqdj"))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli")
    e = {**os.environ, "SQDJ_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "sqdj.settings"}
    e.pop("DATABASE_URL", None)  # an SQLite file of its own, not the test database
    r = subprocess.run([SQDJ, "demo", "--no-serve"], env=e, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "sq_admin" in r.stdout and "Sqdj-Demo-2026" in r.stdout
    return e


def run(env, *args, stdin=None):
    return subprocess.run([SQDJ, *args], env=env, capture_output=True, text=True, input=stdin, timeout=120)


def test_demo_is_idempotent(env):
    before = json.loads(run(env, "transfers", "--json").stdout)["cases"]
    assert {c["state"] for c in before} >= {"draft", "submitted", "approved", "received", "returned", "expired"}
    r = run(env, "demo", "--no-serve")
    assert r.returncode == 0
    assert json.loads(run(env, "transfers", "--json").stdout)["cases"] == before  # no second set of cases
    r = run(env, "generate", "--size", "small")
    assert r.returncode == 0 and "已" in r.stdout


def test_import_json_exit_codes(env, tmp_path):
    h = ["组织编码", "组织名称", "组织类别", "上级组织编码", "所在区域编码", "成立日期", "本届任期开始日期"]
    good = write_csv(tmp_path / "g.csv", [h, ["CLI1", "命令行测试党支部", "党支部", "GW120001001", "", "", ""]])
    bad = write_csv(tmp_path / "b.csv", [h, ["CLI2", "错误", "党小组", "DW120001", "", "", ""]])
    r = run(env, "import", "orgs", str(good), "--json", "--dry-run")
    assert r.returncode == 0 and json.loads(r.stdout)["created"] == 1 and json.loads(r.stdout)["dry_run"]
    r = run(env, "import", "orgs", str(good), "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == {
        "ok": True,
        "dry_run": False,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
        "warnings": [],
    }
    r = run(env, "import", "orgs", str(good), "--json")
    assert json.loads(r.stdout)["unchanged"] == 1
    r = run(env, "import", "orgs", str(bad), "--json")
    out = json.loads(r.stdout)  # exactly one JSON object on stdout
    assert r.returncode == 1 and out["ok"] is False and out["errors"][0]["row"] == 2
    assert "党小组" in out["errors"][0]["message"]
    r = run(env, "import", "orgs", str(bad))
    assert r.returncode == 1 and "第2行" in r.stdout
    assert run(env, "import", "nonsense", str(good)).returncode == 2
    assert run(env, "import", "orgs", str(tmp_path / "missing.csv")).returncode == 2
    assert run(env, "import").returncode == 2


def test_user_add_and_token(env):
    r = run(
        env,
        "user",
        "add",
        "cli_user",
        "--role",
        "viewer",
        "--org",
        "SQ120001001001",
        "--descendants",
        "--password-stdin",
        stdin="Cli-Password-2026\n",
    )
    assert r.returncode == 0, r.stderr
    r = run(env, "user", "token", "cli_user")
    assert r.returncode == 0 and len(r.stdout.strip().splitlines()) == 1
    assert run(env, "user", "token", "nobody-here").returncode == 1


def test_export_to_file(env, tmp_path):
    out = tmp_path / "orgs.xlsx"
    r = run(env, "export", "orgs", "--org", "SQ120001001001", "--descendants", "-o", str(out), "--user", "sq_admin")
    assert r.returncode == 0 and out.stat().st_size > 0
    r = run(env, "export", "orgs", "--org", "SQ120001001002", "-o", str(out), "--user", "sq_admin")
    assert r.returncode == 1  # the sibling community is outside sq_admin's scope
