"""Serving residents at city scale (issue 17): on a database that holds the city with its ≈ 2,000,000 requests
(`sqdj generate --size city`, or demo/services.py's city plan added to a city loaded before), for the admin of a
community and of a district (and the subdistrict, the city):

- the request list page (`/services/requests/`: the first page, a state filter, overdue, a deep page, the last page)
  and the API's first page: p50/p95 ms and queries per request;
- the request statistics (services.request_stats.figures) of each level against one hand-written SQL aggregate
  over the same rows (HAND_SQL), alternated; both must give the same numbers;
- the public form: 1,000 submissions as fast as they go from one address (all but the rate's first few refused
  with 429, nothing written for those) and from 1,000 addresses (all accepted) — with the time they took.

    SQDJ_DATA_DIR=… DATABASE_URL=postgres://… .venv/bin/python bench/services.py

bench/city.py runs the same (its `services` part). Results go to bench/results/services.json; nothing is asserted.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

if __name__ == "__main__":
    if "SQDJ_DATA_DIR" not in os.environ:
        os.environ["SQDJ_DATA_DIR"] = tempfile.mkdtemp(prefix="sqdj-bench-services-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqdj.settings")
    os.environ.setdefault("SQDJ_API_RATE", "100000/min")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import django

    django.setup()

from common import count_queries, get_ok, keep_request_queries, machine, sign_in, timed, timed_pair  # noqa: E402
from django.db import connection  # noqa: E402

REPEAT = int(os.environ.get("SQDJ_BENCH_REPEAT", "40"))
LEVELS = [("community", "sq_admin"), ("subdistrict", "jd_admin"), ("district", "qu_admin"), ("city", "sj_admin")]
LIST_CASES = [
    ("requests page: first page", "/services/requests/"),
    ("requests page: state=in_progress", "/services/requests/?state=in_progress"),
    ("requests page: overdue=true", "/services/requests/?overdue=true"),
    ("requests page: page 101 (offset 5,000)", "/services/requests/?page=101"),
    ("requests page: last page", "/services/requests/?page=last"),
    ("requests api: first page", "/api/v1/requests/?limit=50"),
]
SUBMISSIONS = int(os.environ.get("SQDJ_BENCH_SUBMISSIONS", "1000"))


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def bench_request_lists(users) -> dict:
    from django.test import Client

    from sqdj.services.models import Request
    from sqdj.testing.api import api_client

    out = {}
    client = Client()
    for level, username in LEVELS:
        if username not in users:
            continue
        user = users[username]
        sign_in(client, user)
        api = api_client(user)
        rows = {}
        for name, url in LIST_CASES:
            c = api if url.startswith("/api/") else client
            started = time.perf_counter()
            response = c.get(url)
            first_ms = round((time.perf_counter() - started) * 1000, 1)
            if response.status_code != 200:
                rows[name] = {"url": url, "status": response.status_code}
                continue
            _response, queries = count_queries(lambda u=url, c=c: get_ok(c, u))
            rows[name] = {"url": url, **timed(lambda u=url, c=c: get_ok(c, u), repeat=REPEAT), "queries": queries,
                          "first_ms": first_ms}  # fmt: skip
            log("request list", level, name, rows[name])
        out[level] = {"user": username, "requests_in_scope": Request.objects.restrict(user, "view").count(),
                      "cases": rows}  # fmt: skip
    return out


# One statement, by hand, over the same rows as request_stats.figures: the requests and wishes of the territory
# received in the period — the counts, the four breakdowns of the requests (GROUPING SETS) and the median days to
# close. (The households' two small aggregates and the names of categories and areas are left out of the anchor.)
HAND_SQL = """
SELECT GROUPING(r.category_id, r.state, r.source, substr(a.path, 1, %(child)s)) AS g,
       r.category_id, r.state, r.source, substr(a.path, 1, %(child)s) AS child,
       count(*) FILTER (WHERE r.kind = 'request') AS total,
       count(*) FILTER (WHERE r.kind = 'request' AND r.state NOT IN ('closed', 'referred', 'declined')) AS open,
       count(*) FILTER (WHERE r.kind = 'request' AND r.state = 'closed') AS closed,
       count(*) FILTER (WHERE r.kind = 'request' AND r.state = 'closed' AND r.closed_at <= r.due_at) AS closed_on_time,
       count(*) FILTER (WHERE r.kind = 'request' AND r.satisfaction = 'satisfied') AS satisfied,
       count(*) FILTER (WHERE r.kind = 'request' AND r.satisfaction = 'basically') AS basically,
       count(*) FILTER (WHERE r.kind = 'request' AND r.satisfaction = 'unsatisfied') AS unsatisfied,
       count(*) FILTER (WHERE r.kind = 'wish') AS wishes,
       count(*) FILTER (WHERE r.kind = 'wish' AND EXISTS (SELECT 1 FROM services_wishclaim c WHERE c.request_id = r.id
                        AND c.state IN ('claimed', 'fulfilled'))) AS wishes_claimed,
       count(*) FILTER (WHERE r.kind = 'wish' AND EXISTS (SELECT 1 FROM services_wishclaim c WHERE c.request_id = r.id
                        AND c.state = 'fulfilled')) AS wishes_fulfilled,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.closed_at - r.received_at))
           FILTER (WHERE r.kind = 'request' AND r.state = 'closed') / 86400.0 AS median_days_to_close
FROM services_request r JOIN areas_area a ON a.id = r.area_id
WHERE a.path LIKE %(path)s AND r.received_at >= %(start)s AND r.received_at < %(end)s
GROUP BY GROUPING SETS ((), (r.category_id), (r.state), (r.source), (substr(a.path, 1, %(child)s)))
"""


def hand_sql(org, date_from, date_to) -> dict:
    """The grand total row of HAND_SQL (the breakdown rows are read, as ours are, and counted)."""
    from django.utils import timezone

    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time()))
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, {"path": org.area.path + "%", "start": start, "end": end,
                                  "child": len(org.area.path) + 4})  # fmt: skip
        names = [c.name for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    total = next(r for r in rows if r["g"] == 15)
    return {**total, "breakdown_rows": len(rows) - 1}


def same_numbers(figures: dict, row: dict) -> list[str]:
    ours = {**{k: figures["requests"][k] for k in ("total", "open", "closed", "closed_on_time")},
            **figures["satisfaction"], "wishes": figures["wishes"]["posted"],
            "wishes_claimed": figures["wishes"]["claimed"], "wishes_fulfilled": figures["wishes"]["fulfilled"],
            "median_days_to_close": figures["requests"]["median_days_to_close"]}  # fmt: skip
    theirs = {k: row[k] for k in ours}
    theirs["median_days_to_close"] = (
        round(float(row["median_days_to_close"]), 1) if row["median_days_to_close"] else None
    )
    return [f"{k}: {ours[k]} != {theirs[k]}" for k in ours if ours[k] != theirs[k]]


def bench_request_stats(users) -> dict:
    from sqdj.services import request_stats

    out = {}
    today = datetime.date.today()
    date_from, date_to = today - datetime.timedelta(days=365), today
    reps = max(9, REPEAT // 5 + 1)
    for level, username in LEVELS:
        if username not in users:
            continue
        user = users[username]
        org = user.role_assignments.select_related("org__area").order_by("pk").first().org
        if org.area_id is None:
            continue
        figures, queries = count_queries(lambda o=org, u=user: request_stats.figures(o, u, date_from, date_to))
        row = hand_sql(org, date_from, date_to)
        t_ours, t_sql = timed_pair(
            lambda o=org, u=user: request_stats.figures(o, u, date_from, date_to),
            lambda o=org: hand_sql(o, date_from, date_to),
            repeat=reps,
        )
        out[level] = {
            "org": org.code, "requests": figures["requests"], "differences": same_numbers(figures, row),
            "breakdown_rows": row["breakdown_rows"],
            "ours": {**t_ours, "queries": queries}, "hand_sql": t_sql,
            "ratio_p50": round(t_ours["p50_ms"] / t_sql["p50_ms"], 2),
            "ratio_p95": round(t_ours["p95_ms"] / t_sql["p95_ms"], 2),
        }  # fmt: skip
        log("request statistics", level, out[level])
    return out


def _post(client, url, address: str, n: int):
    """One resident's submission: the form's page first (its question), then the answer."""
    page = client.get(url, REMOTE_ADDR=address).content.decode()
    token = re.search(r'name="challenge" value="([^"]+)"', page).group(1)
    label = re.search(r'<label[^>]*for="id_answer"[^>]*>([^<]*)<', page).group(1)  # "How much is 3 plus 5?"
    a, b = map(int, re.findall(r"\d+", label)[:2])
    data = {"summary": f"压测诉求{n}", "description": "压测：楼道灯不亮。", "challenge": token, "answer": a + b,
            "website": "", "location": ""}  # fmt: skip
    for name in ("area", "category"):  # the first place (the community) and the first category
        block = re.search(rf'<select name="{name}".*?</select>', page, re.S)
        first = re.search(r'value="(\d+)"', block.group(0)) if block else None
        if first:
            data[name] = first.group(1)
    return client.post(url, data, REMOTE_ADDR=address)


def bench_public_form() -> dict:
    """1,000 submissions from one address, then from 1,000 addresses; statuses, time, rows written."""
    from django.core.cache import cache
    from django.test import Client

    from sqdj.areas.models import Area
    from sqdj.services.models import Request

    community = Area.objects.filter(type="community").order_by("path").first()
    url = f"/services/public/{community.code}/new/"
    out = {"community": community.code, "submissions": SUBMISSIONS}
    addresses = {"one address": lambda n: "10.9.0.1", "many addresses": lambda n: f"10.8.{n // 256}.{n % 256}"}
    for name, address_of in addresses.items():
        cache.clear()
        before = Request.objects.filter(source="web").count()
        statuses: dict[int, int] = {}
        client = Client()
        started = time.perf_counter()
        for n in range(SUBMISSIONS):
            response = _post(client, url, address_of(n), n)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        seconds = round(time.perf_counter() - started, 1)
        written = Request.objects.filter(source="web").count() - before
        out[name] = {"statuses": statuses, "seconds": seconds, "requests_written": written}
        log("public form", name, out[name])
    Request.objects.filter(source="web", summary__startswith="压测诉求").delete()  # the bench's own rows
    return out


def run(users) -> dict:
    return {
        "request_lists": bench_request_lists(users),
        "request_statistics": bench_request_stats(users),
        "public_form": bench_public_form(),
    }


def main():
    from city import ensure_users  # bench/city.py: the demo accounts and the city admin

    keep_request_queries()
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(), "vendor": connection.vendor}
    import sqdj.wsgi  # noqa: F401, PLC0415  (what the server does when it loads)

    results.update(run(ensure_users()))
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    (out / "services.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    json.dump(results, sys.stdout, ensure_ascii=False, indent=2, default=str)
    print()


if __name__ == "__main__":
    main()
