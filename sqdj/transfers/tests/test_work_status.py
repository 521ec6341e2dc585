"""The member's work status and the derived category (issue 13 part 1): 流动 is an open outflow or inflow, the rest
follows the work status with glossary.md's precedence; an import's 党员分类 maps onto the work status, 流动党员
without an outflow records an incomplete one (a finding to complete), 工作状况 takes precedence, the export writes
both; the statistics count both, the six categories summing to the total."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from sqdj.core.rules import clear_cache, run_checks
from sqdj.core.scope import EVERYTHING
from sqdj.members.choices import Category, WorkStatus
from sqdj.members.importers import TEMPLATE_HEADERS, MemberImporter
from sqdj.members.models import Member
from sqdj.members.services import derive_category, do_create_member, do_update_member
from sqdj.testing import build_world
from sqdj.testing.imports import run_import, write_csv
from sqdj.testing.members import make_id_number, member_data
from sqdj.transfers import mobile_services as M
from sqdj.transfers.models import Outflow

pytestmark = pytest.mark.django_db
D = datetime.date
BIRTH = D(1970, 5, 4)
H = MemberImporter.headers


@pytest.fixture
def world():
    clear_cache()
    yield build_world()
    clear_cache()


@pytest.mark.parametrize(
    ("status", "mobile", "category"),
    [
        (WorkStatus.EMPLOYED, False, Category.EMPLOYED),
        (WorkStatus.RETIRED, False, Category.RETIRED),
        (WorkStatus.VETERAN_RETIRED, False, Category.VETERAN_RETIRED),
        (WorkStatus.UNEMPLOYED, False, Category.UNEMPLOYED),
        (WorkStatus.NO_FIXED_JOB, False, Category.RESIDENT),
        (WorkStatus.STUDENT, False, Category.RESIDENT),
        (WorkStatus.OTHER, False, Category.RESIDENT),
        (WorkStatus.VETERAN_RETIRED, True, Category.MOBILE),  # 流动 first
        (WorkStatus.EMPLOYED, True, Category.MOBILE),
    ],
)
def test_category_precedence(status, mobile, category):
    assert derive_category(status, mobile) == category


def test_category_is_derived_on_create_and_update_never_typed(world):
    m = do_create_member(acting_user=None, **member_data(world.branch1, seq=1, work_status="student"))
    assert (m.work_status, m.category) == ("student", "resident")
    m = do_update_member(m, acting_user=None, work_status="retired", category="employed")  # a typed category
    m.refresh_from_db()
    assert (m.work_status, m.category) == ("retired", "retired")


def test_outflow_and_inflow_make_a_member_mobile_while_open(world):
    m = do_create_member(acting_user=None, **member_data(world.branch1, seq=1, work_status="retired"))
    out = M.do_record_outflow(m, acting_user=None, left_on=D(2024, 1, 1), destination="广东省深圳市")
    m.refresh_from_db()
    assert m.category == Category.MOBILE and m.work_status == WorkStatus.RETIRED
    M.do_end_outflow(out, acting_user=None, ended_on=D(2024, 9, 1), reason="returned")
    m.refresh_from_db()
    assert m.category == Category.RETIRED
    inflow = M.do_register_inflow(
        acting_user=None, name=m.name, id_number=m.id_number, home_org_name="外地某支部", arrived_on=D(2024, 10, 1),
        host_org=world.branch2,
    )  # fmt: skip
    m.refresh_from_db()
    assert m.category == Category.MOBILE
    M.do_end_inflow(inflow, acting_user=None, ended_on=D(2024, 11, 1), reason="returned")
    m.refresh_from_db()
    assert m.category == Category.RETIRED


def _row(seq, **over):
    values = {
        "姓名": "张三丰", "性别": "男", "民族": "汉族", "公民身份号码": make_id_number(BIRTH, seq),
        "出生日期": BIRTH.isoformat(), "学历": "大学本科", "人员类别": "正式党员", "入党日期": "1995-07-01",
        "转正日期": "1996-07-01", "党员分类": "在职党员", "所在党组织编码": "ZBT1", "居住区域编码": "",
        "联系电话": "", "工作单位": "", "工作状况": "",
    }  # fmt: skip
    values.update(over)
    return values


def _file(tmp_path, rows, headers=H):
    return write_csv(tmp_path / "m.csv", [headers, *([r[h] for h in headers] for r in rows)])


def test_import_maps_category_and_work_status_takes_precedence(world, tmp_path):
    rows = [
        _row(1, **{"党员分类": "退休职工党员"}),
        _row(2, **{"党员分类": "居民党员"}),
        _row(3, **{"党员分类": "居民党员", "工作状况": "学生"}),
        _row(4, **{"党员分类": "在职党员", "工作状况": "离休"}),  # precedence, with a warning
    ]
    status, out = run_import("members", _file(tmp_path, rows))
    assert status == 0, out
    got = {m.id_number: (m.work_status, m.category) for m in Member.objects.all()}
    assert [got[make_id_number(BIRTH, s)] for s in (1, 2, 3, 4)] == [
        ("retired", "retired"), ("other", "resident"), ("student", "resident"),
        ("veteran_retired", "veteran_retired"),
    ]  # fmt: skip
    assert [(w["row"], w["column"]) for w in out["warnings"]] == [(5, "党员分类")]


def test_the_template_without_work_status_column_imports(world, tmp_path):
    status, out = run_import("members", _file(tmp_path, [_row(1, **{"党员分类": "下岗失业党员"})], TEMPLATE_HEADERS))
    assert status == 0, out
    assert Member.objects.get().work_status == "unemployed"


def test_unknown_work_status_is_a_row_error_and_nothing_is_written(world, tmp_path):
    status, out = run_import("members", _file(tmp_path, [_row(1), _row(2, **{"工作状况": "待业"})]))
    assert status == 1
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(3, "工作状况")]
    assert "待业" in out["errors"][0]["message"] and "无固定职业" in out["errors"][0]["message"]
    assert not Member.objects.exists()


def test_mobile_without_outflow_records_an_incomplete_one_with_a_warning_and_a_finding(world, tmp_path):
    away = do_create_member(acting_user=None, **member_data(world.branch1, seq=2, work_status="employed"))
    M.do_record_outflow(away, acting_user=None, left_on=D(2024, 1, 1), destination="上海市")
    rows = [_row(1, **{"党员分类": "流动党员"}), _row(2, **{"党员分类": "流动党员"})]
    status, out = run_import("members", _file(tmp_path, rows), "--user", "admin1")
    assert status == 0, out
    assert [(w["row"], w["column"]) for w in out["warnings"]] == [(2, "党员分类")]  # row 3 is away on record
    new = Member.objects.get(id_number_index=Member.index_of_id_number(make_id_number(BIRTH, 1)))
    away.refresh_from_db()
    assert (new.work_status, new.category) == ("other", "mobile")  # 流动 tells no work status
    assert (away.work_status, away.category) == ("employed", "mobile")  # the stored status stays
    incomplete = Outflow.objects.get(member=new)
    assert incomplete.incomplete and incomplete.ended_on is None and incomplete.destination == ""
    assert Outflow.objects.filter(member=away, incomplete=False).count() == 1
    found = run_checks(world.district, user=EVERYTHING, rules=["mobile.outflow_incomplete"])
    assert [(f.object_code, f.severity) for f in found] == [(f"outflow-{incomplete.pk}", "warning")]
    assert "mobile.outflow_incomplete" not in found[0].message and new.name in found[0].message
    # the same file again: the member is away on record now, no second outflow, no warning
    status, out = run_import("members", _file(tmp_path, rows), "--user", "admin1")
    assert status == 0 and not out["warnings"] and Outflow.objects.count() == 2, out
    # completed by staff: no longer a finding
    M.do_update_outflow(incomplete, acting_user=None, destination="江苏省苏州市")
    assert not run_checks(world.district, user=EVERYTHING, rules=["mobile.outflow_incomplete"])


def test_export_writes_the_derived_category_and_the_work_status(world, tmp_path):
    do_create_member(acting_user=None, **member_data(world.branch1, seq=1, work_status="student"))
    do_create_member(acting_user=None, **member_data(world.branch1, seq=2, work_status="retired"))
    path = tmp_path / "out.csv"
    code = world.district.code
    call_command("export", "members", "--org", code, "--descendants", "-o", str(path), stderr=io.StringIO())
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",") == H and H[-1] == "工作状况" and H[:-1] == TEMPLATE_HEADERS
    cells = sorted((line.split(",")[H.index("党员分类")], line.split(",")[-1]) for line in lines[1:])
    assert cells == [("居民党员", "学生"), ("退休职工党员", "退休")]
