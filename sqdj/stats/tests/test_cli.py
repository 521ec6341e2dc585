import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from . import expected

SQDJ = str(Path(sys.executable).with_name("sqdj"))


def stats(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("stats", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_json_is_the_statistics_object(world):
    assert json.loads(stats("--org", "DWT01", "--as-of", "2025-06-15", "--json")) == expected.DISTRICT_AS_OF
    assert json.loads(stats("--org", "DWT01", "--as-of", "2025-07-01", "--json", "--user", "root")) == (
        expected.DISTRICT_LATER
    )


def test_json_is_one_line_of_chinese(world):
    text = stats("--org", "SQT1", "--as-of", "2025-06-15", "--json", "--user", "admin1")
    assert text.count("\n") == 1 and "党总支" in text and "\\u" not in text


def test_json_equals_the_api(world):
    c = Client()
    c.force_login(world.admin1)
    for code in ("SQT1", "ZBT1", "XZT1"):
        api = c.get("/api/v1/stats/", {"org": code, "as_of": "2025-06-15"}).json()
        cli = json.loads(stats("--org", code, "--as-of", "2025-06-15", "--json", "--user", "admin1"))
        assert cli == api
    assert api == json.loads(stats("--org", "XZT1", "--as-of", "2025-06-15", "--json", "--user", "admin1"))


def test_scoped_user(world):
    assert json.loads(stats("--org", "SQT1", "--as-of", "2025-06-15", "--json", "--user", "admin1")) == (
        expected.COMMUNITY1_ADMIN
    )


@pytest.mark.parametrize("code", ["DWT01", "SQT2", "NOPE"])
def test_out_of_scope_or_unknown_org_exits_1(world, code):
    with pytest.raises(CommandError) as exc:
        stats("--org", code, "--json", "--user", "admin1")
    assert exc.value.returncode == 1


@pytest.mark.parametrize(
    "args",
    [["--org", "SQT1", "--as-of", "2025-02-30"], ["--org", "SQT1", "-o", "stats.txt"],
     ["--org", "SQT1", "--user", "ghost"]],
)  # fmt: skip
def test_usage_errors_exit_2(world, args):
    with pytest.raises(CommandError) as exc:
        stats(*args)
    assert exc.value.returncode == 2


def test_argument_errors_exit_2(tmp_path):
    env = {**os.environ, "SQDJ_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "sqdj.settings"}
    env.pop("DATABASE_URL", None)
    for args in (["stats"], ["stats", "--org", "X", "--json", "-o", "x.xlsx"]):
        r = subprocess.run([SQDJ, *args], env=env, capture_output=True, text=True, timeout=120)
        assert r.returncode == 2, (args, r.stderr)
    r = subprocess.run([SQDJ, "stats", "--help"], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "PDF" in r.stdout


def test_workbook(world, tmp_path):
    out = tmp_path / "统计.xlsx"
    call_command("stats", "--org", "DWT01", "--as-of", "2025-06-15", "-o", str(out), stderr=io.StringIO())
    ws = load_workbook(out).active
    rows = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}
    assert rows["组织编码"] == "DWT01" and rows["统计日期"] == "2025-06-15"
    assert rows["党组织总数"] == 7 and rows["党支部"] == 2 and rows["党员总数"] == 12 and rows["正式党员"] == 10
    assert rows["30岁及以下"] == 2 and rows["61岁及以上"] == 1 and rows["少数民族党员"] == 1
    assert rows["已建立党组织的社区数"] == 2 and rows["大学本科"] == 5 and rows["居民党员"] == 2


def test_plain_summary(world):
    text = stats("--org", "SQT1", "--as-of", "2025-06-15")
    assert "中共甲社区总支部委员会（SQT1） 2025-06-15" in text and "党员总数: 6" in text
