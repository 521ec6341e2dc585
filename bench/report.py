"""The tables of docs/performance.md from the results of one city benchmark run (`SQDJ_BENCH_CITY=1 … make bench`):
bench/results/city.json, city-medium.json and import_members.json. Prints Markdown; copy it into the docs.

    .venv/bin/python bench/report.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).with_name("results")
LEVELS = ("community", "subdistrict", "district", "city")
LEVEL_NAMES = {"community": "社区", "subdistrict": "街道", "district": "区", "city": "市"}


def load(name: str) -> dict:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else {}


def ms(t: dict | None) -> str:
    return f"{t['p50_ms']:,.0f} / {t['p95_ms']:,.0f}" if t and "p50_ms" in t else "—"


def list_table(run: dict) -> list[str]:
    lists = run.get("list_requests", {})
    levels = [lv for lv in LEVELS if lv in lists]
    names = list(lists[levels[0]]["requests"]) if levels else []
    head = "| request (p50 / p95 ms, queries) | " + " | ".join(
        f"{LEVEL_NAMES[lv]} `{lists[lv]['user']}` ({lists[lv]['members_in_scope']:,} members)" for lv in levels
    )
    out = [head + " |", "|---|" + "---|" * len(levels)]
    for name in names:
        cells = []
        for lv in levels:
            r = lists[lv]["requests"].get(name, {})
            cells.append(f"{ms(r)} ({r.get('queries', '?')})" if "p50_ms" in r else f"status {r.get('status')}")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    firsts = [
        f"{LEVEL_NAMES[lv]} {lists[lv]['requests'][name]['first_ms']:,.0f}"
        for lv in levels
        for name in names
        if name == "members api: last page" and "first_ms" in lists[lv]["requests"].get(name, {})
    ]
    if firsts:
        out.append(
            "| members api: last page, first request (its exact count not yet cached), ms | "
            + " | ".join(f.split(" ", 1)[1] for f in firsts)
            + " |"
        )
    trivial = lists.get("trivial")
    if trivial:
        out.append(f"| {trivial['name']} | " + " | ".join([ms(trivial)] + [""] * (len(levels) - 1)) + " |")
    base = lists.get("baseline_queries", {})
    if base:
        out.append("")
        out.append(
            "Query baselines of tests/test_query_counts.py (a subdistrict admin, small data): "
            + ", ".join(f"`{k}` {v}" for k, v in sorted(base.items()))
        )
    return out


def stats_table(run: dict) -> list[str]:
    stats = run.get("statistics", {})
    out = [
        "| statistics of | members | `compute()` p50 / p95 ms (queries) | fastest SQL p50 / p95 ms (shape) "
        "| ratio p50 / p95 | other shapes p50 ms | API p50 / p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for lv in LEVELS:
        s = stats.get(lv)
        if not s:
            continue
        fastest = s["fastest_sql"]["variant"]
        others = ", ".join(f"{k}: {v:,.0f}" for k, v in s["sql_variants_p50_ms"].items() if k != fastest)
        diff = "" if not s["differences"] else f" **differences: {s['differences']}**"
        out.append(
            f"| {LEVEL_NAMES[lv]} `{s['org']}` | {s['members']:,} | {ms(s['compute'])} ({s['compute']['queries']}) "
            f"| {ms(s['fastest_sql'])} ({s['fastest_sql']['variant']}) | {s['ratio_p50']} / {s['ratio_p95']}{diff} "
            f"| {others} | {ms(s.get('api'))} |"
        )
    return out


def growth_table(city: dict, medium: dict, imports: dict) -> list[str]:
    out = [
        "| size | level | members in scope | statistics p50 ms | checks p50 ms | member list page 1 p50 ms "
        "| members API offset 5,000 p50 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for size, run in (("medium", medium), ("city", city)):
        lists, stats, checks = run.get("list_requests", {}), run.get("statistics", {}), run.get("checks", {})
        for lv in LEVELS:
            if lv not in lists:
                continue
            req = lists[lv]["requests"]
            out.append(
                f"| {size} | {LEVEL_NAMES[lv]} | {lists[lv]['members_in_scope']:,} "
                f"| {stats.get(lv, {}).get('compute', {}).get('p50_ms', '—')} "
                f"| {checks.get(lv, {}).get('p50_ms', '—')} "
                f"| {req.get('members page: category=退休', {}).get('p50_ms', '—')} "
                f"| {req.get('members api: offset=5000', {}).get('p50_ms', '—')} |"
            )
    for database, sizes in imports.items():
        if not isinstance(sizes, dict):
            continue
        for rows, r in sorted(sizes.items(), key=lambda kv: str(kv[0])):
            if isinstance(r, dict) and "import" in r:
                out.append(f"| import ({database}) | file of {rows} rows | — | — | — | {r['import']} | |")
    return out


def main():
    city, medium, imports = load("city.json"), load("city-medium.json"), load("import_members.json")
    if not city:
        sys.exit("bench/results/city.json is missing: run SQDJ_BENCH_CITY=1 scripts/with-postgres.sh make bench")
    print(f"Run started {city.get('started')}; machine: {json.dumps(city.get('machine'), ensure_ascii=False)}")
    print(f"load average at the end: {city.get('load_average_at_end')}\n")
    print("\n".join(list_table(city)))
    print()
    print("\n".join(stats_table(city)))
    print()
    print("\n".join(growth_table(city, medium, imports)))


if __name__ == "__main__":
    main()
