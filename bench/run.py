"""Benchmarks (`make bench`). Results go to bench/results/latest.json and are printed; figures worth
keeping are copied into docs/performance.md with the machine they came from. Not a test: nothing here
asserts a time.

Runs on the database of DATABASE_URL, or on a fresh SQLite file when it is unset. With SQDJ_BENCH_CITY=1 it runs the
city-scale benchmark instead (bench/city.py: 1,000,000 members, minutes; meant for PostgreSQL), and with
SQDJ_BENCH_LOAD=1 as well the locust load test on that city after it (bench/load.py: gunicorn on loopback).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

if "SQDJ_DATA_DIR" not in os.environ:  # keys and the SQLite file of this run only
    os.environ["SQDJ_DATA_DIR"] = tempfile.mkdtemp(prefix="sqdj-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqdj.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import sign_in, timed, url_exists  # noqa: E402


def main():
    from django.test import Client

    from sqdj.core.importing import get_importer
    from sqdj.core.tabular import write_table
    from sqdj.demo import synthetic
    from sqdj.demo.accounts import ensure_demo_users
    from sqdj.members.models import Member
    from sqdj.orgs.models import Org

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    synthetic.generate("medium")
    gen_s = time.perf_counter() - t
    ensure_demo_users()
    results = {
        "database": connection.vendor,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "generate_medium_s": round(gen_s, 2),
        "orgs": Org.objects.count(),
        "members": Member.objects.count(),
    }

    from django.core.signals import request_started
    from django.db import reset_queries

    request_started.disconnect(reset_queries)  # keep the queries of a request countable
    client = Client()
    for user in ("qu_admin", "sq_admin"):
        sign_in(client, __import__("sqdj.accounts.models", fromlist=["User"]).User.objects.get(username=user))
        for name, url in (
            ("org_list_page", "/orgs/?type=branch"),
            ("org_api_list", "/api/v1/orgs/?limit=50"),
            ("org_tree_page", "/orgs/tree/"),
            ("member_list_page", "/members/?category=retired"),
            ("member_api_list", "/api/v1/members/?limit=50&category=retired"),
            ("checks_api", f"/api/v1/checks/?org={_top_org_code(user)}"),
        ):
            if not url_exists(url.split("?")[0]):
                continue
            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200
            n_queries = len(q)
            results[f"{name}[{user}]"] = {**timed(lambda u=url: client.get(u)), "queries": n_queries}

    importer_cls = get_importer("orgs")
    rows = list(importer_cls().export_rows(Org.objects.all()))
    data = write_table(importer_cls.headers, rows, "xlsx")
    t = time.perf_counter()
    result = importer_cls().run(data, "orgs.xlsx", dry_run=False)
    dt = time.perf_counter() - t
    assert result.ok and result.unchanged == len(rows), result.errors[:3]
    results["reimport_orgs_unchanged"] = {
        "rows": len(rows),
        "seconds": round(dt, 2),
        "rows_per_s": round(len(rows) / dt),
    }

    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
    print()


def _top_org_code(username):
    from sqdj.accounts.models import User

    return User.objects.get(username=username).role_assignments.order_by("pk").first().org.code


if __name__ == "__main__":
    if os.environ.get("SQDJ_BENCH_CITY") == "1":
        import city

        city.main()
        if os.environ.get("SQDJ_BENCH_LOAD") == "1":  # then the locust load test on the same city (bench/load.py)
            import load

            load.main()
    else:
        main()
