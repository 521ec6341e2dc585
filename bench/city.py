"""City-scale benchmarks: 10 districts, 1,300 communities, ≈ 10,000 branches, 1,000,000 members.

    SQDJ_BENCH_CITY=1 scripts/with-postgres.sh make bench        (or: … .venv/bin/python bench/city.py)

In one run on the database of DATABASE_URL (PostgreSQL is what this is for; it takes minutes): `generate --size city`
timed, then, for the admin of a community, a subdistrict, a district and the city: the member and org lists (page
and API: a filter, a pinyin search, offset 5,000, the last page; p50/p95 and queries per request, beside a trivial
view and the query baselines of tests/test_query_counts.py), the statistics (`sqdj.stats.services.compute`)
against the fastest of three hand-written statements over the same rows (alternated), and the rulebook's checks
(组织体检), and serving residents (bench/services.py: the request list, the request statistics against one
hand-written aggregate, the public form under 1,000 submissions). Results go to bench/results/city.json and are
printed; nothing is asserted.

SQDJ_BENCH_IMPORT=0 leaves the import out. SQDJ_BENCH_SIZE=medium runs the same on the medium city
(bench/results/city-medium.json: the growth table of docs/performance.md). With SQDJ_BENCH_CITY_REUSE=1 the database
must already hold the city (`sqdj generate --size city`, then VACUUM ANALYZE): nothing is generated.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

if "SQDJ_DATA_DIR" not in os.environ:  # keys and the SQLite file of this run only
    os.environ["SQDJ_DATA_DIR"] = tempfile.mkdtemp(prefix="sqdj-bench-city-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqdj.settings")
# one user asks for the same list hundreds of times a minute here: the API's rate limit (still applied, so that its
# cost is measured) must not turn the timings into those of 429 answers
os.environ.setdefault("SQDJ_API_RATE", "100000/min")
sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent

import django  # noqa: E402

django.setup()

import services as services_bench  # noqa: E402  (bench/services.py: serving residents' lists, figures, public form)
import volunteers as volunteer_bench  # noqa: E402  (bench/volunteers.py: the volunteers' hand-written figures)
from common import count_queries, get_ok, keep_request_queries, machine, sign_in, timed, timed_pair  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from sqdj.core.dates import add_years  # noqa: E402

# requests per list case: p95 by nearest rank is the 38th of 40 (of 15 it would be the slowest request, one stall
# of a shared machine away from any figure)
REPEAT = int(os.environ.get("SQDJ_BENCH_REPEAT", "40"))
# the admin of each level of the tree (the demo accounts and sj_admin): what each figure is measured for
LEVELS = [("community", "sq_admin"), ("subdistrict", "jd_admin"), ("district", "qu_admin"), ("city", "sj_admin")]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def ensure_users():
    """The demo accounts (a district, a subdistrict, a community admin …) and a city admin on the 市委."""
    from sqdj.accounts.models import User
    from sqdj.accounts.roles import Role
    from sqdj.accounts.services import do_create_user, do_grant_role
    from sqdj.demo.accounts import ensure_demo_users
    from sqdj.orgs.models import Org

    ensure_demo_users()
    city = Org.objects.filter(type="city_committee").order_by("path").first()
    if city is not None and not User.objects.filter(username="sj_admin").exists():
        user = do_create_user("sj_admin", password=None, display_name="市委组织部 管理员", validate=False)
        do_grant_role(user, role=Role.CITY_ADMIN, org=city, descendants=True)
    return {u.username: u for u in User.objects.filter(username__in=["sj_admin", "qu_admin", "jd_admin", "sq_admin"])}


def in_scope(user, model) -> int:
    return model.objects.restrict(user, "view").count()


# (name, URL): page 1 with a filter and with a pinyin search, a deep offset and the last page, of the member list
# page and API and of the org list page and API; "/version/"-like trivial view first, as the floor of the run
TRIVIAL = ("trivial view: the login page (no query, one template)", "/login/")
LIST_CASES = [
    ("members page: category=退休", "/members/?category=retired"),
    ("members page: pinyin search q=zh", "/members/?q=zh"),
    ("members page: probationary, sorted by age", "/members/?member_type=probationary&sort=age"),
    ("members page: page 101 (offset 5,000)", "/members/?page=101"),
    ("members page: last page", "/members/?page=last"),
    ("members api: category=退休", "/api/v1/members/?limit=50&category=retired"),
    ("members api: pinyin search q=wang", "/api/v1/members/?limit=50&q=wang"),
    ("members api: offset=5000", "/api/v1/members/?limit=50&offset=5000"),
    ("members api: last page", None),  # offset = count - 50, from the first answer's count
    ("orgs page: type=branch", "/orgs/?type=branch"),
    ("orgs page: last page", "/orgs/?page=last"),
    ("orgs api: offset=5000", "/api/v1/orgs/?limit=50&offset=5000"),
    # the unit list (issue 15): 两新 units without an org (the 应建未建 work list), a name search, deep pages
    ("units page: neworg=true&org_coverage=false", "/units/?neworg=true&org_coverage=false"),
    ("units page: name search q=科技", "/units/?q=%E7%A7%91%E6%8A%80"),
    ("units page: last page", "/units/?page=last"),
    ("units api: offset=5000", "/api/v1/units/?limit=50&offset=5000"),
]


def bench_list_requests(users) -> dict:
    """The member and org lists (page and API) for the admin of each level: p50/p95 ms, queries per request, and
    the query count the baseline test pins for the same list (tests/test_query_counts.py, one subdistrict admin on
    small data: every path counted exactly)."""
    from django.test import Client

    from sqdj.members.models import Member
    from sqdj.orgs.models import Org
    from sqdj.testing.api import api_client

    baselines = json.loads((ROOT / "sqdj/testing/query_counts.json").read_text())[connection.vendor]
    out = {"baseline_queries": {k: v for k, v in baselines.items() if k.endswith((":members", ":orgs"))}}
    client = Client()
    sign_in(client, users["sq_admin"])
    out["trivial"] = {"name": TRIVIAL[0], **timed(lambda: Client().get(TRIVIAL[1]), repeat=REPEAT)}
    for level, username in LEVELS:
        if username not in users:  # the medium city has no 市委: no city level
            continue
        user = users[username]
        sign_in(client, user)
        api = api_client(user)  # the API as its clients call it: with a token (as tests/test_query_counts.py)
        members, orgs = in_scope(user, Member), in_scope(user, Org)
        count = api.get("/api/v1/members/?limit=1").json()["count"]
        rows = {}
        for name, url in LIST_CASES:
            url = url or f"/api/v1/members/?limit=50&offset={max(0, count - 50)}"
            client_for = api if url.startswith("/api/") else client
            started = time.perf_counter()  # the first request: before any cache (the exact count of a deep offset)
            response, queries = count_queries(lambda u=url, c=client_for: c.get(u))
            first_ms = round((time.perf_counter() - started) * 1000, 1)
            if response.status_code != 200:
                rows[name] = {"url": url, "status": response.status_code}
                continue
            # the queries of the request as repeated below: the first one of a new filter also writes the filter
            # into the session (the list remembers it: three statements more, once)
            _response, queries = count_queries(lambda u=url, c=client_for: get_ok(c, u))
            rows[name] = {
                "url": url,
                **timed(lambda u=url, c=client_for: get_ok(c, u), repeat=REPEAT),
                "queries": queries,
                "first_ms": first_ms,
            }
            log(level, name, rows[name])
        out[level] = {"user": username, "members_in_scope": members, "orgs_in_scope": orgs, "requests": rows}
    return out


CATEGORIES = ["employed", "retired", "veteran_retired", "unemployed", "mobile", "resident"]
WORK_STATUSES = ["employed", "retired", "veteran_retired", "unemployed", "no_fixed_job", "student", "other"]
EDUCATIONS = ["postgraduate", "bachelor", "associate", "vocational", "high_school", "junior_or_below"]
AGE_BANDS = [(None, 30), (31, 35), (36, 40), (41, 45), (46, 50), (51, 55), (56, 60), (61, None)]


def _age_band_sql():
    """Ages as birth-date ranges: someone is at least N on as_of when born on or before as_of minus N years."""
    parts = []
    for i, (lo, hi) in enumerate(AGE_BANDS):
        conds = []
        if lo is not None:
            conds.append(f"m.birth_date <= %(born_{lo})s")
        if hi is not None:
            conds.append(f"m.birth_date > %(born_{hi + 1})s")
        parts.append(f"count(*) FILTER (WHERE {' AND '.join(conds)}) AS age_{i}")
    return ",\n  ".join(parts)


# One statement for every number of the statistics: the members by conditional counts over the subtree (joined
# through the org's materialized path), organizations by type and community coverage as scalar subqueries (a
# community has an org when an org's area path starts with the community's path; communities sit at one depth).
HAND_SQL = f"""
SELECT
  count(*) AS total,
  count(*) FILTER (WHERE m.member_type = 'full' AND m.confirmed_on <= %(as_of)s) AS full,
  count(*) FILTER (WHERE m.sex = 'female') AS female,
  count(*) FILTER (WHERE m.ethnicity <> '汉族') AS ethnic_minority,
  count(*) FILTER (WHERE m.education IN ('postgraduate', 'bachelor', 'associate')) AS college_or_above,
  {", ".join(f"count(*) FILTER (WHERE m.category = '{c}') AS cat_{c}" for c in CATEGORIES)},
  {", ".join(f"count(*) FILTER (WHERE m.education = '{e}') AS edu_{e}" for e in EDUCATIONS)},
  {", ".join(f"count(*) FILTER (WHERE m.work_status = '{w}') AS work_{w}" for w in WORK_STATUSES)},
  {_age_band_sql()},
  (SELECT json_object_agg(t.type, t.n) FROM (
     SELECT type, count(*) AS n FROM orgs_org
     WHERE path LIKE %(prefix)s AND (founded_on IS NULL OR founded_on <= %(as_of)s) GROUP BY type) t) AS orgs,
  (SELECT json_object_agg(t.sector, t.n) FROM (
     SELECT sector, count(*) AS n FROM orgs_org
     WHERE path LIKE %(prefix)s AND (founded_on IS NULL OR founded_on <= %(as_of)s) GROUP BY sector) t) AS sectors,
  (SELECT count(*) FROM areas_area WHERE type = 'community' AND path LIKE %(area_prefix)s) AS communities,
  (SELECT count(*) FROM areas_area c WHERE c.type = 'community' AND c.path LIKE %(area_prefix)s AND c.path IN (
     SELECT substr(a.path, 1, (SELECT max(depth) * 4 FROM areas_area
                               WHERE type = 'community' AND path LIKE %(area_prefix)s))
     FROM orgs_org o JOIN areas_area a ON a.id = o.area_id
     WHERE a.path LIKE %(area_prefix)s AND (o.founded_on IS NULL OR o.founded_on <= %(as_of)s))
  ) AS communities_with_org
{{members}}
"""

# The members of the subtree, written three ways; the anchor is whichever is fastest at each level (a join on the
# path reads every member for a district; the ids as an array walk the index but probe 26,000 times for the
# city; the planner's semi-join sits in between).
MEMBER_SCOPES = {
    "join on the org path": """FROM members_member m JOIN orgs_org o ON o.id = m.org_id
WHERE o.path LIKE %(prefix)s AND m.standing = 'active' AND m.joined_on <= %(as_of)s""",
    "org ids as a semi-join": """FROM members_member m
WHERE m.org_id IN (SELECT id FROM orgs_org WHERE path LIKE %(prefix)s)
  AND m.standing = 'active' AND m.joined_on <= %(as_of)s""",
    "org ids as an array": """FROM members_member m
WHERE m.org_id = ANY(ARRAY(SELECT id FROM orgs_org WHERE path LIKE %(prefix)s))
  AND m.standing = 'active' AND m.joined_on <= %(as_of)s""",
}


def years_before(day, years):
    return add_years(day, -years)


@functools.cache
def _threshold(as_of):
    from sqdj.core.rules import param

    return param("org.min_full_members", as_of)


def hand_sql(org, as_of, variant="join on the org path"):
    """The statistics' figures in one statement: the members', organizations' and communities' (`HAND_SQL`) and,
    as `compute()` also returns them, the units' (`UNIT_SQL`) and the volunteers' (bench/volunteers.py), side by
    side."""
    from sqdj.units.choices import CATEGORY_LABELS

    categories = ", ".join(f"count(*) FILTER (WHERE u.category = '{c}') AS category_{c}" for c in CATEGORY_LABELS)
    members = HAND_SQL.replace("{members}", MEMBER_SCOPES[variant])
    units = UNIT_SQL.format(categories=categories)
    sql = f"SELECT m.*, row_to_json(u.*) AS units FROM ({members}) AS m CROSS JOIN ({units}) AS u"
    if org.area_id is not None:  # the volunteers' figures of a territory (an org without an area has none)
        volunteers = volunteer_bench.HAND_SQL.replace("WITH territory AS", "WITH territory AS MATERIALIZED", 1)
        head, _sep, rest = volunteers.partition("SELECT * FROM")
        sql = f"{head} SELECT m.*, row_to_json(u.*) AS units, row_to_json(v.*) AS volunteers FROM ({members}) AS m "
        sql += f"CROSS JOIN ({units}) AS u CROSS JOIN (SELECT * FROM {rest}) AS v"
    with connection.cursor() as cursor:
        params = {"prefix": org.path + "%", "area_prefix": (org.area.path if org.area else "-") + "%", "as_of": as_of}
        params["threshold"] = _threshold(as_of)  # read once: the anchor is the one statement alone
        params["unit_area"] = params["area_prefix"]
        if org.area_id is not None:
            params.update(volunteer_bench.hand_params(org, as_of) | {k: params[k] for k in ("prefix", "area_prefix")})
        for lo, hi in AGE_BANDS:
            for years in (lo, hi + 1 if hi is not None else None):
                if years is not None:
                    params[f"born_{years}"] = years_before(as_of, years)
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def same_numbers(stats: dict, row: dict) -> list[str]:
    """Where compute() and the hand-written SQL disagree (empty: they agree)."""
    from sqdj.members.choices import CATEGORY_LABELS, EDUCATION_LABELS, WORK_STATUS_LABELS
    from sqdj.orgs.choices import SECTOR_LABELS, TEMPLATE_LABELS

    m = stats["members"]
    pairs = [
        ("total", m["total"], row["total"]),
        ("full", m["full"], row["full"]),
        ("probationary", m["probationary"], row["total"] - row["full"]),
        ("female", m["female"], row["female"]),
        ("ethnic_minority", m["ethnic_minority"], row["ethnic_minority"]),
        ("college_or_above", m["college_or_above"], row["college_or_above"]),
        *((f"category {c}", m["by_category"][CATEGORY_LABELS[c]], row[f"cat_{c}"]) for c in CATEGORIES),
        *((f"education {e}", m["by_education"][EDUCATION_LABELS[e]], row[f"edu_{e}"]) for e in EDUCATIONS),
        *((f"work status {w}", m["by_work_status"][WORK_STATUS_LABELS[w]], row[f"work_{w}"]) for w in WORK_STATUSES),
        *((f"age band {i}", v, row[f"age_{i}"]) for i, v in enumerate(m["by_age_band"].values())),
        ("communities", stats["coverage"]["communities"], row["communities"]),
        ("communities_with_org", stats["coverage"]["communities_with_org"], row["communities_with_org"]),
    ]
    orgs = {TEMPLATE_LABELS[t]: n for t, n in (row["orgs"] or {}).items()}
    pairs.append(("organizations by type", stats["organizations"]["by_type"], orgs))
    sectors = {label: (row["sectors"] or {}).get(s, 0) for s, label in SECTOR_LABELS.items()}
    pairs.append(("organizations by sector", stats["organizations"]["by_sector"], sectors))
    from sqdj.units.stats import figures_of

    units = figures_of(row["units"])
    pairs += [(f"coverage {k}", stats["coverage"][k], v) for k, v in units["coverage"].items()]
    pairs.append(("units", stats.get("units"), units["units"]))
    if row.get("volunteers") is not None:
        pairs += [(f"volunteers {d}", d, "") for d in volunteer_bench.differences(
            stats["volunteers"], row["volunteers"], datetime.date.fromisoformat(stats["as_of"]))]  # fmt: skip
    return [f"{name}: compute {a} vs SQL {b}" for name, a, b in pairs if a != b]


def bench_stats(users) -> dict:
    """`compute()` of a community, a subdistrict, a district and the city (as the admin of each) against the fastest
    of the hand-written statements (`MEMBER_SCOPES`, each timed; the fastest at that level is the anchor), run
    alternately; both must give the same numbers."""
    import datetime

    from sqdj.stats.services import compute
    from sqdj.testing.api import api_client

    out = {}
    as_of = datetime.date.today()
    reps = max(9, REPEAT // 5 + 1)
    for label, username in LEVELS:
        if username not in users:
            continue
        user = users[username]
        org = user.role_assignments.select_related("org__area").order_by("pk").first().org
        stats, queries = count_queries(lambda o=org, u=user: compute(o, user=u, as_of=as_of))
        variants = {v: timed(lambda o=org, v=v: hand_sql(o, as_of, v), repeat=5) for v in MEMBER_SCOPES}
        fastest = min(variants, key=lambda v: variants[v]["p50_ms"])
        row = hand_sql(org, as_of, fastest)
        # alternate the two, so that a busy moment of the machine weighs on both alike
        t_compute, t_sql = timed_pair(
            lambda o=org, u=user: compute(o, user=u, as_of=as_of),
            lambda o=org, v=fastest: hand_sql(o, as_of, v),
            repeat=reps,
        )
        out[label] = {
            "org": org.code,
            "members": stats["members"]["total"],
            "compute": {**t_compute, "queries": queries, "user": user.username},
            "fastest_sql": {**t_sql, "variant": fastest},
            "sql_variants_p50_ms": {v: t["p50_ms"] for v, t in variants.items()},
            "ratio_p50": round(t_compute["p50_ms"] / t_sql["p50_ms"], 2),
            "ratio_p95": round(t_compute["p95_ms"] / t_sql["p95_ms"], 2),
            "differences": same_numbers(stats, row),
        }
        client = api_client(user)
        url = f"/api/v1/stats/?org={org.code}"
        response, api_queries = count_queries(lambda u=url, c=client: c.get(u))
        out[label]["api"] = (
            {**timed(lambda u=url, c=client: get_ok(c, u), repeat=reps), "queries": api_queries}
            if response.status_code == 200
            else {"status": response.status_code}
        )
        log("statistics", label, out[label])
    return out


UNIT_SQL = """
SELECT count(*) AS total,
       count(u.org_id) AS org_coverage,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM units_instructor i WHERE i.unit_id = u.id
                                      AND i.started_on <= %(as_of)s AND (i.ended_on IS NULL OR i.ended_on > %(as_of)s)))
           AS work_coverage,
       count(*) FILTER (WHERE u.category IN ('non_public_enterprise', 'social_organization')) AS neworgs,
       count(u.org_id) FILTER (WHERE u.category IN ('non_public_enterprise', 'social_organization'))
           AS neworgs_with_org,
       count(*) FILTER (WHERE u.category IN ('non_public_enterprise', 'social_organization') AND u.org_id IS NULL
                        AND u.party_members >= %(threshold)s) AS neworgs_3plus_members_without_org,
       {categories}
FROM units_unit u
WHERE u.area_id = ANY(ARRAY(SELECT a.id FROM areas_area a WHERE a.path LIKE %(unit_area)s))
  AND (u.registered_on IS NULL OR u.registered_on <= %(as_of)s)
  AND (u.ended_on IS NULL OR u.ended_on > %(as_of)s)
  AND NOT (u.status IN ('moved_out', 'deregistered', 'revoked') AND u.ended_on IS NULL)
"""


def unit_hand_sql(org, as_of, threshold) -> dict:
    """The units' figures of the statistics (coverage.neworgs*, the `units` key) in one hand-written aggregate."""
    from sqdj.units.choices import CATEGORY_LABELS

    categories = ", ".join(f"count(*) FILTER (WHERE u.category = '{c}') AS category_{c}" for c in CATEGORY_LABELS)
    with connection.cursor() as cursor:
        cursor.execute(
            UNIT_SQL.format(categories=categories),
            {"as_of": as_of, "threshold": threshold, "unit_area": org.area.path + "%"},
        )
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def bench_unit_stats(users) -> dict:
    """The units' statistics (`sqdj.units.stats.figures`: coverage.neworgs* and the `units` key) for the admin of
    each level against one hand-written aggregate over the same units, alternated; both must give the same
    numbers."""
    import datetime

    from sqdj.core.rules import param
    from sqdj.units.models import Unit
    from sqdj.units.stats import figures, figures_of

    as_of = datetime.date.today()
    threshold = param("org.min_full_members", as_of)
    out = {}
    for label, username in LEVELS:
        if username not in users:
            continue
        user = users[username]
        org = user.role_assignments.select_related("org__area").order_by("pk").first().org
        if not org.area_id:
            continue
        mine, queries = count_queries(lambda o=org, u=user: figures(o, user=u, as_of=as_of))
        hand = figures_of(unit_hand_sql(org, as_of, threshold))
        t_mine, t_hand = timed_pair(
            lambda o=org, u=user: figures(o, user=u, as_of=as_of),
            lambda o=org: unit_hand_sql(o, as_of, threshold),
            repeat=9,
        )
        out[label] = {
            "org": org.code,
            "units": Unit.objects.filter(area__path__startswith=org.area.path).count(),
            "figures": {**t_mine, "queries": queries, "user": username},
            "hand_sql": t_hand,
            "ratio_p50": round(t_mine["p50_ms"] / t_hand["p50_ms"], 2),
            "ratio_p95": round(t_mine["p95_ms"] / t_hand["p95_ms"], 2),
            "same_numbers": mine == hand,
        }
        log("unit statistics", label, out[label])
    return out


def bench_checks(users) -> dict:
    """组织体检: `run_checks` over a community org, a subdistrict, a district and the whole city as the scoped
    admins of those levels (the city as sj_admin): p50/p95, queries, findings per severity."""
    import datetime

    from sqdj.core.rules import run_checks, summary
    from sqdj.orgs.models import Org

    on = datetime.date.today()
    out = {}
    for label, username in LEVELS:
        if username not in users:
            continue
        user = users[username]
        org = user.role_assignments.select_related("org__area").order_by("pk").first().org  # the user's own top org
        findings, queries = count_queries(lambda o=org, u=user: run_checks(o, user=u, on=on))
        out[label] = {
            "org": org.code,
            "user": user.username,
            "orgs_in_subtree": Org.objects.filter(path__startswith=org.path).count(),
            "findings": summary(findings),
            "queries": queries,
            **timed(lambda o=org, u=user: run_checks(o, user=u, on=on), repeat=max(5, REPEAT // 8)),
        }
        log("checks", label, out[label])
    # the workbench page, and its health tiles (loaded after the page: one run of the checks per top org)
    from django.test import Client

    client = Client()
    for username in ("qu_admin", "sj_admin"):
        if username not in users:
            continue
        sign_in(client, users[username])
        for name, url in (("workbench page", "/"), ("workbench health tiles", "/health/tiles/")):
            response, queries = count_queries(lambda c=client, u=url: c.get(u))
            if response.status_code == 200:
                key = f"{name} [{username}]"
                out[key] = {**timed(lambda c=client, u=url: get_ok(c, u), repeat=5), "queries": queries}
                log(key, out[key])
    return out


def generate(size: str) -> dict:
    """`generate --size SIZE` timed by stage, then VACUUM ANALYZE (PostgreSQL)."""
    from sqdj.demo import synthetic

    stages = {}

    def progress(stage, done, total, seconds):
        stages.setdefault(stage, round(seconds, 1))  # when each stage began (s after the start)
        log(f"  generate: {stage} {done}/{total} {seconds:.0f} s")

    t = time.perf_counter()
    generated = synthetic.generate(size, progress=progress)
    out = {
        "created": generated["created"],
        "seconds": round(time.perf_counter() - t, 1),  # including the commit (deferred checks)
        **{k: generated.get(k) for k in ("areas", "orgs", "members", "registrations")},
        "stage_started_s": stages,
    }
    log("generate", out)
    if connection.vendor == "postgresql":
        # a live database is vacuumed by autovacuum; right after a bulk load only an explicit VACUUM sets the
        # visibility map that index-only scans (the per-org member counts, the list index) rely on
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        out["vacuum_analyze_s"] = round(time.perf_counter() - t, 1)
    return out


def run_beside() -> dict:
    """In the same run and cluster, each in a database of its own: this benchmark on the medium city (the growth
    table's second size) and the member import at 100,000 and 300,000 rows (bench/import_members.py)."""
    import subprocess
    from urllib.parse import urlsplit, urlunsplit

    url = urlsplit(os.environ["DATABASE_URL"])
    done = {}
    jobs = [
        ("medium", [sys.executable, str(Path(__file__))], {"SQDJ_BENCH_SIZE": "medium"}),
        ("import", [sys.executable, str(Path(__file__).with_name("import_members.py")), "--rows", "100000,300000"], {}),
    ]
    if os.environ.get("SQDJ_BENCH_IMPORT") == "0":  # (the import's figures from another run: it takes 20 minutes)
        jobs = jobs[:1]
    for name, command, extra in jobs:
        database = f"sqdj_bench_{name}"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {database}")
            cursor.execute(f"CREATE DATABASE {database}")
        env = {**os.environ, **extra, "DATABASE_URL": urlunsplit(url._replace(path=f"/{database}"))}
        log(f"--- {name}: {' '.join(command[1:])}")
        t = time.perf_counter()
        finished = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)
        done[name] = {"exit": finished.returncode, "seconds": round(time.perf_counter() - t, 1)}
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {database}")
    return done


def main():
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    call_command("migrate", verbosity=0)
    results["machine"] = machine()
    if connection.vendor != "postgresql":
        log("note: the city benchmark is meant for PostgreSQL (scripts/with-postgres.sh); this is", connection.vendor)

    size = os.environ.get("SQDJ_BENCH_SIZE", "city")
    results["size"] = size
    if os.environ.get("SQDJ_BENCH_CITY_REUSE") != "1":
        results["generate"] = generate(size)
    # else: a database that already holds the city (`generate --size city`, then VACUUM ANALYZE)
    users = ensure_users()
    # what the server does when it loads (sqdj/wsgi.py): the app's objects exempt from full garbage collections
    import sqdj.wsgi  # noqa: F401, PLC0415

    keep_request_queries()
    results["list_requests"] = bench_list_requests(users)
    results["statistics"] = bench_stats(users)
    results["checks"] = bench_checks(users)
    results["unit_statistics"] = bench_unit_stats(users)
    results["services"] = services_bench.run(users)

    if size == "city" and os.environ.get("SQDJ_BENCH_CITY_REUSE") != "1" and connection.vendor == "postgresql":
        results["also_run"] = run_beside()
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    name = "city" if size == "city" else f"city-{size}"
    (out / f"{name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    json.dump(results, sys.stdout, ensure_ascii=False, indent=2, default=str)
    print()


if __name__ == "__main__":
    main()
