"""Benchmark: importing members from .xlsx against merely reading the same file with openpyxl — time and memory.

    .venv/bin/python bench/import_members.py [--rows 100000,300000]                       # SQLite (a fresh file)
    scripts/with-postgres.sh .venv/bin/python bench/import_members.py --rows 100000,300000   # PostgreSQL

For each size: generates a deterministic valid members file (orgs from `synthetic.generate("medium")`; its text
cells in a shared-strings table, as Excel and WPS save them: `with_shared_strings`), reads it
with openpyxl's read-only reader (best of two), then `MemberImporter(user=None).run(path, "m.xlsx")` on an empty
members table, then the same file again (everything unchanged). Each of these runs in a fresh child process, which
reports its wall clock, CPU time and peak RSS (VmHWM; the import is handed the file's path, as `sqdj import` and
the worker do, and also shows the baseline of Django and the app loaded). Prints rows/s, the ratio import ÷
read (the target is ≤ 3) and the peaks (the target: ≤ 150 MB, the same at 100,000 and 300,000 rows). Figures are
merged into bench/results/import_members.json under the database's name, by size. Not a test: nothing here
asserts a time or a size.

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
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
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


def write_xlsx(rows, path: Path | None = None, headers: list[str] = HEADERS) -> bytes:
    """A write-only workbook: codes and numbers as text cells, dates as real date cells."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


_INLINE = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"((?: [a-z]+="[^"]*")*) t="inlineStr"><is><t(?: [^>]*)?>([^<]*)</t></is></c>'
)
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def with_shared_strings(data: bytes) -> bytes:
    """The workbook as Excel and WPS save it: every text cell an index into one shared-strings table (openpyxl's
    write-only mode writes the text inline, which a reader need not keep)."""
    table: dict[bytes, int] = {}

    def shared(m: re.Match) -> bytes:
        index = table.setdefault(m.group(3), len(table))
        return b'<c r="' + m.group(1) + b'"' + m.group(2) + b' t="s"><v>' + str(index).encode() + b"</v></c>"

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            part = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                part = _INLINE.sub(shared, part)
            elif name == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/>'
                part = part.replace(b"</Types>", override.encode() + b"</Types>")
            elif name == "xl/_rels/workbook.xml.rels":
                rel = f'<Relationship Id="rIdSharedStrings" Type="{SST_REL}" Target="sharedStrings.xml"/>'
                part = part.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            dst.writestr(name, part)
        strings = b"".join(b"<si><t>" + text + b"</t></si>" for text in table)
        head = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="{len(table)}">'
        dst.writestr("xl/sharedStrings.xml", head.encode() + strings + b"</sst>")
    return out.getvalue()


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


def _peak_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries the forking parent's peak into the child's
    ru_maxrss across exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def child_read(path: str) -> dict:
    """In a fresh process: read the file with openpyxl read-only (no Django loaded)."""
    data = Path(path).read_bytes()
    t, c = time.perf_counter(), _cpu_s()
    n = read_with_openpyxl(data)
    return {"rows": n - 1, "s": time.perf_counter() - t, "cpu_s": _cpu_s() - c, "peak_mb": _peak_mb()}


def child_import(path: str) -> dict:
    """In a fresh process: `MemberImporter(user=None).run(path, "m.xlsx")`, as `sqdj import members FILE` does."""
    import django

    django.setup()
    from sqdj.members.importers import MemberImporter

    MemberImporter(user=None)  # the app's modules loaded: the baseline
    baseline = _peak_mb()
    stages: dict = {}
    t0, c0 = time.perf_counter(), _cpu_s()

    def progress(done, total, stage="write"):
        now = time.perf_counter() - t0
        stages.setdefault(f"first_{stage}_s", round(now, 2))
        stages[f"last_{stage}_s"] = round(now, 2)

    result = MemberImporter(user=None).run(Path(path), "m.xlsx", progress=progress)
    return {
        "ok": result.ok,
        "errors": [e.__dict__ for e in result.errors[:5]],
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "s": time.perf_counter() - t0,
        "cpu_s": _cpu_s() - c0,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
        "stages": stages,
    }


def in_child(what: str, path: Path) -> dict:
    """Run `child_<what>` in a new Python process (its own peak RSS) and return what it printed."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", what, str(path)], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"child {what} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def empty_roll() -> None:
    """Start from an empty roll (raw deletes: no change-log rows), vacuumed, so that the import does not pay for
    the deleted rows' index entries."""
    from django.db import connection

    from sqdj.members.models import Member

    if connection.vendor == "postgresql":  # with whatever refers to members, and what refers to that (units' visits)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {Member._meta.db_table} CASCADE")
    else:
        for rel in Member._meta.related_objects:
            rel.related_model.objects.all()._raw_delete(connection.alias)
        Member.objects.all()._raw_delete(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    assert not Member.objects.exists(), "the members table must start empty"


def measure(n: int, orgs: list[str], areas: list[str], workdir: Path) -> dict:
    from sqdj.members.models import Member

    t = time.perf_counter()
    path = workdir / f"members-{n}.xlsx"
    data = with_shared_strings(write_xlsx(member_rows(n, orgs, areas)))
    path.write_bytes(data)
    file_mb = len(data) / 2**20
    print(f"generated {n} rows, {file_mb:.1f} MB in {time.perf_counter() - t:.1f} s", flush=True)
    del data

    reads = [in_child("read", path) for _ in range(2)]
    assert all(r["rows"] == n for r in reads), reads
    read = min(reads, key=lambda r: r["s"])
    read_cpu = min(r["cpu_s"] for r in reads)
    read_peak = max(r["peak_mb"] for r in reads)
    print(f"openpyxl read-only: {read['s']:.1f} s ({n / read['s']:,.0f} rows/s), peak {read_peak:.0f} MB", flush=True)

    empty_roll()
    imp = in_child("import", path)
    assert imp["ok"] and imp["created"] == n, imp["errors"]
    assert Member.objects.count() == n
    print(
        f"import: {imp['s']:.1f} s ({n / imp['s']:,.0f} rows/s); ratio {imp['s'] / read['s']:.2f}; "
        f"peak {imp['peak_mb']:.0f} MB (Django and the app loaded: {imp['baseline_mb']:.0f} MB)",
        flush=True,
    )
    print(f"  CPU: read {read_cpu:.1f} s, import {imp['cpu_s']:.1f} s, ratio {imp['cpu_s'] / read_cpu:.2f}", flush=True)
    print(f"  stages (s from start): {imp['stages']}", flush=True)

    again = in_child("import", path)
    assert again["ok"] and again["unchanged"] == n, (again["created"], again["updated"], again["unchanged"])
    print(
        f"second import (all unchanged): {again['s']:.1f} s; ratio {again['s'] / read['s']:.2f}; "
        f"peak {again['peak_mb']:.0f} MB",
        flush=True,
    )
    path.unlink()
    return {
        "rows": n,
        "file_mb": round(file_mb, 2),
        "openpyxl_read_s": round(read["s"], 2),
        "openpyxl_read_peak_mb": round(read_peak, 1),
        "import_s": round(imp["s"], 2),
        "import_rows_per_s": round(n / imp["s"]),
        "ratio": round(imp["s"] / read["s"], 2),
        "import_peak_mb": round(imp["peak_mb"], 1),
        "import_baseline_mb": round(imp["baseline_mb"], 1),
        "openpyxl_read_cpu_s": round(read_cpu, 2),
        "import_cpu_s": round(imp["cpu_s"], 2),
        "cpu_ratio": round(imp["cpu_s"] / read_cpu, 2),
        "import_stages_s": imp["stages"],
        "reimport_unchanged_s": round(again["s"], 2),
        "reimport_ratio": round(again["s"] / read["s"], 2),
        "reimport_peak_mb": round(again["peak_mb"], 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="100000", help="rows of the file; several sizes: 100000,300000")
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if args.child:
        what, path = args.child
        print(json.dumps(child_read(path) if what == "read" else child_import(path)))
        return

    sizes = [int(n.replace("_", "")) for n in args.rows.split(",")]
    os.environ.setdefault("SQDJ_DATA_DIR", tempfile.mkdtemp(prefix="sqdj-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqdj.settings")
    # the children import files larger than the default limits allow (300,000 rows)
    os.environ["SQDJ_IMPORT_MAX_ROWS"] = str(max(max(sizes), 200_000))
    os.environ["SQDJ_IMPORT_MAX_BYTES"] = str(200 * 2**20)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sqdj.areas.models import Area
    from sqdj.demo import synthetic
    from sqdj.orgs.models import Org

    call_command("migrate", verbosity=0)
    synthetic.generate("medium")
    orgs = list(Org.objects.filter(type="branch").values_list("code", flat=True))
    areas = list(Area.objects.filter(type__in=["community", "grid", "estate"]).values_list("code", flat=True))
    connection.close()  # the children write: no transaction of ours may be open

    out = Path(__file__).with_name("results") / "import_members.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    by_size = {}
    with tempfile.TemporaryDirectory(prefix="sqdj-bench-files-") as workdir:
        for n in sizes:
            by_size[str(n)] = measure(n, orgs, areas, Path(workdir))
            connection.close()
    earlier = results.get(connection.vendor, {}).get("sizes", {})  # sizes measured by an earlier run are kept
    results[connection.vendor] = {
        "sizes": {**earlier, **by_size},
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "date": datetime.date.today().isoformat(),
    }
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
