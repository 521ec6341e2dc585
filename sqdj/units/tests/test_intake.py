"""The authority lists and the instructors' services: the `unit-changes` import (template exact, bad rows, nothing
written, re-import unchanged), the end of a unit keeping its history, marking an entry contacted, the instructors'
rules, and the to-dos (both sides of each threshold; each count equals its list)."""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook
from stdnum.cn import uscc

from sqdj.core import dates
from sqdj.core.import_templates import template_workbook
from sqdj.core.models import ObjectChange
from sqdj.core.rules import param
from sqdj.core.services import ScopeViolation
from sqdj.members.services import do_create_member
from sqdj.testing import build_world
from sqdj.testing.imports import run_import
from sqdj.testing.members import member_data
from sqdj.units import intake, intake_workbench, services
from sqdj.units.choices import ChangeKind, IntakeStatus, UnitStatus
from sqdj.units.intake_importers import HEADERS, UnitChangeImporter
from sqdj.units.models import AuthorityEntry, Council, CouncilMember, Instructor, Unit, UnitContact, Visit

DAY = datetime.timedelta(days=1)


def code(seq: int) -> str:
    base = f"91120101MA08{seq:05d}"
    return base + uscc.calc_check_digit(base)


def bad_check_digit(seq: int) -> str:
    good = code(seq)
    return good[:-1] + ("1" if good[-1] != "1" else "2")


def make_unit(world, seq: int, *, second=False, **over) -> Unit:
    data = {
        "name": f"{'乙' if second else '甲'}区单位{seq}",
        "credit_code": code(seq),
        "category": "non_public_enterprise",
        "area": world.community_area2 if second else world.community_area1,
        "employees": 10,
        "party_members": 1,
        "registered_on": datetime.date(2015, 1, 1),
        **over,
    }
    return services.do_create_unit(acting_user=None, **data)


def csv(rows: list[list]) -> bytes:
    lines = [",".join(HEADERS)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def line(seq, kind="设立", *, on=datetime.date(2026, 1, 5), area="T01001001", name=None, authority="市场监管",
         category="非公有制企业", address="和平路1号", credit=None):  # fmt: skip
    return [
        authority,
        kind,
        credit or code(seq),
        f"新单位{seq}" if name is None else name,
        category,
        on.isoformat(),
        area,
        address,
    ]


class ImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()
        cls.known = make_unit(cls.world, 90)

    def run_file(self, rows, user=None, dry_run=False):
        importer = UnitChangeImporter(user=user or self.world.admin1)
        return importer.run(csv(rows), "list.csv", dry_run=dry_run)

    def test_template_headers_exactly(self):
        self.assertEqual(HEADERS, ["登记管理机关", "变动类型", "统一社会信用代码", "单位名称", "单位类别", "变动日期",
                                   "所在区域编码", "住所"])  # fmt: skip
        wb = load_workbook(io.BytesIO(template_workbook(UnitChangeImporter(user=self.world.admin1))))
        sheet = wb.worksheets[0]
        self.assertEqual([c.value for c in sheet[1]], HEADERS)
        notes = {row[0].value: row for row in wb.worksheets[1].iter_rows(min_row=2)}
        self.assertIn("市场监管", notes["登记管理机关"][3].value)
        self.assertIn("非公有制企业", notes["单位类别"][3].value)
        # the example row imports as it is
        example = [c.value for c in sheet[2]]
        example = [v.date().isoformat() if isinstance(v, datetime.datetime) else v for v in example]
        result = UnitChangeImporter(user=self.world.admin1).run(
            (",".join(HEADERS) + "\n" + ",".join(str(v or "") for v in example) + "\n").encode(), "x.csv", dry_run=True
        )
        self.assertTrue(result.ok, result.errors)

    def test_registered_line_creates_the_unit_and_waits_for_contact(self):
        on = datetime.date(2026, 1, 5)
        result = self.run_file([line(1, on=on)])
        self.assertTrue(result.ok, result.errors)
        self.assertEqual((result.created, result.updated, result.unchanged), (1, 0, 0))
        entry = AuthorityEntry.objects.get(credit_code=code(1))
        unit = Unit.objects.get(credit_code=code(1))
        self.assertEqual(entry.unit, unit)
        self.assertEqual(entry.status, IntakeStatus.PENDING)
        self.assertEqual(entry.due_on, on + datetime.timedelta(days=param("unit.intake_days", on)))
        self.assertEqual((unit.status, unit.registered_on, unit.employees, unit.party_members, unit.address),
                         (UnitStatus.OPERATING, on, 0, 0, "和平路1号"))  # fmt: skip
        self.assertEqual(unit.area, self.world.community_area1)

    def test_reimport_is_unchanged_and_writes_nothing(self):
        rows = [line(1), line(90, "注销", on=datetime.date(2026, 2, 1)), line(91, "注销")]
        first = self.run_file(rows)
        self.assertTrue(first.ok, first.errors)
        self.assertEqual(first.created, 3)
        before = (ObjectChange.objects.count(), AuthorityEntry.objects.count(), Unit.objects.count())
        again = self.run_file(rows)
        self.assertTrue(again.ok, again.errors)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 3))
        self.assertEqual(again.warnings, [])
        self.assertEqual((ObjectChange.objects.count(), AuthorityEntry.objects.count(), Unit.objects.count()), before)

    def test_deregistered_line_ends_the_unit_and_keeps_its_history(self):
        instructor = intake.do_add_instructor(self.known, acting_user=None, name="钱指导", started_on=datetime.date(
            2020, 1, 1))  # fmt: skip
        result = self.run_file([line(90, "注销", on=datetime.date(2026, 2, 1))])
        self.assertTrue(result.ok, result.errors)
        self.known.refresh_from_db()
        instructor.refresh_from_db()
        self.assertEqual((self.known.status, self.known.ended_on), (UnitStatus.DEREGISTERED, datetime.date(2026, 2, 1)))
        self.assertEqual(instructor.ended_on, datetime.date(2026, 2, 1))
        entry = AuthorityEntry.objects.get(credit_code=code(90))
        self.assertEqual((entry.status, entry.unit, entry.due_on), (IntakeStatus.CLOSED, self.known, None))

    def test_unknown_deregistered_code_is_a_warning_and_the_entry_is_kept(self):
        result = self.run_file([line(91, "注销")])
        self.assertTrue(result.ok, result.errors)
        self.assertEqual([(w.row, w.column) for w in result.warnings], [(2, "统一社会信用代码")])
        entry = AuthorityEntry.objects.get(credit_code=code(91))
        self.assertIsNone(entry.unit)
        self.assertEqual(entry.status, IntakeStatus.CLOSED)
        self.assertFalse(Unit.objects.filter(credit_code=code(91)).exists())

    def test_bad_rows_are_row_errors_and_nothing_is_written(self):
        rows = [
            line(1),  # fine on its own
            line(2, credit=bad_check_digit(2)),
            line(3, area="NO-SUCH"),
            line(4, area="T01001002"),  # the other community: outside admin1's scope
            line(5, authority="工商"),
            line(6, kind="变更"),
            line(7, on=dates.today() + DAY),
            line(8, category="企业"),
            line(1),  # the same line again
            line(9, name=""),
        ]
        before = (ObjectChange.objects.count(), AuthorityEntry.objects.count(), Unit.objects.count())
        result = self.run_file(rows)
        self.assertFalse(result.ok)
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 0))
        found = {(e.row, e.column) for e in result.errors}
        self.assertEqual(
            found,
            {(3, "统一社会信用代码"), (4, "所在区域编码"), (5, "所在区域编码"), (6, "登记管理机关"), (7, "变动类型"),
             (8, "变动日期"), (9, "单位类别"), (10, "统一社会信用代码"), (11, "单位名称")},
        )  # fmt: skip
        self.assertEqual(next(e.message for e in result.errors if e.row == 3),
                         "统一社会信用代码校验位错误")  # fmt: skip
        self.assertEqual((ObjectChange.objects.count(), AuthorityEntry.objects.count(), Unit.objects.count()), before)

    def test_wrong_headers_are_rejected(self):
        data = ("登记管理机关,变动类型,统一社会信用代码\n市场监管,设立," + code(1) + "\n").encode()
        result = UnitChangeImporter(user=self.world.admin1).run(data, "x.csv")
        self.assertFalse(result.ok)
        self.assertTrue(all(e.row == 1 for e in result.errors))
        self.assertEqual(AuthorityEntry.objects.count(), 0)

    def test_a_unit_outside_the_scope_is_an_error(self):
        make_unit(self.world, 92, second=True)
        result = self.run_file([line(92, "注销")])
        self.assertFalse(result.ok)
        self.assertEqual([(e.row, e.column) for e in result.errors], [(2, "统一社会信用代码")])
        self.assertEqual(Unit.objects.get(credit_code=code(92)).status, UnitStatus.OPERATING)

    def test_a_viewer_cannot_import(self):
        result = self.run_file([line(1)], user=self.world.viewer1)
        self.assertFalse(result.ok)
        self.assertFalse(Unit.objects.filter(credit_code=code(1)).exists())

    def test_dry_run_writes_nothing(self):
        result = self.run_file([line(1)], dry_run=True)
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(result.created, 1)
        self.assertFalse(AuthorityEntry.objects.exists())


class EndUnitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()

    def setUp(self):
        w = self.world
        self.unit = make_unit(w, 1)
        self.instructor = intake.do_add_instructor(self.unit, acting_user=None, name="孙指导",
                                                   started_on=datetime.date(2021, 3, 1))  # fmt: skip
        intake.do_record_visit(self.instructor, acting_user=None, visited_on=datetime.date(2021, 4, 1), content="座谈")
        self.contact = UnitContact.objects.create(unit=self.unit, user=w.nobody, started_on=datetime.date(2022, 1, 1))
        council = Council.objects.create(org=w.community1, kind="joint_council", name="甲社区联席会",
                                         term_started_on=datetime.date(2022, 1, 1))  # fmt: skip
        self.seat = CouncilMember.objects.create(council=council, unit=self.unit, representative="周代表",
                                                 started_on=datetime.date(2022, 1, 1))  # fmt: skip

    def end(self, user=None, **over):
        kwargs = {"status": UnitStatus.DEREGISTERED, "on": datetime.date(2026, 3, 1), "reason": "注销登记", **over}
        return intake.do_end_unit(self.unit, acting_user=user or self.world.admin1, **kwargs)

    def test_ends_everything_open_and_deletes_nothing(self):
        self.end()
        self.unit.refresh_from_db()
        self.assertEqual((self.unit.status, self.unit.ended_on), (UnitStatus.DEREGISTERED, datetime.date(2026, 3, 1)))
        self.assertEqual(self.unit.org, None)  # its org link (none here) is left as it was
        self.instructor.refresh_from_db()
        self.assertEqual(
            (self.instructor.ended_on, self.instructor.end_reason), (datetime.date(2026, 3, 1), "注销登记")
        )
        self.assertEqual(Visit.objects.filter(instructor=self.instructor).count(), 1)
        self.contact.refresh_from_db()
        self.seat.refresh_from_db()
        self.assertEqual((self.contact.ended_on, self.seat.ended_on), (datetime.date(2026, 3, 1),) * 2)

    def test_keeps_the_party_org_linked(self):
        services.do_update_unit(self.unit, acting_user=None, org=self.world.branch1)
        self.end()
        self.unit.refresh_from_db()
        self.assertEqual(self.unit.org, self.world.branch1)

    def test_refusals(self):
        for over, field in (
            ({"status": UnitStatus.OPERATING}, "status"),
            ({"on": dates.today() + DAY}, "ended_on"),
            ({"on": datetime.date(2014, 12, 31)}, "ended_on"),  # before its registration
            ({"reason": " "}, "reason"),
        ):
            with self.assertRaises(ValidationError) as caught:
                self.end(**over)
            self.assertIn(field, caught.exception.message_dict, over)
        self.unit.refresh_from_db()
        self.assertEqual(self.unit.status, UnitStatus.OPERATING)
        self.end()
        with self.assertRaises(ValidationError):
            self.end()

    def test_a_viewer_may_not(self):
        with self.assertRaises(ScopeViolation):
            self.end(user=self.world.viewer1)
        self.instructor.refresh_from_db()
        self.assertIsNone(self.instructor.ended_on)


class EntryAndInstructorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()
        cls.unit = make_unit(cls.world, 1)
        cls.other = make_unit(cls.world, 2, second=True)
        cls.outsider = do_create_member(acting_user=None, **member_data(cls.world.branch2, seq=7, name="吴外人"))

    def entry(self, **over):
        data = {
            "authority": "market_regulation",
            "kind": ChangeKind.REGISTERED,
            "credit_code": self.unit.credit_code,
            "name": self.unit.name,
            "changed_on": datetime.date(2026, 1, 5),
            "area": self.world.community_area1,
            "unit": self.unit,
            "status": IntakeStatus.PENDING,
            "due_on": datetime.date(2026, 2, 4),
            **over,
        }
        return AuthorityEntry.objects.create(**data)

    def test_mark_contacted(self):
        e = self.entry()
        with self.assertRaises(ValidationError):
            intake.do_mark_contacted(e, on=datetime.date(2026, 1, 4), note="", acting_user=self.world.admin1)
        with self.assertRaises(ScopeViolation):
            intake.do_mark_contacted(e, on=datetime.date(2026, 1, 6), note="", acting_user=self.world.viewer1)
        e = intake.do_mark_contacted(e, on=datetime.date(2026, 1, 6), note="已电话联系", acting_user=self.world.admin1)
        self.assertEqual((e.status, e.contacted_on, e.note), (IntakeStatus.CONNECTED, datetime.date(2026, 1, 6),
                                                              "已电话联系"))  # fmt: skip
        with self.assertRaises(ValidationError):  # once only
            intake.do_mark_contacted(e, on=datetime.date(2026, 1, 7), note="", acting_user=self.world.admin1)

    def test_instructor_rules(self):
        admin = self.world.admin1
        ok = {"name": "郑指导", "started_on": datetime.date(2025, 1, 1)}
        for over, field in (
            ({"member": self.outsider}, "member"),
            ({"phone": "12345"}, "phone"),
            ({"started_on": dates.today() + DAY}, "started_on"),
            ({"name": ""}, "name"),
        ):
            with self.assertRaises(ValidationError) as caught:
                intake.do_add_instructor(self.unit, acting_user=admin, **{**ok, **over})
            self.assertIn(field, caught.exception.message_dict)
        with self.assertRaises(ScopeViolation):
            intake.do_add_instructor(self.other, acting_user=admin, **ok)
        i = intake.do_add_instructor(self.unit, acting_user=admin, phone="13700001111", **ok)
        self.assertEqual(Instructor.objects.get(pk=i.pk).phone, "13700001111")  # encrypted at rest, read back
        with self.assertRaises(ValidationError):  # before the assignment
            intake.do_record_visit(i, acting_user=admin, visited_on=datetime.date(2024, 12, 31), content="x")
        intake.do_record_visit(i, acting_user=admin, visited_on=datetime.date(2025, 2, 1), content="指导建组")
        with self.assertRaises(ValidationError):  # a visit was recorded after that day
            intake.do_end_instructor(i, on=datetime.date(2025, 1, 15), reason="调离", acting_user=admin)
        i = intake.do_end_instructor(i, on=datetime.date(2025, 3, 1), reason="调离", acting_user=admin)
        self.assertEqual(i.ended_on, datetime.date(2025, 3, 1))
        with self.assertRaises(ValidationError):  # after the assignment
            intake.do_record_visit(i, acting_user=admin, visited_on=datetime.date(2025, 3, 2), content="x")

    def test_member_gives_the_name(self):
        m = do_create_member(acting_user=None, **member_data(self.world.branch1, seq=8, name="冯党员"))
        i = intake.do_add_instructor(self.unit, acting_user=self.world.admin1, member=m, name="",
                                     started_on=datetime.date(2025, 1, 1))  # fmt: skip
        self.assertEqual(i.name, "冯党员")


class TodoTests(TestCase):
    """Each to-do on both sides of its threshold, its count equal to the rows of the page it links to."""

    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()

    def entry(self, seq, due_on, status=IntakeStatus.PENDING, second=False):
        w = self.world
        return AuthorityEntry.objects.create(authority="market_regulation", kind=ChangeKind.REGISTERED,
                                             credit_code=code(seq), name=f"待对接{seq}", changed_on=due_on - 30 * DAY,
                                             area=w.community_area2 if second else w.community_area1, status=status,
                                             due_on=due_on)  # fmt: skip

    def listed(self, url) -> int:
        self.client.force_login(self.world.admin1)
        r = self.client.get(url, follow=True)
        self.assertEqual(r.status_code, 200)
        return r.context["table"].paginator.count

    def test_pending_entries_overdue_and_not(self):
        late = self.entry(1, dates.today() - DAY)
        on_the_day = self.entry(2, dates.today())
        self.entry(3, dates.today() - DAY, status=IntakeStatus.CONNECTED)
        self.entry(4, dates.today() - DAY, second=True)  # outside admin1's scope
        todos = {t.key: t for t in intake_workbench._pending(self.world.admin1)}
        overdue, open_ = todos["units-intake-overdue"], todos["units-intake-open"]
        self.assertEqual((overdue.count, [i.label for i in overdue.items]), (1, [late.name]))
        self.assertEqual((open_.count, [i.label for i in open_.items]), (1, [on_the_day.name]))
        self.assertEqual(self.listed(overdue.url), 1)
        self.assertEqual(self.listed(open_.url), 1)
        self.assertEqual(intake_workbench._pending(self.world.viewer1), [])

    def test_units_not_visited(self):
        days = param("unit.visit_interval_days", dates.today())
        w = self.world
        just = make_unit(w, 11)
        late = make_unit(w, 12)
        visited = make_unit(w, 13)
        ended = make_unit(w, 14)
        intake.do_add_instructor(just, acting_user=None, name="甲", started_on=dates.today() - days * DAY)
        late_i = intake.do_add_instructor(
            late, acting_user=None, name="乙", started_on=dates.today() - (days + 1) * DAY
        )
        v = intake.do_add_instructor(visited, acting_user=None, name="丙", started_on=dates.today() - 400 * DAY)
        intake.do_record_visit(v, acting_user=None, visited_on=dates.today() - days * DAY, content="走访")
        e = intake.do_add_instructor(ended, acting_user=None, name="丁", started_on=dates.today() - 400 * DAY)
        intake.do_end_instructor(e, on=dates.today() - 300 * DAY, reason="调离", acting_user=None)
        rows = intake_workbench.visit_rows(w.admin1)
        self.assertEqual([(r.label, r.url) for r in rows], [(late.name, reverse("units:instructor", args=[late_i.pk]))])
        self.assertEqual(rows[0].due, dates.today() - DAY)
        # one day more and the visit is late too
        intake.do_record_visit(late_i, acting_user=None, visited_on=dates.today() - DAY, content="走访")
        self.assertEqual(intake_workbench.visit_rows(w.admin1), [])
        self.assertEqual(
            [r.label for r in intake_workbench.visit_rows(w.admin1, dates.today() + DAY)], [just.name, visited.name]
        )
        self.assertEqual(intake_workbench.visit_rows(w.viewer1), [])

    def test_visit_todo_count_equals_its_list(self):
        days = param("unit.visit_interval_days", dates.today())
        for seq in (21, 22):
            intake.do_add_instructor(make_unit(self.world, seq), acting_user=None, name="甲",
                                     started_on=dates.today() - (days + 5) * DAY)  # fmt: skip
        (todo,) = intake_workbench._visits(self.world.admin1)
        self.assertEqual(todo.count, 2)
        self.client.force_login(self.world.admin1)
        r = self.client.get(todo.url)
        self.assertEqual(r.status_code, 200)
        for unit in Unit.objects.filter(credit_code__in=[code(21), code(22)]):
            self.assertContains(r, unit.name)


class CommandLineTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()

    def test_sqdj_import_unit_changes(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "list.csv"
            path.write_bytes(csv([line(1), line(2, "注销")]))
            status, out = run_import("unit-changes", path)
            self.assertEqual((status, out["ok"], out["created"]), (0, True, 2), out)
            self.assertEqual([w["row"] for w in out["warnings"]], [3])
            status, out = run_import("unit-changes", path)
            self.assertEqual((status, out["created"], out["unchanged"]), (0, 0, 2), out)
            path.write_bytes(csv([line(3, credit=bad_check_digit(3))]))
            status, out = run_import("unit-changes", path)
            self.assertEqual((status, out["ok"]), (1, False))
            self.assertEqual(out["errors"][0]["column"], "统一社会信用代码")
        self.assertFalse(Unit.objects.filter(credit_code=code(3)).exists())
