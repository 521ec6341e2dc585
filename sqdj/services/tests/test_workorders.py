"""The 12345 work orders (issue 17 item 1, 接诉即办): the `workorders` import exactly per interfaces.md §2 (re-import
updates, never duplicates; placement by 区域编码 or by the address; unmatched → 待分派 with a warning; a rejected file
and a crash write nothing), placing a waiting order, the warnings on both sides of each threshold, the figures of
§3 against a hand-counted fixture, and the replies file."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.areas.services import do_create_area
from sqdj.core.import_templates import template_workbook
from sqdj.core.models import ObjectChange
from sqdj.core.rules import param
from sqdj.core.scope import EVERYTHING
from sqdj.core.services import Conflict, ScopeViolation
from sqdj.services import importers as imp
from sqdj.services import requests, workorders
from sqdj.services.choices import RequestState, Satisfaction
from sqdj.services.importers import HEADERS, WorkOrderImporter
from sqdj.services.models import Category, Request, RequestStep, WorkOrder
from sqdj.stats.services import compute
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.concurrency import race
from sqdj.testing.imports import run_import, write_csv, write_xlsx

STREET = "测试街道"
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def wo_world():
    """The shared world (测试街道 → 甲社区, 乙社区 with their orgs) plus a subdistrict admin and places whose names an
    address may hold: 阳光花园 (甲) and 阳光 (乙) — the longer wins —, 和平里 (甲) and 安康里 (乙) — a tie."""
    w: Any = build_world()
    w.street_admin = do_create_user("streetadmin", password=PASSWORD, validate=False)
    do_grant_role(w.street_admin, role="subdistrict_admin", org=w.street, descendants=True)
    w.street_viewer = do_create_user("streetviewer", password=PASSWORD, validate=False)
    do_grant_role(w.street_viewer, role="viewer", org=w.street, descendants=True)
    add = lambda parent, code, name, kind: do_create_area(acting_user=None, parent=parent, code=code, name=name,  # noqa: E731
                                                          type=kind)  # fmt: skip
    w.sunny_garden = add(w.community_area1, "T01001001801", "阳光花园", "estate")
    w.sunny = add(w.community_area2, "T01001002801", "阳光", "estate")
    w.peace = add(w.community_area1, "T01001001802", "和平里", "estate")
    w.health = add(w.community_area2, "T01001002802", "安康里", "estate")
    return w


@pytest.fixture
def world(db):
    return wo_world()


def row(number="GD001", received="2026-03-01 09:30", category="市容环境", content="垃圾未清运", address="",
        street=STREET, due="2026-03-06 09:30", area="T01001001") -> list:  # fmt: skip
    return [number, received, category, content, address, street, due, area]


def run(rows, user=None, *, tmp_path, name="wo.csv", dry_run=False):
    path = (write_xlsx if name.endswith(".xlsx") else write_csv)(tmp_path / name, [HEADERS, *rows])
    return WorkOrderImporter(user=user).run(str(path), name, dry_run=dry_run)


def state():
    return (WorkOrder.objects.count(), Request.objects.count(), RequestStep.objects.count(),
            ObjectChange.objects.count())  # fmt: skip


def at(text: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.strptime(text, "%Y-%m-%d %H:%M"))


# ---- the template ---------------------------------------------------------------------------------------------


def test_the_template_is_interfaces_md_exactly():
    assert HEADERS == ["工单编号", "受理时间", "诉求类别", "诉求内容", "地址", "承办单位", "办理时限", "区域编码"]
    assert WorkOrderImporter.kind == "workorders"


def test_the_downloaded_template_has_the_headers_and_its_example_imports(world):
    data = template_workbook(WorkOrderImporter(user=world.street_admin))
    first = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in next(first.iter_rows(max_row=1))] == HEADERS
    result = WorkOrderImporter(user=world.street_admin).run(data, "t.xlsx", dry_run=True)
    assert result.ok and result.created == 1, result.errors


def test_an_extra_column_or_another_order_is_an_error(world, tmp_path):
    before = state()
    path = write_csv(tmp_path / "x.csv", [[*HEADERS, "备注"], [*row(), "x"]])
    result = WorkOrderImporter(user=world.street_admin).run(str(path), "x.csv")
    assert not result.ok and result.errors[0].row == 1 and "备注" in result.errors[0].message
    swapped = [HEADERS[1], HEADERS[0], *HEADERS[2:]]
    path = write_csv(tmp_path / "y.csv", [swapped, row()])
    result = WorkOrderImporter(user=world.street_admin).run(str(path), "y.csv")
    assert not result.ok and result.errors[0].row == 1
    assert state() == before


# ---- creating, placing, updating -----------------------------------------------------------------------------------


def test_import_places_by_code_by_address_or_leaves_it_waiting(world, tmp_path):
    rows = [
        row("GD001", area="T01001001"),  # by the code
        row("GD002", area="", address="阳光花园3号楼东侧"),  # 阳光花园 (甲) beats 阳光 (乙): longer
        row("GD003", area="", address="和平里与安康里之间的路口", category="噪音扰民"),  # a tie: waiting
        row("GD004", area="", address="不知名的地方"),  # nothing: waiting
    ]
    result = run(rows, world.street_admin, tmp_path=tmp_path)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    assert [(w.row, w.column) for w in result.warnings] == [(4, "地址"), (5, "地址")]
    assert "待分派" in result.warnings[0].message and STREET in result.warnings[0].message
    o1, o2, o3, o4 = (WorkOrder.objects.select_related("request").get(number=f"GD00{i}") for i in range(1, 5))
    assert (o1.request.area, o1.request.placed, o1.request.org) == (world.community_area1, True, world.community1)
    assert (o2.request.area, o2.request.org) == (world.sunny_garden, world.community1)
    for waiting in (o3, o4):
        r = waiting.request
        assert (r.area, r.placed, r.org) == (world.street_area, False, None)
        assert r.number.startswith("SQ2026") and r.steps.count() == 1
    r = o1.request
    assert r.source == "hotline" and r.state == RequestState.RECEIVED
    assert r.received_at == at("2026-03-01 09:30") and r.due_at == at("2026-03-06 09:30")  # the platform's limit
    assert o1.dispatched_to == world.street_area and o1.due_at == at("2026-03-06 09:30")
    assert r.category == Category.objects.get(name="市容环境") and o3.request.category is None
    assert o3.category_text == "噪音扰民"  # the text stays on the order
    assert len({o.request.number for o in (o1, o2, o3, o4)}) == 4


def test_the_same_file_again_is_unchanged_and_a_changed_row_updates(world, tmp_path):
    rows = [row("GD001"), row("GD002", area="", address="无名路")]
    assert run(rows, world.street_admin, tmp_path=tmp_path).ok
    before = state()
    again = run(rows, world.street_admin, tmp_path=tmp_path)
    assert (again.ok, again.created, again.updated, again.unchanged) == (True, 0, 0, 2)
    assert state() == before
    changed = [row("GD001", content="垃圾已堆积三天", due="2026-03-08 09:30"), row("GD002", area="T01001002")]
    result = run(changed, world.street_admin, tmp_path=tmp_path)
    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    assert WorkOrder.objects.count() == 2 and Request.objects.count() == 2  # never duplicated
    o1 = WorkOrder.objects.select_related("request").get(number="GD001")
    assert o1.content == o1.request.description == "垃圾已堆积三天"
    assert o1.request.due_at == at("2026-03-08 09:30")
    o2 = WorkOrder.objects.select_related("request").get(number="GD002")  # waiting, now placed by its code
    assert (o2.request.placed, o2.request.area, o2.request.org) == (True, world.community_area2, world.community2)


def test_an_accepted_request_keeps_its_text(world, tmp_path):
    assert run([row("GD001")], world.street_admin, tmp_path=tmp_path).ok
    r = WorkOrder.objects.get(number="GD001").request
    Request.objects.filter(pk=r.pk).update(state=RequestState.ACCEPTED, accepted_at=timezone.now())
    result = run([row("GD001", content="新的内容")], world.street_admin, tmp_path=tmp_path)
    assert result.updated == 1
    order = WorkOrder.objects.select_related("request").get(number="GD001")
    assert order.content == "新的内容" and order.request.description == "垃圾未清运"


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"street": "无此街道"}, "承办单位"),
        ({"received": "2026/03/01"}, "受理时间"),
        ({"due": "2026-02-28 09:30"}, "办理时限"),  # before 受理时间
        ({"area": "T01"}, "区域编码"),  # above the subdistrict
        ({"area": "NO-SUCH"}, "区域编码"),
        ({"content": ""}, "诉求内容"),
        ({"number": ""}, "工单编号"),
        ({"content": "长" * 2001}, "诉求内容"),
    ],
)
def test_a_bad_row_rejects_the_whole_file(world, tmp_path, cells, column):
    before = state()
    result = run([row("GD009"), row(**{"number": "GD010", **cells})], world.street_admin, tmp_path=tmp_path)
    assert not result.ok and (result.created, result.updated) == (0, 0)
    assert (result.errors[0].row, result.errors[0].column) == (3, column), result.errors
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.errors[0].message)  # said in Chinese
    assert state() == before


def test_a_number_twice_in_the_file_names_the_first_row(world, tmp_path):
    result = run([row("GD001"), row("GD001")], world.street_admin, tmp_path=tmp_path)
    assert not result.ok and (result.errors[0].row, result.errors[0].column) == (3, "工单编号")
    assert "2" in result.errors[0].message


def test_a_community_admin_cannot_import_for_the_subdistrict(world, tmp_path):
    before = state()
    result = run([row("GD001")], world.admin1, tmp_path=tmp_path)
    assert not result.ok and result.errors[0].column == "承办单位"
    assert state() == before


def test_a_crash_in_the_middle_leaves_the_database_as_it_was(world, tmp_path, monkeypatch):
    before = state()
    calls = {"n": 0}
    real = requests.do_create_request

    def crash(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real(**kwargs)

    monkeypatch.setattr(imp.requests, "do_create_request", crash)
    with pytest.raises(RuntimeError):
        run([row("GD001"), row("GD002"), row("GD003")], world.street_admin, tmp_path=tmp_path)
    assert state() == before


def test_dry_run_writes_nothing_and_the_cli_prints_one_json_object(world, tmp_path):
    before = state()
    result = run([row("GD001")], world.street_admin, tmp_path=tmp_path, dry_run=True)
    assert (result.ok, result.created) == (True, 1) and state() == before
    path = write_xlsx(tmp_path / "wo.xlsx", [HEADERS, row("GD001"), row("GD002", area="", address="无名路")])
    status, out = run_import("workorders", path)
    assert status == 0 and (out["created"], out["warnings"][0]["row"]) == (2, 3)
    status, out = run_import("workorders", path)
    assert status == 0 and (out["created"], out["updated"], out["unchanged"]) == (0, 0, 2)


def test_the_export_is_the_template_and_imports_unchanged(world, tmp_path):
    assert run([row("GD001"), row("GD002", area="", address="阳光花园")], None, tmp_path=tmp_path).ok
    importer = WorkOrderImporter(user=world.street_admin)
    rows = list(importer.export_rows(WorkOrder.objects.all()))
    assert rows[0] == row("GD001")
    path = write_csv(tmp_path / "again.csv", [HEADERS, *rows])
    again = WorkOrderImporter(user=world.street_admin).run(str(path), "again.csv")
    assert (again.ok, again.unchanged) == (True, 2)
    from django.core.management import call_command

    out = tmp_path / "out.csv"  # `sqdj export workorders`: the orders of the org's territory the user sees
    call_command("export", "workorders", "--org", "SQT1", "--descendants", "-o", str(out), "--user", "admin1")
    lines = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert lines[0] == HEADERS and [x[0] for x in lines[1:]] == ["GD001", "GD002"]


# ---- 待分派: placing a waiting order -----------------------------------------------------------------------------


def waiting_order(world, tmp_path, number="GD100"):
    assert run([row(number, area="", address="无名路")], world.street_admin, tmp_path=tmp_path).ok
    return WorkOrder.objects.select_related("request", "dispatched_to").get(number=number)


def test_a_subdistrict_admin_places_a_waiting_order(world, tmp_path):
    order = waiting_order(world, tmp_path)
    assert not WorkOrder.objects.restrict(world.admin1, "view").filter(pk=order.pk).exists()  # the street's list
    steps = order.request.steps.count()
    workorders.do_place_order(order, world.peace, world.street_admin, version=order.request.version)
    r = Request.objects.get(pk=order.request_id)
    assert (r.area, r.placed, r.org, r.version) == (world.peace, True, world.community1, 2)
    assert r.steps.count() == steps + 1 and r.steps.last().by == world.street_admin
    assert WorkOrder.objects.restrict(world.admin1, "view").filter(pk=order.pk).exists()  # now the community's
    with pytest.raises(Conflict):
        workorders.do_place_order(order, world.peace, world.street_admin)


@pytest.mark.parametrize("where", ["street", "district", "none"])
def test_a_place_above_the_communities_is_refused(world, tmp_path, where):
    order = waiting_order(world, tmp_path)
    area = {"street": world.street_area, "district": world.district_area, "none": None}[where]
    before = state()
    with pytest.raises(ValidationError) as exc:
        workorders.do_place_order(order, area, world.street_admin)
    assert "area" in exc.value.message_dict
    assert state() == before


def test_a_viewer_or_a_community_admin_cannot_place(world, tmp_path):
    order = waiting_order(world, tmp_path)
    for user in (world.street_viewer, world.admin1):
        with pytest.raises(ScopeViolation):
            workorders.do_place_order(order, world.peace, user)
    assert not Request.objects.get(pk=order.request_id).placed


def test_a_stale_version_is_a_conflict(world, tmp_path):
    order = waiting_order(world, tmp_path)
    with pytest.raises(Conflict):
        workorders.do_place_order(order, world.peace, world.street_admin, version=order.request.version + 5)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking between two connections needs PostgreSQL")
def test_two_admins_placing_at_once_one_wins(tmp_path):
    w = wo_world()
    second = do_create_user("streetadmin2", password=PASSWORD, validate=False)
    do_grant_role(second, role="subdistrict_admin", org=w.street, descendants=True)
    order = waiting_order(w, tmp_path)
    results = race(
        lambda: workorders.do_place_order(order, w.peace, w.street_admin),
        lambda: workorders.do_place_order(order, w.health, second),
    )
    assert sorted(type(x).__name__ for x in results) == ["Conflict", "WorkOrder"], results
    assert Request.objects.get(pk=order.request_id).version == 2


# ---- warnings: both sides of each threshold ------------------------------------------------------------------


def fresh(world, tmp_path, number, received: datetime.datetime):
    text = timezone.localtime(received).strftime("%Y-%m-%d %H:%M")
    due = timezone.localtime(received + 10 * DAY).strftime("%Y-%m-%d %H:%M")
    assert run([row(number, received=text, due=due)], world.street_admin, tmp_path=tmp_path).ok
    return WorkOrder.objects.select_related("request").get(number=number)


def warned(order) -> str:
    return workorders.warning_of(order)


def test_no_response_is_red_only_past_the_rulebook_hours(world, tmp_path):
    hours = param("workorder.response_hours")
    now = timezone.now().replace(second=0, microsecond=0)
    inside = fresh(world, tmp_path, "GD201", now - hours * HOUR + 2 * datetime.timedelta(minutes=1))
    past = fresh(world, tmp_path, "GD202", now - hours * HOUR - datetime.timedelta(minutes=1))
    assert (warned(inside), warned(past)) == ("", workorders.RED)
    Request.objects.filter(pk=past.request_id).update(state=RequestState.ACCEPTED, accepted_at=timezone.now())
    assert warned(past) == ""  # accepted (late: the figure counts it, no warning any more)


def test_no_progress_is_yellow_only_past_the_rulebook_days(world, tmp_path):
    days = param("workorder.progress_days")
    order = fresh(world, tmp_path, "GD301", timezone.now() - (days + 1) * DAY)
    Request.objects.filter(pk=order.request_id).update(state=RequestState.ACCEPTED, accepted_at=timezone.now())
    RequestStep.objects.filter(request_id=order.request_id).update(at=timezone.now() - days * DAY - HOUR)
    assert warned(order) == workorders.YELLOW
    RequestStep.objects.filter(request_id=order.request_id).update(at=timezone.now() - days * DAY + HOUR)
    assert warned(order) == ""
    Request.objects.filter(pk=order.request_id).update(state=RequestState.RESOLVED)
    RequestStep.objects.filter(request_id=order.request_id).update(at=timezone.now() - 30 * DAY)
    assert warned(order) == ""  # not open: no progress to wait for


def test_unsatisfied_in_a_row_is_red_from_the_rulebook_count(world, tmp_path):
    streak = param("workorder.unsatisfied_streak")
    order = fresh(world, tmp_path, "GD401", timezone.now())
    Request.objects.filter(pk=order.request_id).update(state=RequestState.IN_PROGRESS, accepted_at=timezone.now(),
                                                       unsatisfied_streak=streak - 1)  # fmt: skip
    assert warned(order) == ""
    Request.objects.filter(pk=order.request_id).update(unsatisfied_streak=streak)
    assert warned(order) == workorders.RED


# ---- the figures (interfaces.md §3 `workorders`) against a hand count --------------------------------------------


def figures_world(world, tmp_path):
    """Six orders received 2026-03-01 09:00 (limit 03-06 09:00), one received after as_of, set by hand:
    A 甲: accepted after 2 h, resolved 03-05 (on time), 满意
    B 甲: accepted after 30 h (late), resolved 03-07 (late), closed, 不满意
    C 乙: accepted after 1 h, resolved 03-06 09:00 (on the limit: on time), 基本满意
    D 乙: received, nothing yet
    E 待分派 at the street (the address matches nothing)
    F 甲: accepted after 24 h exactly (in time), in progress
    G 甲: received 2026-04-02: after as_of, not counted."""
    rows = [row(n, received="2026-03-01 09:00", due="2026-03-06 09:00", area=a, address=addr)
            for n, a, addr in (("A", "T01001001", ""), ("B", "T01001001", ""), ("C", "T01001002", ""),
                               ("D", "T01001002", ""), ("E", "", "无名路"), ("F", "T01001001", ""))]  # fmt: skip
    rows.append(row("G", received="2026-04-02 09:00", due="2026-04-09 09:00"))
    assert run(rows, world.street_admin, tmp_path=tmp_path).ok
    t0 = at("2026-03-01 09:00")

    def set_(number, **fields):
        Request.objects.filter(work_order__number=number).update(**fields)

    set_("A", state=RequestState.RESOLVED, accepted_at=t0 + 2 * HOUR, resolved_at=at("2026-03-05 10:00"),
         satisfaction=Satisfaction.SATISFIED)  # fmt: skip
    set_("B", state=RequestState.CLOSED, accepted_at=t0 + 30 * HOUR, resolved_at=at("2026-03-07 10:00"),
         closed_at=at("2026-03-08 10:00"), satisfaction=Satisfaction.UNSATISFIED)  # fmt: skip
    set_("C", state=RequestState.RESOLVED, accepted_at=t0 + HOUR, resolved_at=at("2026-03-06 09:00"),
         satisfaction=Satisfaction.BASICALLY)  # fmt: skip
    set_("F", state=RequestState.IN_PROGRESS, accepted_at=t0 + 24 * HOUR)
    return datetime.date(2026, 3, 31)


def test_the_figures_are_the_hand_count(world, tmp_path):
    as_of = figures_world(world, tmp_path)
    street = compute(world.street, user=world.street_admin, as_of=as_of)["workorders"]
    assert street == {"total": 6, "unplaced": 1, "responded_in_time": 3, "resolved": 3, "resolved_on_time": 2,
                      "rated": 3, "satisfied": 2}  # fmt: skip
    c1 = compute(world.community1, user=world.admin1, as_of=as_of)["workorders"]  # A, B, F: no waiting order
    assert c1 == {"total": 3, "unplaced": 0, "responded_in_time": 2, "resolved": 2, "resolved_on_time": 1,
                  "rated": 2, "satisfied": 1}  # fmt: skip
    c2 = compute(world.community2, user=EVERYTHING, as_of=as_of)["workorders"]
    assert (c2["total"], c2["resolved_on_time"], c2["satisfied"]) == (2, 1, 1)
    later = compute(world.street, user=world.street_admin, as_of=datetime.date(2026, 4, 2))["workorders"]
    assert later["total"] == 7


def test_the_report_has_the_four_rates_and_links_that_list_the_counted_rows(world, tmp_path, client):
    from sqdj.services import stats

    as_of = figures_world(world, tmp_path)
    found = compute(world.street, user=world.street_admin, as_of=as_of)
    ((_key, _heading, rows),) = stats.report(found)
    rates = dict(rows)
    assert (rates["响应率（%）"], rates["解决率（%）"], rates["按时办结率（%）"], rates["满意率（%）"]) == (
        50.0,
        50.0,
        66.7,
        66.7,
    )
    client.force_login(world.street_admin)
    links = stats.links(world.street, as_of)["workorders"]
    for key in stats.KEYS:
        response = client.get(links[stats.LABELS[key]])
        assert response.status_code == 200
        assert response.context["total"] == found["workorders"][key], key


# ---- the replies file ------------------------------------------------------------------------------------------


def test_the_replies_file_has_the_documented_shape(world, tmp_path):
    figures_world(world, tmp_path)
    Request.objects.filter(work_order__number="A").update(resolution="已清运")
    qs = workorders.replied_orders(WorkOrder.objects.restrict(world.street_admin, "view"),
                                   datetime.date(2026, 3, 1), datetime.date(2026, 3, 6))  # fmt: skip
    data, count = workorders.replies_file(qs, "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["工单编号", "办理结果", "办结时间", "回访满意度"]
    assert values[1:] == [["A", "已清运", "2026-03-05 10:00", "满意"], ["C", None, "2026-03-06 09:00", "基本满意"]]
    assert count == 2
    data, _n = workorders.replies_file(workorders.replied_orders(WorkOrder.objects.all(), None, None), "csv")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == ["A", "B", "C"] and lines[2][3] == "不满意"
    c1 = workorders.replied_orders(WorkOrder.objects.restrict(world.admin1, "view"), None, None)
    assert [o.number for o in c1] == ["A", "B"]  # only the orders the user sees


def test_the_replies_command(world, tmp_path):
    from django.core.management import CommandError, call_command

    figures_world(world, tmp_path)
    out = tmp_path / "replies.csv"
    call_command("workorder_replies", "--org", "SQT1", "--from", "2026-03-07", "-o", str(out), "--user", "admin1")
    lines = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert lines[0] == ["工单编号", "办理结果", "办结时间", "回访满意度"] and [x[0] for x in lines[1:]] == ["B"]
    with pytest.raises(CommandError):
        call_command("workorder_replies", "--org", "SQT2", "-o", str(out), "--user", "admin1")
