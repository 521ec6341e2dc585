"""Benchmark of issue 16 on the city (≈ 5,000,000 service records: `sqdj generate --size city` writes them,
sqdj.demo.volunteers), on the database of DATABASE_URL (PostgreSQL is what this is for):

    DATABASE_URL=… .venv/bin/python bench/volunteers.py      (the database holds the city: `sqdj generate
                                                              --size city`, then VACUUM ANALYZE)

1. 我的 (/me/) of the in-service member with the most service records, signed in as that member: p50/p95 and queries
   per request, beside the trivial view (the login page) of the same run;
2. drafting one quarter's feedback letters (`volunteers.feedback.do_draft_feedback`) for a community with 500
   registered in-service members: the community with the most registrations, topped up to 500 with in-service members
   of the city and 6 service records each in the quarter — all inside a transaction rolled back at the end, each
   drafting in a savepoint rolled back;
3. the volunteers' statistics (`volunteers.stats`: its three statements in one round trip, as the statistics read
   them) for the city, a district and a community admin, against one hand-written SQL aggregate of the same figures
   (alternated; both must give the same numbers).

Results go to bench/results/volunteers.json (with the machine); nothing is asserted.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

if "SQDJ_DATA_DIR" not in os.environ:
    os.environ["SQDJ_DATA_DIR"] = tempfile.mkdtemp(prefix="sqdj-bench-volunteers-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqdj.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django  # noqa: E402

django.setup()

from common import count_queries, get_ok, keep_request_queries, machine, sign_in, timed, timed_pair  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from sqdj.accounts.models import User  # noqa: E402
from sqdj.accounts.roles import Role  # noqa: E402
from sqdj.accounts.services import do_create_user, do_grant_role  # noqa: E402
from sqdj.core import dates  # noqa: E402
from sqdj.core.scope import EVERYTHING  # noqa: E402
from sqdj.members.choices import Category, Standing  # noqa: E402
from sqdj.members.models import Member, Registration  # noqa: E402
from sqdj.members.self_service import do_link_user  # noqa: E402
from sqdj.orgs.models import Org  # noqa: E402
from sqdj.stats.services import read_together  # noqa: E402
from sqdj.volunteers import feedback  # noqa: E402
from sqdj.volunteers import stats as volunteer_stats  # noqa: E402
from sqdj.volunteers.choices import HoursSource, HoursState, PeriodKind  # noqa: E402
from sqdj.volunteers.models import ServiceHours  # noqa: E402

REPEAT = int(os.environ.get("SQDJ_BENCH_REPEAT", "40"))
DRAFT_MEMBERS = 500


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ---- 1. 我的 ------------------------------------------------------------------------------------------------------


def bench_my_page() -> dict:
    """The member with the most records (their page reads the most), linked to a bench account with the member role."""
    top = (
        ServiceHours.objects.values("member_id").annotate(n=Count("pk")).order_by("-n", "member_id").first()
    )  # fmt: skip
    member = Member.objects.select_related("org").get(pk=top["member_id"])
    user = User.objects.filter(username="bench_member").first()
    if user is None:
        user = do_create_user("bench_member", password=None, display_name="基准测试党员", validate=False)
        do_grant_role(user, role=Role.MEMBER, org=member.org, descendants=False)
    if member.user_id != user.pk:
        Member.objects.filter(user=user).update(user=None)
        do_link_user(member, user, acting_user=None)
    client = Client()
    sign_in(client, user)
    response, queries = count_queries(lambda: client.get("/me/"))
    assert response.status_code == 200, response.status_code
    login = Client()
    return {
        "member_records": top["n"],
        "my_page": {**timed(lambda: get_ok(client, "/me/"), repeat=REPEAT), "queries": queries},
        "trivial_view": timed(lambda: get_ok(login, "/login/"), repeat=REPEAT),
    }


# ---- 2. drafting a quarter's letters ------------------------------------------------------------------------------


def _quarter(today: datetime.date) -> tuple[int, int]:
    q = (today.month - 1) // 3
    return (today.year, q) if q else (today.year - 1, 4)


def bench_drafting() -> dict:
    year, quarter = _quarter(dates.today())
    start, end = feedback.period_bounds(PeriodKind.QUARTER, year, quarter)
    busiest = (
        Registration.objects.filter(active=True).values("community_id").annotate(n=Count("pk")).order_by("-n").first()
    )  # fmt: skip
    community_id = busiest["community_id"]
    org = Org.objects.filter(area_id=community_id).order_by("depth", "path").first()
    out: dict = {"community_registrations_before": busiest["n"]}
    with transaction.atomic():
        missing = DRAFT_MEMBERS - busiest["n"]
        if missing > 0:
            free = list(
                Member.objects.filter(category=Category.EMPLOYED, standing=Standing.ACTIVE)
                .exclude(registrations__active=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:missing]
            )
            Registration.objects.bulk_create(
                Registration(member_id=pk, community_id=community_id, registered_on=start - datetime.timedelta(days=40))
                for pk in free
            )
            now = timezone.now()
            ServiceHours.objects.bulk_create(
                ServiceHours(member_id=pk, org=org, community_id=community_id, served_on=start + datetime.timedelta(
                    days=15 * i), hours=Decimal("2.5"), content="便民服务", place="社区", source=HoursSource.RECORDED,
                    state=HoursState.VERIFIED, recorded_at=now, verified_at=now)
                for pk in free for i in range(6)
            )  # fmt: skip
        out["community_registrations"] = Registration.objects.filter(community_id=community_id, active=True).count()
        out["community_records_in_quarter"] = ServiceHours.objects.filter(
            community_id=community_id, served_on__range=(start, end)
        ).count()
        samples = []
        created = 0
        for _ in range(5):
            savepoint = transaction.savepoint()
            t = time.perf_counter()
            created, _skipped = feedback.do_draft_feedback(acting_user=None, org=org, period_kind=PeriodKind.QUARTER,
                                                           year=year, quarter=quarter)  # fmt: skip
            samples.append((time.perf_counter() - t) * 1000)
            transaction.savepoint_rollback(savepoint)
        transaction.set_rollback(True)  # the top-up and the letters: nothing stays
    samples.sort()
    out.update(letters=created, quarter=f"{year}Q{quarter}", runs_ms=[round(s, 1) for s in samples],
               median_ms=round(samples[len(samples) // 2], 1))  # fmt: skip
    return out


# ---- 3. the statistics' volunteers figures against one hand-written aggregate ------------------------------------

# each month a range of days (parameters `month_1` … `month_13`: the first days), as the statistics read them
MONTHS = ", ".join(
    f"sum(h.hours) FILTER (WHERE h.served_on >= %(month_{m})s AND h.served_on < %(month_{m + 1})s) AS m{m:02d}"
    for m in range(1, 13)
)
HAND_SQL = f"""
WITH territory AS (SELECT id FROM areas_area WHERE path LIKE %(area_prefix)s)
SELECT * FROM
  (SELECT count(*) AS in_service,
          count(*) FILTER (WHERE EXISTS (
            SELECT 1 FROM members_registration r WHERE r.member_id = m.id AND r.registered_on <= %(as_of)s
              AND ((r.active AND r.ended_on IS NULL) OR r.ended_on > %(as_of)s))) AS registered
     FROM members_member m
    WHERE m.org_id IN (SELECT id FROM orgs_org WHERE path LIKE %(prefix)s)
      AND m.category = 'employed' AND m.standing = 'active' AND m.joined_on <= %(as_of)s) AS unit_side
  CROSS JOIN
  (SELECT count(*) AS registrations_here FROM members_registration r
    WHERE r.community_id IN (SELECT id FROM territory) AND r.registered_on <= %(as_of)s
      AND ((r.active AND r.ended_on IS NULL) OR r.ended_on > %(as_of)s)) AS community_side
  CROSS JOIN
  (SELECT count(*) AS unit_registrations FROM volunteers_unitregistration u
    WHERE u.community_id IN (SELECT id FROM territory) AND u.registered_on <= %(as_of)s
      AND ((u.active AND u.ended_on IS NULL) OR u.ended_on > %(as_of)s)) AS units
  CROSS JOIN
  (SELECT count(*) AS records, sum(h.hours) AS total_hours, count(DISTINCT h.member_id) AS active, {MONTHS}
     FROM volunteers_servicehours h
    WHERE h.community_id IN (SELECT id FROM territory) AND h.state = 'verified'
      AND h.served_on >= %(year_start)s AND h.served_on <= %(as_of)s) AS hours
"""


def hand_params(org, as_of: datetime.date) -> dict:
    year_start = as_of.replace(month=1, day=1)
    months = {f"month_{m}": datetime.date(as_of.year + m // 13, (m - 1) % 12 + 1, 1) for m in range(1, 14)}
    return {"prefix": org.path + "%", "area_prefix": org.area.path + "%", "as_of": as_of, "year_start": year_start,
            **months}  # fmt: skip


def hand_sql(org, as_of: datetime.date) -> dict:
    params = hand_params(org, as_of)
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, params)
        names = [c.name for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def section(org, user, as_of: datetime.date) -> dict:
    """The volunteers' figures as the statistics compute them: their statements read in one round trip."""
    rows = read_together(Member.objects.db, volunteer_stats.statements(org, user=user, as_of=as_of))
    return volunteer_stats.figures(rows, as_of=as_of)["volunteers"]


def differences(figures: dict, row: dict, as_of: datetime.date) -> list[str]:
    hand = volunteer_stats.figures([row, row, row], as_of=as_of)["volunteers"]
    return [f"{k}: section {figures[k]} vs SQL {hand[k]}" for k in figures if figures[k] != hand[k]]


def bench_statistics(as_of: datetime.date) -> dict:
    """The city (its admin: the whole territory, no scope condition), a district and a community."""
    city = Org.objects.filter(type="city_committee").select_related("area").order_by("path").first()
    district = Org.objects.filter(type="district_committee").select_related("area").order_by("path").first()
    busiest = (
        ServiceHours.objects.filter(served_on__year=as_of.year).values("community_id").annotate(n=Count("pk"))
        .order_by("-n").first()
    )  # fmt: skip
    community = Org.objects.filter(area_id=busiest["community_id"]).select_related("area").order_by("depth").first()
    out = {}
    for label, org in (("city", city), ("district", district), ("community", community)):
        if org is None or org.area_id is None:
            continue
        figures = section(org, EVERYTHING, as_of)
        t_section, t_sql = timed_pair(lambda o=org: section(o, EVERYTHING, as_of), lambda o=org: hand_sql(o, as_of),
                                      repeat=max(9, REPEAT // 4))  # fmt: skip
        out[label] = {
            "org": org.code,
            "records_this_year": figures["records"],
            "hours_this_year": figures["hours"],
            "section": t_section,
            "hand_sql": t_sql,
            "ratio_p50": round(t_section["p50_ms"] / t_sql["p50_ms"], 2),
            "ratio_p95": round(t_section["p95_ms"] / t_sql["p95_ms"], 2),
            "differences": differences(figures, hand_sql(org, as_of), as_of),
        }
        log("volunteers statistics", label, out[label])
    return out


def main():
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine()}
    results["service_records"] = ServiceHours.objects.count()
    keep_request_queries()
    results["my_page"] = bench_my_page()
    log("my page", results["my_page"])
    results["drafting"] = bench_drafting()
    log("drafting", results["drafting"])
    results["statistics"] = bench_statistics(dates.today())
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    (out / "volunteers.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    json.dump(results, sys.stdout, ensure_ascii=False, indent=2, default=str)
    print()


if __name__ == "__main__":
    main()
