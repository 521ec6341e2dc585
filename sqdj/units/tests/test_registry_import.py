"""`sqdj import units` / `sqdj export units` (interfaces.md §1–2 `units`) and the registry's services: the template
exactly, the credit code as the key, a second import all unchanged, every bad input a Chinese row error with
nothing written, the export with the same columns and the phone masked unless revealed with a reason."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook
from stdnum.cn import uscc

from bench.import_units import unit_rows
from sqdj.core import dates
from sqdj.core.import_templates import template_workbook
from sqdj.core.models import AuditEvent, ObjectChange
from sqdj.testing import build_world
from sqdj.testing.imports import kill_while_writing, run_import, small_city_codes, small_city_on_its_own, write_csv
from sqdj.units import services
from sqdj.units.importers import UnitImporter
from sqdj.units.models import Instructor, Unit

pytestmark = pytest.mark.django_db

HEADERS = ["单位名称", "统一社会信用代码", "单位类别", "所在区域编码", "从业人员数", "党员人数", "党组织编码",
           "党建工作指导员", "联系人", "联系电话"]  # fmt: skip


def code(seq: int) -> str:
    base = f"91120101MA08{seq:05d}"
    return base + uscc.calc_check_digit(base)


def bad_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def row(seq: int = 1, **over) -> list:
    values = {"单位名称": f"示例单位{seq}", "统一社会信用代码": code(seq), "单位类别": "非公有制企业",
              "所在区域编码": "T01001001", "从业人员数": "20", "党员人数": "3", "党组织编码": "ZBT1",
              "党建工作指导员": "钱指导", "联系人": "赵联系", "联系电话": f"1391234{seq:04d}"}  # fmt: skip
    values.update(over)
    return [values[h] for h in HEADERS]


def state():
    return (
        list(Unit.objects.order_by("pk").values()),
        list(Instructor.objects.order_by("pk").values()),
        ObjectChange.objects.count(),
    )


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def world():
    return build_world()


def test_the_template_is_interfaces_md_exactly(world):
    assert UnitImporter.headers == HEADERS
    wb = load_workbook(io.BytesIO(template_workbook(UnitImporter(user=world.admin1))))
    first = wb.worksheets[0]
    assert [c.value for c in next(first.iter_rows(max_row=1))] == HEADERS
    notes = [[c.value for c in r] for r in wb.worksheets[1].iter_rows()]
    words = next(r for r in notes if r[0] == "单位类别")
    assert "非公有制企业" in " ".join(str(v) for v in words if v)
    # the example row imports as it is (a dry run)
    result = UnitImporter(user=world.admin1).run(template_workbook(UnitImporter(user=world.admin1)), "t.xlsx",
                                                 dry_run=True)  # fmt: skip
    assert result.ok and result.created == 1, result.errors


def test_import_creates_then_same_file_is_unchanged(world, tmp_path):
    f = write_csv(tmp_path / "u.csv", [HEADERS, row(1), row(2, 党组织编码="", 党建工作指导员="", 单位类别="社会组织")])
    status, out = run_import("units", f)
    assert status == 0, out
    assert (out["created"], out["updated"], out["unchanged"]) == (2, 0, 0)
    u1 = Unit.objects.get(credit_code=code(1))
    assert (u1.name, u1.category, u1.area, u1.employees, u1.party_members, u1.org, u1.contact_phone) == (
        "示例单位1",
        "non_public_enterprise",
        world.community_area1,
        20,
        3,
        world.branch1,
        "13912340001",
    )
    u2 = Unit.objects.get(credit_code=code(2))
    assert (u2.org, u2.category) == (None, "social_organization")
    instructor = Instructor.objects.get(unit=u1)
    assert (instructor.name, instructor.kind, instructor.started_on, instructor.ended_on) == (
        "钱指导",
        "instructor",
        dates.today(),
        None,
    )
    assert not Instructor.objects.filter(unit=u2).exists()
    before = state()
    status, out = run_import("units", f)
    assert status == 0 and (out["created"], out["updated"], out["unchanged"]) == (0, 0, 2)
    assert state() == before


def test_same_code_updates_and_other_instructors_stay(world, tmp_path):
    run_import("units", write_csv(tmp_path / "a.csv", [HEADERS, row(1)]))
    changed = row(1, 从业人员数="50", 党建工作指导员="孙指导")
    status, out = run_import("units", write_csv(tmp_path / "b.csv", [HEADERS, changed]))
    assert status == 0 and (out["created"], out["updated"], out["unchanged"]) == (0, 1, 0), out
    unit = Unit.objects.get(credit_code=code(1))
    assert unit.employees == 50
    assert sorted(unit.instructors.filter(ended_on__isnull=True).values_list("name", flat=True)) == ["孙指导", "钱指导"]


def test_a_code_in_lower_case_is_the_same_key(world, tmp_path):
    run_import("units", write_csv(tmp_path / "a.csv", [HEADERS, row(1)]))
    status, out = run_import(
        "units", write_csv(tmp_path / "b.csv", [HEADERS, row(1, 统一社会信用代码=code(1).lower())])
    )
    assert status == 0 and out["unchanged"] == 1, out


BAD = [
    ("wrong check digit", {"统一社会信用代码": bad_check(code(2))}, None, "统一社会信用代码"),
    ("code too short", {"统一社会信用代码": code(2)[:16]}, None, "统一社会信用代码"),
    ("unknown area", {"所在区域编码": "NOPE"}, None, "所在区域编码"),
    ("area outside the scope", {"所在区域编码": "T01001002", "党组织编码": ""}, "admin1", "所在区域编码"),
    ("unknown org", {"党组织编码": "NOPE"}, None, "党组织编码"),
    ("org outside the scope", {"党组织编码": "ZBT2"}, "admin1", "党组织编码"),
    ("a party group cannot hold units", {"党组织编码": "XZT1"}, None, "党组织编码"),
    ("a subdistrict committee cannot hold units", {"党组织编码": "GWT01001"}, None, "党组织编码"),
    ("members above employees", {"从业人员数": "2", "党员人数": "3"}, None, "党员人数"),
    ("non-integer count", {"从业人员数": "二十"}, None, "从业人员数"),
    ("fractional count", {"党员人数": "2.5"}, None, "党员人数"),
    ("unknown category", {"单位类别": "民营企业"}, None, "单位类别"),
    ("empty required", {"单位名称": ""}, None, "单位名称"),
    ("masked phone", {"联系电话": "139****0002"}, None, "联系电话"),
]


@pytest.mark.parametrize("name,cells,user,column", BAD, ids=[b[0] for b in BAD])
def test_bad_rows_are_rejected_whole(world, tmp_path, name, cells, user, column):
    before = state()
    args = ("--user", user) if user else ()
    status, out = run_import("units", write_csv(tmp_path / "u.csv", [HEADERS, row(1), row(2, **cells), row(3)]), *args)
    assert status == 1, out
    assert out["ok"] is False and out["created"] == out["updated"] == out["unchanged"] == 0
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(3, column)], out["errors"]
    assert all(chinese(e["message"]) for e in out["errors"]), out["errors"]
    assert state() == before


def test_check_digit_message_is_the_regulation_word(world, tmp_path):
    _status, out = run_import(
        "units", write_csv(tmp_path / "u.csv", [HEADERS, row(1, 统一社会信用代码=bad_check(code(1)))])
    )
    assert out["errors"][0]["message"] == "统一社会信用代码校验位错误"


def test_members_equal_to_employees_is_accepted(world, tmp_path):
    status, out = run_import("units", write_csv(tmp_path / "u.csv", [HEADERS, row(1, 从业人员数="3", 党员人数="3")]))
    assert status == 0, out


def test_duplicate_code_in_one_file_names_the_first_row(world, tmp_path):
    before = state()
    status, out = run_import(
        "units", write_csv(tmp_path / "u.csv", [HEADERS, row(1), row(2), row(1, 单位名称="又一个")])
    )
    assert status == 1
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(4, "统一社会信用代码")]
    assert "2" in out["errors"][0]["message"]
    assert state() == before


def test_a_code_registered_outside_the_scope_is_not_taken_over(world, tmp_path):
    services.do_create_unit(acting_user=None, name="乙单位", credit_code=code(1), category="other",
                            area=world.community_area2, employees=5, party_members=0)  # fmt: skip
    before = state()
    status, out = run_import("units", write_csv(tmp_path / "u.csv", [HEADERS, row(1)]), "--user", "admin1")
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(2, "统一社会信用代码")]
    assert state() == before


def test_export_has_the_template_columns_and_masks_the_phone(world, tmp_path):
    run_import(
        "units", write_csv(tmp_path / "u.csv", [HEADERS, row(1), row(2, 所在区域编码="T01001002", 党组织编码="ZBT2")])
    )
    out = tmp_path / "out.csv"
    call_command("export", "units", "--org", "SQT1", "--descendants", "--user", "admin1", "-o", str(out))
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].split(",") == HEADERS
    assert len(lines) == 2  # the other community's unit is not in admin1's export
    cells = lines[1].split(",")
    assert cells[:8] == ["示例单位1", code(1), "非公有制企业", "T01001001", "20", "3", "ZBT1", "钱指导"]
    assert "13912340001" not in lines[1] and "*" in cells[9]
    # with a reason, full for a user who may reveal, and audited without the number
    call_command("export", "units", "--org", "SQT1", "--descendants", "--user", "admin1", "--reveal-reason",
                 "核对联系人", "-o", str(out))  # fmt: skip
    assert "13912340001" in out.read_text(encoding="utf-8-sig")
    event = AuditEvent.objects.filter(event="reveal", object_type="units.unit").latest("pk")
    assert event.detail["export"] == 1 and "13912340001" not in str(event.detail)
    # an export re-imported: masked phones are refused, nothing overwritten
    call_command("export", "units", "--org", "SQT1", "--descendants", "--user", "viewer1", "-o", str(out))
    status, result = run_import("units", out)
    assert status == 1 and {e["column"] for e in result["errors"]} == {"联系电话"}


# ---- the services (the forms and the API go through them) --------------------------------------------------------


def unit_data(world, **over):
    data = {"name": "服务单位", "credit_code": code(30), "category": "non_public_enterprise",
            "area": world.community_area1, "employees": 10, "party_members": 3, "org": world.branch1}  # fmt: skip
    return {**data, **over}


def test_create_validates_with_chinese_messages(world):
    cases = [
        ({"credit_code": bad_check(code(30))}, "credit_code"),
        ({"party_members": 11}, "party_members"),
        ({"full_members": 4}, "full_members"),
        ({"org": world.group1}, "org"),
        ({"org": world.street}, "org"),
        ({"org": world.branch2}, "org"),  # out of admin1's scope
        ({"area": world.community_area2, "org": None}, "area"),
    ]
    for over, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.do_create_unit(acting_user=world.admin1, **unit_data(world, **over))
        assert field in exc.value.message_dict, over
        assert all(chinese(m) for m in exc.value.message_dict[field]), over
    assert not Unit.objects.exists()
    unit = services.do_create_unit(acting_user=world.admin1, **unit_data(world, party_members=10, full_members=10))
    with pytest.raises(ValidationError) as exc:
        services.do_create_unit(acting_user=world.admin1, **unit_data(world, name="又一个"))
    assert "credit_code" in exc.value.message_dict
    services.do_update_unit(unit, acting_user=world.admin1, employees=12)
    assert Unit.objects.get(pk=unit.pk).employees == 12


def test_update_keeps_the_counts_consistent(world):
    unit = services.do_create_unit(acting_user=world.admin1, **unit_data(world))
    with pytest.raises(ValidationError) as exc:
        services.do_update_unit(unit, acting_user=world.admin1, employees=2)
    assert "party_members" in exc.value.message_dict
    assert Unit.objects.get(pk=unit.pk).employees == 10


def test_end_contact_before_its_start_is_refused(world):
    from sqdj.accounts.services import do_create_user

    unit = services.do_create_unit(acting_user=world.admin1, **unit_data(world))
    user = do_create_user("liaison2", password="x-Test-Password-2026", validate=False)
    contact = services.do_link_contact(unit, user, acting_user=world.admin1, started_on=datetime.date(2025, 3, 1))
    with pytest.raises(ValidationError):
        services.do_end_contact(contact, acting_user=world.admin1, ended_on=datetime.date(2025, 2, 28))
    services.do_end_contact(contact, acting_user=world.admin1, ended_on=datetime.date(2025, 3, 1))
    with pytest.raises(ValidationError):
        services.do_link_contact(unit, world.superuser, acting_user=world.admin1)


# ---- the bulk write: what the services would have saved, a chunk of rows at a time ------------------------------


def test_bulk_write_saves_what_the_services_save(world, tmp_path):
    """Encrypted phone and its blind index (Unit.save), timestamps, one change-log row per unit and per new
    instructor, attributed to the importing user, the phone only masked in the log."""
    from django.db import connection

    from sqdj.core.pii import blind_index

    status, out = run_import("units", write_csv(tmp_path / "u.csv", [HEADERS, row(1), row(2, 联系电话="")]),
                             "--user", "admin1")  # fmt: skip
    assert status == 0 and out["created"] == 2, out
    u1, u2 = Unit.objects.get(credit_code=code(1)), Unit.objects.get(credit_code=code(2))
    assert (u1.contact_phone, u1.contact_phone_index) == ("13912340001", blind_index("13912340001"))
    assert Unit.objects.get(contact_phone_index=blind_index("13912340001")) == u1
    assert (u2.contact_phone, u2.contact_phone_index) == ("", "")
    assert u1.created is not None and u1.last_updated is not None
    with connection.cursor() as cursor:  # stored encrypted, not as the number
        cursor.execute("SELECT contact_phone FROM units_unit WHERE id = %s", [u1.pk])
        assert "13912340001" not in cursor.fetchone()[0]
    log = ObjectChange.objects.filter(content_type__app_label="units").order_by("pk")
    assert sorted((c.content_type.model, c.action, c.object_id) for c in log) == sorted(
        [("unit", "create", u1.pk), ("unit", "create", u2.pk)]
        + [("instructor", "create", i.pk) for i in Instructor.objects.all()]
    )
    assert {c.user_id for c in log} == {world.admin1.pk}
    snap = log.get(object_id=u1.pk, content_type__model="unit").postchange_data
    assert snap["name"] == "示例单位1" and snap["area"] == world.community_area1.pk and snap["org"] == world.branch1.pk
    assert "13912340001" not in str(snap) and snap["contact_phone"].startswith("139*")
    assert "contact_phone_index" not in snap

    # an update: one change-log row with before and after; the unit saved as do_update_unit saves it
    changed = row(1, 从业人员数="40", 联系电话="13800000000")
    status, out = run_import("units", write_csv(tmp_path / "b.csv", [HEADERS, changed, row(2, 联系电话="")]))
    assert status == 0 and (out["created"], out["updated"], out["unchanged"]) == (0, 1, 1), out
    u1.refresh_from_db()
    assert (u1.employees, u1.contact_phone, u1.contact_phone_index) == (40, "13800000000", blind_index("13800000000"))
    change = ObjectChange.objects.filter(action="update", object_id=u1.pk, content_type__model="unit").get()
    assert (change.prechange_data["employees"], change.postchange_data["employees"]) == (20, 40)


def test_rows_across_chunks(world, tmp_path, monkeypatch):
    monkeypatch.setattr(UnitImporter, "chunk_size", 2)
    rows = [row(i, 党建工作指导员="钱指导" if i % 2 else "") for i in range(1, 8)]
    status, out = run_import("units", write_csv(tmp_path / "u.csv", [HEADERS, *rows]))
    assert status == 0 and out["created"] == 7, out
    assert Instructor.objects.filter(name="钱指导").count() == 4
    before = state()
    status, out = run_import("units", write_csv(tmp_path / "u.csv", [HEADERS, *rows]))
    assert status == 0 and out["unchanged"] == 7 and state() == before, out
    # a code repeated in a later chunk names its first row; nothing of the file is written
    rows = [row(i) for i in range(8, 13)] + [row(9, 单位名称="又一个")]
    status, out = run_import("units", write_csv(tmp_path / "v.csv", [HEADERS, *rows]))
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(7, "统一社会信用代码")], out
    assert "3" in out["errors"][0]["message"]
    assert state() == before


def test_update_below_the_stored_full_members_is_refused(world, tmp_path):
    services.do_create_unit(acting_user=None, **unit_data(world, credit_code=code(1), party_members=3, full_members=3))
    before = state()
    status, out = run_import("units", write_csv(tmp_path / "u.csv", [HEADERS, row(2), row(1, 党员人数="2")]))
    assert status == 1 and [e["row"] for e in out["errors"]] == [3], out
    assert chinese(out["errors"][0]["message"])
    assert state() == before
    status, out = run_import("units", write_csv(tmp_path / "u.csv", [HEADERS, row(1, 党员人数="3")]))  # equal: fine
    assert status == 0 and out["updated"] == 1, out


def test_an_instructor_for_an_ended_unit_is_refused(world, tmp_path):
    unit = services.do_create_unit(acting_user=None, **unit_data(world, credit_code=code(1)))
    Unit.objects.filter(pk=unit.pk).update(status="deregistered", ended_on=datetime.date(2024, 12, 31))
    before = state()
    status, out = run_import("units", write_csv(tmp_path / "u.csv", [HEADERS, row(1)]))
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(2, "党建工作指导员")], out
    assert chinese(out["errors"][0]["message"])
    assert state() == before
    status, out = run_import("units", write_csv(tmp_path / "u.csv", [HEADERS, row(1, 党建工作指导员="")]))
    assert status == 0 and out["updated"] == 1, out  # the unit itself may still be updated


def test_a_count_beyond_the_column_is_a_row_error(world, tmp_path):
    before = state()
    status, out = run_import(
        "units", write_csv(tmp_path / "u.csv", [HEADERS, row(1, 从业人员数="99999999999999999999")])
    )
    assert status == 1 and [(e["row"], e["column"]) for e in out["errors"]] == [(2, "从业人员数")], out
    assert chinese(out["errors"][0]["message"])
    assert state() == before


def test_the_import_is_one_audit_event(world, tmp_path):
    first = AuditEvent.objects.count()
    status, _out = run_import("units", write_csv(tmp_path / "u.csv", [HEADERS, row(1), row(2)]), "--user", "admin1")
    assert status == 0
    events = list(AuditEvent.objects.order_by("pk")[first:])
    assert [e.event for e in events] == ["import"], [e.event for e in events]


# ---- crash safety: a real process killed in the middle of writing ---------------------------------------------


@pytest.mark.slow
def test_sigkill_while_writing_leaves_the_registry_unchanged(tmp_path):
    env, db = small_city_on_its_own(tmp_path)
    f = write_csv(tmp_path / "units.csv", [HEADERS, *unit_rows(60_000, small_city_codes("areas", "community"), seed=7)])
    snapshot = ["SELECT count(*), max(id), max(last_updated) FROM units_unit", "SELECT count(*) FROM units_instructor",
                "SELECT count(*) FROM core_objectchange"]  # fmt: skip
    env = {**env, "SQDJ_IMPORT_MAX_ROWS": "100000"}
    assert kill_while_writing(env, db, "units", f, after=4000, snapshot=snapshot) < 60_000
