"""Helpers shared by the benchmarks: timing, query counting, the machine they ran on."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from pathlib import Path


def timed(fn, repeat=15, warmup=1):
    """p50 / p95 (nearest rank) in milliseconds of `repeat` calls after `warmup` calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return _summary(samples)


def timed_pair(fn_a, fn_b, repeat=9, warmup=1):
    """`timed` for two functions run alternately (a, b, a, b …): a comparison fair under a varying load."""
    for _ in range(warmup):
        fn_a()
        fn_b()
    samples = ([], [])
    for _ in range(repeat):
        for fn, out in zip((fn_a, fn_b), samples, strict=True):
            t = time.perf_counter()
            fn()
            out.append((time.perf_counter() - t) * 1000)
    return tuple(_summary(s) for s in samples)


def _summary(samples):
    samples = sorted(samples)
    p95 = samples[max(0, -(-len(samples) * 95 // 100) - 1)]
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(p95, 1), "n": len(samples)}


def get_ok(client, url):
    """GET `url`, refusing anything but 200: a timing of error pages (a rate limit's 429, a 404) is no figure."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return response


def count_queries(fn):
    """(result of fn(), number of SQL queries it ran)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q:
        result = fn()
    return result, len(q)


def keep_request_queries():
    """django.test.Client resets the query log at each request; keep it, so that a request's queries count."""
    from django.core.signals import request_started
    from django.db import reset_queries

    request_started.disconnect(reset_queries)


def machine() -> dict:
    """CPU model, cores, RAM, Python and database versions."""
    from django.db import connection

    info = {"python": platform.python_version(), "cpus": os.cpu_count(), "database": connection.vendor}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                info["cpu"] = line.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        info["cpu"] = platform.processor()
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
        info["ram_gib"] = round(kb / 1024 / 1024, 1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            info["database_version"] = "PostgreSQL " + cursor.fetchone()[0]
        elif connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            info["database_version"] = "SQLite " + cursor.fetchone()[0]
    try:
        info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def url_exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return False
    return getattr(match.func, "__name__", "") != "not_found"


def sign_in(client, user) -> None:
    """`client` as the sign-in page leaves it for an administrator: signed in, the second factor verified (a device
    made if there is none: the benchmarks measure what a user gets), no password change pending (the bench accounts'
    passwords were issued, not chosen)."""
    from sqdj.testing.sessions import verified_login

    if user.must_change_password:
        type(user).objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
    verified_login(client, user)
