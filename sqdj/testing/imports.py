"""Helpers to run `sqdj import` in tests and read its one JSON object; and to kill a real import process while it
writes (the crash-safety tests of every bulk import)."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.core.management import call_command
from openpyxl import Workbook

from sqdj.demo.synthetic import build_specs

SQDJ = str(Path(sys.executable).with_name("sqdj"))
WRITING = re.compile(r"(?:正在写入|writing) \[[#.]*\] (\d+)/\d+")  # the progress bar of the writing stage


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    text = "\n".join(",".join("" if v is None else str(v) for v in r) for r in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def run_import(kind: str, path: Path, *args: str) -> tuple[int, dict]:
    """(exit status, the JSON object printed on stdout)."""
    out = io.StringIO()
    status = 0
    try:
        call_command("import", kind, str(path), "--json", *args, stdout=out)
    except SystemExit as exc:
        status = exc.code
    return status, json.loads(out.getvalue())


def small_city_on_its_own(tmp_path: Path) -> tuple[dict, Path]:
    """A data directory of its own holding an SQLite file with the small demo city, for real `sqdj` processes (not
    the test database): (their environment, with progress shown; the database file)."""
    data = tmp_path / "data"
    env = {**os.environ, "SQDJ_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "sqdj.settings", "SQDJ_PROGRESS": "1"}
    env.pop("DATABASE_URL", None)
    for args in (("migrate", "-v0"), ("generate", "--size", "small")):
        r = subprocess.run([SQDJ, *args], env=env, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
    return env, data / "sqdj.sqlite3"


def small_city_codes(tree: str, node_type: str) -> list[str]:
    """The codes of the small demo city's areas (`tree` "areas") or orgs ("orgs") of a type."""

    def walk(specs):
        for spec in specs:
            yield spec
            yield from walk(spec.children)

    area_roots, org_roots = build_specs("small")
    return [s.code for s in walk(area_roots if tree == "areas" else org_roots) if s.type == node_type]


def kill_while_writing(env: dict, db: Path, kind: str, path: Path, *, after: int, snapshot: list[str]) -> int:
    """Run `sqdj import KIND PATH` in a real process and kill it (SIGKILL) once its progress says `after` rows are
    written — in its transaction, uncommitted. Then what the `snapshot` statements read of the SQLite file is what
    they read before, and the file is sound (`PRAGMA integrity_check`). Returns the rows written when it was killed."""

    def read():
        with sqlite3.connect(db) as c:
            return [c.execute(sql).fetchall() for sql in snapshot]

    before = read()
    proc = subprocess.Popen([SQDJ, "import", kind, str(path), "--json"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)  # fmt: skip
    seen: list[str] = []

    def read_stderr():
        while chunk := proc.stderr.read1(4096):
            seen.append(chunk.decode("utf-8", "replace"))

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    deadline = time.monotonic() + 600
    written = 0
    while time.monotonic() < deadline and proc.poll() is None:
        found = WRITING.findall("".join(seen))
        written = int(found[-1]) if found else 0
        if written >= after:  # several chunks are in the (uncommitted) transaction
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.02)  # polling the progress of another process, not waiting for time to pass
    proc.wait(timeout=60)
    reader.join(timeout=10)
    assert proc.returncode == -signal.SIGKILL, ("".join(seen)[-2000:], proc.stdout.read())
    assert written >= after
    assert read() == before  # not one row of the import survived
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    return written
