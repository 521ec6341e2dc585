"""Benchmark: importing 100,000 members from .xlsx against merely reading the same file with openpyxl.

    .venv/bin/python bench/import_members.py [--rows N]                        # SQLite (a fresh file)
    scripts/with-postgres.sh .venv/bin/python bench/import_members.py          # PostgreSQL

Generates a deterministic valid members file (orgs from `synthetic.generate("medium")`), times openpyxl's
read-only reader over it (best of two), then `MemberImporter(user=None).run(data, "m.xlsx")` on an empty members
table, then the same file again (everything unchanged). Prints rows/s and the ratio import ÷ read (wall clock;
also this process's CPU time, which a busy machine disturbs less); the target is ≤ 3. Figures are merged into
bench/results/import_members.json under the database's name. Not a test: nothing here asserts a time.

`member_rows()` is also the kill test's data source (sqdj/members/tests/test_import.py).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

from sqdj.core import idnumber

HEADERS = ["姓名", "性别", "民族", "公民身份号码", "出生日期", "学历", "人员类别", "入党日期", "转正日期", "党员分类",
           "所在党组织编码", "居住区域编码", "联系电话", "工作单位"]  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉志红文辉鹏飞宇浩然欣怡佳琪思雨子轩梓涵海燕德福"
ETHNIC = ["汉族"] * 94 + ["回族", "满族", "蒙古族", "朝鲜族", "壮族", "土家族"]
EDUCATION = ["研究生"] * 5 + ["大学本科"] * 30 + ["大学专科"] * 25 + ["中专"] * 10 + ["高中"] * 15 + ["初中及以下"] * 15
CATEGORY = ["在职党员"] * 40 + ["退休职工党员"] * 35 + ["离休干部党员"] * 2 + ["下岗失业党员"] * 3 + ["流动党员"] * 5
CATEGORY += ["居民党员"] * 15
REGIONS = ["120101", "120102", "120103", "120104", "120105", "120106", "120110", "120111", "120112", "120113"]
UNITS = [
    "天津市某区人民政府",
    "某街道办事处",
    "某社区居委会",
    "某中学",
    "某医院",
    "某建设集团有限公司",
    "某商贸公司",
    "某物业公司",
]
LAST_JOIN = datetime.date(2025, 6, 30)  # fixed, so that the file is the same whenever it is made


def member_rows(n: int, org_codes: list[str], area_codes: list[str], seed: int = 2026):
    """`n` valid template rows (lists in header order; dates as `datetime.date`), the same for the same input."""

    rng = random.Random(f"members:{seed}")
    org_codes, area_codes = sorted(org_codes), sorted(area_codes)
    seen: set[str] = set()
    first_birth, last_birth = datetime.date(1935, 1, 1), datetime.date(LAST_JOIN.year - 19, 6, 30)
    for _ in range(n):
        female = rng.random() < 0.32
        while True:
            birth = first_birth + datetime.timedelta(days=rng.randint(0, (last_birth - first_birth).days))
            id_number = idnumber.compose(rng.choice(REGIONS), birth, rng.randint(0, 499) * 2 + (0 if female else 1))
            if id_number not in seen:
                seen.add(id_number)
                break
        earliest = datetime.date(birth.year + 18, birth.month, 1) + datetime.timedelta(days=31)  # next month
        earliest = earliest.replace(day=1)
        joined = earliest + datetime.timedelta(days=rng.randint(0, (LAST_JOIN - earliest).days))
        joined = joined.replace(day=min(joined.day, 28))  # a year later is the same day
        probationary = (LAST_JOIN - joined).days < 365
        confirmed = None if probationary else datetime.date(joined.year + 1, joined.month, joined.day)
        yield [
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))),
            "女" if female else "男",
            rng.choice(ETHNIC),
            id_number,
            birth,
            rng.choice(EDUCATION),
            "预备党员" if probationary else "正式党员",
            joined,
            confirmed,
            rng.choice(CATEGORY),
            rng.choice(org_codes),
            rng.choice(area_codes) if rng.random() < 0.8 else "",
            f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}" if rng.random() < 0.9 else "",
            rng.choice(UNITS) if rng.random() < 0.6 else "",
        ]


def write_xlsx(rows, path: Path | None = None) -> bytes:
    """A write-only workbook: codes and numbers as text cells, dates as real date cells."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def write_csv(rows, path: Path) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for r in rows:
            w.writerow(["" if v is None else v.isoformat() if isinstance(v, datetime.date) else v for v in r])
    return path


def read_with_openpyxl(data: bytes) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True)
    n = 0
    for _row in wb.worksheets[0].iter_rows(values_only=True):
        n += 1
    wb.close()
    return n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    os.environ.setdefault("SQDJ_DATA_DIR", tempfile.mkdtemp(prefix="sqdj-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqdj.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sqdj.areas.models import Area
    from sqdj.demo import synthetic
    from sqdj.members.importers import MemberImporter
    from sqdj.members.models import Member
    from sqdj.orgs.models import Org

    call_command("migrate", verbosity=0)
    synthetic.generate("medium")
    # the synthetic city comes with members: start from an empty roll (raw deletes: no change-log rows), and
    # vacuum, so that the import does not pay for the deleted rows' index entries
    for rel in Member._meta.related_objects:
        rel.related_model.objects.all()._raw_delete(connection.alias)
    Member.objects.all()._raw_delete(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    assert not Member.objects.exists(), "the members table must start empty"
    orgs = list(Org.objects.filter(type="branch").values_list("code", flat=True))
    areas = list(Area.objects.filter(type__in=["community", "grid", "estate"]).values_list("code", flat=True))

    t = time.perf_counter()
    data = write_xlsx(member_rows(args.rows, orgs, areas))
    gen_s = time.perf_counter() - t
    print(f"generated {args.rows} rows, {len(data) / 2**20:.1f} MB in {gen_s:.1f} s", flush=True)

    reads, read_cpus = [], []
    for _ in range(2):
        t, c = time.perf_counter(), time.process_time()
        assert read_with_openpyxl(data) == args.rows + 1
        reads.append(time.perf_counter() - t)
        read_cpus.append(time.process_time() - c)
    read_s, read_cpu = min(reads), min(read_cpus)
    print(f"openpyxl read-only: {read_s:.1f} s ({args.rows / read_s:,.0f} rows/s)", flush=True)

    stages = {}
    t0 = time.perf_counter()

    c0 = time.process_time()

    def progress(done, total, stage="write"):
        now, cpu = time.perf_counter() - t0, time.process_time() - c0
        stages.setdefault(f"first_{stage}_s", round(now, 2))
        stages.setdefault(f"first_{stage}_cpu_s", round(cpu, 2))
        stages[f"last_{stage}_s"] = round(now, 2)
        stages[f"last_{stage}_cpu_s"] = round(cpu, 2)

    t, c = time.perf_counter(), time.process_time()
    result = MemberImporter(user=None).run(data, "m.xlsx", progress=progress)
    import_s, import_cpu = time.perf_counter() - t, time.process_time() - c
    assert result.ok and result.created == args.rows, result.errors[:5]
    assert Member.objects.count() == args.rows
    print(f"import: {import_s:.1f} s ({args.rows / import_s:,.0f} rows/s); ratio {import_s / read_s:.2f}", flush=True)
    print(
        f"  this process's CPU time: read {read_cpu:.1f} s, import {import_cpu:.1f} s, ratio "
        f"{import_cpu / read_cpu:.2f} (the database server's own CPU is not in it)",
        flush=True,
    )
    print(f"  stages (s from start): {stages}", flush=True)

    t = time.perf_counter()
    again = MemberImporter(user=None).run(data, "m.xlsx")
    again_s = time.perf_counter() - t
    assert again.ok and again.unchanged == args.rows, (again.created, again.updated, again.unchanged)
    print(f"second import (all unchanged): {again_s:.1f} s; ratio {again_s / read_s:.2f}", flush=True)

    figures = {
        "rows": args.rows,
        "file_mb": round(len(data) / 2**20, 2),
        "openpyxl_read_s": round(read_s, 2),
        "import_s": round(import_s, 2),
        "import_rows_per_s": round(args.rows / import_s),
        "ratio": round(import_s / read_s, 2),
        "openpyxl_read_cpu_s": round(read_cpu, 2),
        "import_cpu_s": round(import_cpu, 2),
        "cpu_ratio": round(import_cpu / read_cpu, 2),
        "import_stages_s": stages,
        "reimport_unchanged_s": round(again_s, 2),
        "reimport_ratio": round(again_s / read_s, 2),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": datetime.date.today().isoformat(),
    }
    out = Path(__file__).with_name("results") / "import_members.json"
    out.parent.mkdir(exist_ok=True)
    results = json.loads(out.read_text()) if out.exists() else {}
    results[connection.vendor] = figures
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
