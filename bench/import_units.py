"""Benchmark: importing units (interfaces.md §2 `units`) from .xlsx against reading the same file with openpyxl.

    scripts/with-postgres.sh .venv/bin/python bench/import_units.py [--rows 50000]

As bench/import_members.py does for members (whose file writer, child processes and peak-memory reading it
reuses): a deterministic valid units file over the communities of `synthetic.generate("medium")`, read with
openpyxl's read-only reader (best of two), then `UnitImporter(user=None).run(path, "u.xlsx")` into an empty units
registry, then the same file again (everything unchanged), each in a fresh process. The target of issue 15: the
import ≤ 3× the read. Figures go to bench/results/import_units.json under the database's name. Nothing asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_members import in_child as _in_child  # noqa: E402
from import_members import with_shared_strings, write_xlsx  # noqa: E402

CATEGORIES = ["党政机关"] * 2 + ["事业单位"] * 5 + ["国有企业"] * 3 + ["非公有制企业"] * 80 + ["社会组织"] * 8
CATEGORIES += ["其他"] * 2
WORDS = "华信达通源泰丰盛嘉宏远博瑞鑫隆祥和兴安康恒创新智联合润"
KINDS = ["科技有限公司", "商贸有限公司", "餐饮管理有限公司", "物业服务有限公司", "咨询服务中心", "文化传播有限公司"]
KINDS += ["协会"]


def credit_codes(n: int, seed: int) -> list[str]:
    """`n` distinct valid codes, as the demo city makes them (sqdj.demo.units)."""
    from sqdj.demo.units import _credit_code

    rng, used = random.Random(seed), set()
    return [_credit_code(rng, used, "91", "120101", new=True) for _ in range(n)]


def unit_rows(n: int, areas: list[str], seed: int = 2026):
    rng = random.Random(seed)
    codes = credit_codes(n, seed)
    for i in range(n):
        employees = rng.choice([1, 3, 5, 8, 12, 20, 35, 60, 120, 400])
        members = min(employees, rng.choice([0, 0, 0, 1, 2, 3, 5]))
        name = "".join(rng.choice(WORDS) for _ in range(3)) + f"{i}" + rng.choice(KINDS)
        instructor = rng.choice(["", "", "", "王指导", "李联络"])
        phone = f"13{rng.randrange(10**9):09d}" if rng.random() < 0.7 else ""
        yield [name, codes[i], rng.choice(CATEGORIES), rng.choice(areas), str(employees), str(members), "",
               instructor, rng.choice(["张经理", "刘主任", ""]), phone]  # fmt: skip


def child_import(path: str) -> dict:
    """In a fresh process: `UnitImporter(user=None).run(path, "u.xlsx")`, as `sqdj import units FILE` does."""
    import time

    import django

    django.setup()
    from import_members import _cpu_s, _peak_mb

    from sqdj.units.importers import UnitImporter

    baseline = _peak_mb()
    t0, c0 = time.perf_counter(), _cpu_s()
    result = UnitImporter(user=None).run(Path(path), "u.xlsx")
    return {
        "ok": result.ok,
        "errors": [e.__dict__ for e in result.errors[:5]],
        "created": result.created,
        "unchanged": result.unchanged,
        "s": time.perf_counter() - t0,
        "cpu_s": _cpu_s() - c0,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
    }


def in_child(what: str, path: Path) -> dict:
    if what == "read":
        return _in_child("read", path)
    import subprocess

    out = subprocess.run(
        [sys.executable, __file__, "--child", what, str(path)], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"child {what} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="50000")
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("SQDJ_DATA_DIR", tempfile.mkdtemp(prefix="sqdj-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqdj.settings")
    if args.child:
        print(json.dumps(child_import(args.child[1])))
        return
    n = int(args.rows)
    os.environ["SQDJ_IMPORT_MAX_ROWS"] = str(max(n, 200_000))
    os.environ["SQDJ_IMPORT_MAX_BYTES"] = str(200 * 2**20)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sqdj.areas.models import Area
    from sqdj.demo import synthetic
    from sqdj.units.importers import UnitImporter
    from sqdj.units.models import Unit

    call_command("migrate", verbosity=0)
    synthetic.generate("medium")
    areas = list(Area.objects.filter(type="community").values_list("code", flat=True))
    # an empty registry: the medium city's own units and everything of the units app removed, raw
    from django.apps import apps

    tables = [m._meta.db_table for m in apps.get_app_config("units").get_models(include_auto_created=True)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (the app's own table names)
            cursor.execute("PRAGMA foreign_keys = ON")
    assert not Unit.objects.exists()
    connection.close()
    with tempfile.TemporaryDirectory(prefix="sqdj-bench-files-") as workdir:
        path = Path(workdir) / f"units-{n}.xlsx"
        path.write_bytes(with_shared_strings(write_xlsx(unit_rows(n, areas), headers=UnitImporter.headers)))
        reads = [in_child("read", path) for _ in range(2)]
        read = min(reads, key=lambda r: r["s"])
        imp = in_child("import", path)
        assert imp["ok"] and imp["created"] == n, imp["errors"]
        again = in_child("import", path)
    result = {
        "rows": n,
        "openpyxl_read_s": round(read["s"], 2),
        "import_s": round(imp["s"], 2),
        "ratio": round(imp["s"] / read["s"], 2),
        "import_peak_mb": round(imp["peak_mb"], 1),
        "import_baseline_mb": round(imp["baseline_mb"], 1),
        "reimport_unchanged_s": round(again["s"], 2),
        "reimport_all_unchanged": again["ok"] and again["unchanged"] == n,
    }
    print(json.dumps(result, ensure_ascii=False))
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    (out / "import_units.json").write_text(json.dumps({connection.vendor: result}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
