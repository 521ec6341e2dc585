"""Load test: gunicorn on loopback serving the city, driven by locust (bench/locustfile.py).

    DATABASE_URL=postgres://…/city SQDJ_DATA_DIR=… .venv/bin/python bench/load.py

The database must hold a generated city (`sqdj generate --size city`, as bench/city.py leaves it). In one run:
gunicorn (SQDJ_LOAD_WORKERS processes, default 2 × cores + 1) is started on a free port of 127.0.0.1; the admins of a
community, a subdistrict, a district and the city get a signed-in session each (made here, as a sign-in would, second
factor included); then locust runs, headless, SQDJ_LOAD_USERS users (default 20) who wait SQDJ_LOAD_WAIT seconds
(default "1,3") between requests, for SQDJ_LOAD_SECONDS (default 60) after SQDJ_LOAD_WARMUP seconds (default 20) of
the mixed workload that are not measured: first the trivial view (the login page), then
the mixed read workload of the key screens and API, then the trivial view again (the floor is the mean of the two).
The API's rate limit is lifted for the run (it measures capacity; the limit has its own tests). Results go to
bench/results/load.json: requests per second of each run, their ratio, p50/p95 per request type and overall, and
failures. Nothing is asserted.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqdj.settings")
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django  # noqa: E402

django.setup()

from common import machine  # noqa: E402

USERS = int(os.environ.get("SQDJ_LOAD_USERS", "20"))
SECONDS = int(os.environ.get("SQDJ_LOAD_SECONDS", "60"))
WARMUP = int(os.environ.get("SQDJ_LOAD_WARMUP", "20"))  # seconds of the mixed workload first, not measured
WAIT = [float(x) for x in os.environ.get("SQDJ_LOAD_WAIT", "1,3").split(",")]
WORKERS = int(os.environ.get("SQDJ_LOAD_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
LEVELS = ["sq_admin", "jd_admin", "qu_admin", "sj_admin"]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def signed_in_session(user) -> str:
    """A session as the sign-in page leaves it: the user signed in and, when the user has a second factor, verified
    with it (the bench accounts get a confirmed TOTP device if they have none)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string
    from django_otp import DEVICE_ID_SESSION_KEY

    from sqdj.testing.sessions import confirmed_device

    device = confirmed_device(user)
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.create()
    return store.session_key


def plan() -> dict:
    """The accounts (session, member and org ids in scope, top org) and the run's parameters, for the locustfile."""
    from city import ensure_users
    from django.conf import settings

    from sqdj.members.models import Member
    from sqdj.orgs.models import Org

    users = ensure_users()
    accounts = []
    for name in LEVELS:
        if name not in users:
            continue
        user = users[name]
        if getattr(user, "must_change_password", False):
            type(user).objects.filter(pk=user.pk).update(must_change_password=False)
        top = user.role_assignments.order_by("pk").first().org
        members = list(Member.objects.restrict(user, "view").order_by("pk").values_list("pk", flat=True)[:200])
        orgs = list(Org.objects.restrict(user, "view").order_by("path").values_list("pk", flat=True)[:200])
        accounts.append(
            {"user": name, "session": signed_in_session(user), "members": members, "orgs": orgs, "top_org": top.pk}
        )
    return {"accounts": accounts, "cookie_name": settings.SESSION_COOKIE_NAME, "wait": WAIT}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "SQDJ_API_RATE": "1000000/min", "SQDJ_EXPORT_RATE": "1000000/hour"}
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "sqdj.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],  # fmt: skip
        env=env,
        cwd=ROOT,
    )
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def run_locust(user_class: str, port: int, plan_file: Path, out_dir: Path, seconds: int = SECONDS) -> dict:
    prefix = out_dir / user_class
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench/locustfile.py"),
            user_class,
            "--headless",
            "-u",
            str(USERS),
            "-r",
            str(USERS),
            "-t",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "10",
        ],  # fmt: skip
        env={**os.environ, "SQDJ_LOAD_PLAN": str(plan_file)},
        check=False,
        stdout=subprocess.DEVNULL,
    )
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 2),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "mean_ms": round(float(row["Average Response Time"]), 1),
            }
    return {"aggregated": rows.pop("Aggregated"), "requests": rows}


def main():
    from django.db import connection

    out = ROOT / "bench/results"
    out.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="sqdj-load-"))
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps(plan()), encoding="utf-8")
    connection.close()
    port = free_port()
    server = start_server(port)
    try:
        log(f"gunicorn: {WORKERS} workers on 127.0.0.1:{port}; {USERS} users, waits {WAIT} s, {SECONDS} s per run")
        if WARMUP:  # the database's and the workers' caches warm, as on a working day
            run_locust("StaffUser", port, plan_file, work, seconds=WARMUP)
        before = run_locust("TrivialUser", port, plan_file, work)
        log("trivial (before):", before["aggregated"])
        mixed = run_locust("StaffUser", port, plan_file, work)
        log("mixed:", mixed["aggregated"])
        after = run_locust("TrivialUser", port, plan_file, work)
        log("trivial (after):", after["aggregated"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    floor = (before["aggregated"]["rps"] + after["aggregated"]["rps"]) / 2
    result = {
        "machine": machine(),
        "database": connection.vendor,
        "users": USERS,
        "wait_s": WAIT,
        "seconds": SECONDS,
        "gunicorn_workers": WORKERS,
        "trivial": {"before": before, "after": after, "rps": round(floor, 2)},
        "mixed": mixed,
        "throughput_ratio": round(mixed["aggregated"]["rps"] / floor, 3) if floor else None,
    }
    (out / "load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    json.dump({k: v for k, v in result.items() if k in ("throughput_ratio", "users")}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
