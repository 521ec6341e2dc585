"""What the audit trail records (security.md R8, R9): one row per event of each kind, with who, from where, what
and the outcome, and never a personal number; one row for a whole import; the auditor's page and its export."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from sqdj.accounts.services import do_create_user, do_grant_role, do_set_duty
from sqdj.core import audit
from sqdj.core.context import acting_as
from sqdj.core.models import AuditEvent, ObjectChange, RuleParameter
from sqdj.members.importers import MemberImporter
from sqdj.members.services import do_create_member, do_reveal, do_update_member
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.imports import run_import, write_csv
from sqdj.testing.members import make_id_number, member_data

pytestmark = pytest.mark.django_db
E = AuditEvent.Event
BIRTH = datetime.date(1970, 5, 4)


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def auditor():
    user = do_create_user("shenji", password=PASSWORD, validate=False)
    do_set_duty(user, "audit_admin")
    return user


def new(event, since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=event, pk__gt=since).order_by("pk"))


def head() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_sign_in_sign_out_and_failed_sign_in(world):
    c = Client(REMOTE_ADDR="10.1.2.3")
    start = head()
    c.post(reverse("login"), {"username": "admin1", "password": "wrong-password"})
    c.post(reverse("login"), {"username": "admin1", "password": PASSWORD})
    c.post(reverse("logout"))
    failed, login, logout = new(E.LOGIN_FAILED, start), new(E.LOGIN, start), new(E.LOGOUT, start)
    assert len(failed) == len(login) == len(logout) == 1
    assert (failed[0].username, failed[0].user_id, failed[0].outcome) == ("admin1", None, "failed")
    assert (login[0].user_id, login[0].remote_addr, login[0].outcome) == (world.admin1.pk, "10.1.2.3", "ok")
    assert login[0].roles == "community_admin@SQT1"
    assert logout[0].user_id == world.admin1.pk
    assert audit.verify()["ok"]


def test_lockout_after_failed_sign_ins(world, settings):
    c = Client(REMOTE_ADDR="10.9.9.9")
    start = head()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        c.post(reverse("login"), {"username": "viewer1", "password": "wrong-password"})
    locked = new(E.LOCKOUT, start)
    assert len(locked) == 1
    assert (locked[0].username, locked[0].outcome, locked[0].remote_addr) == ("viewer1", "refused", "10.9.9.9")


def test_account_created_password_changed_and_reset(world):
    start = head()
    user = do_create_user("zhao", password=PASSWORD, validate=False)
    assert len(new(E.ACCOUNT_CREATED, start)) == 1
    with acting_as(user):
        user.set_password("Another-Password-2026")
        user.save()
    with acting_as(world.superuser):
        user.set_password("Reset-Password-2026")
        user.save()
    changed, reset = new(E.PASSWORD_CHANGED, start), new(E.PASSWORD_RESET, start)
    assert len(changed) == len(reset) == 1
    assert changed[0].user_id == user.pk and reset[0].user_id == world.superuser.pk
    assert reset[0].object_id == str(user.pk)


def test_role_and_duty_changes(world):
    start = head()
    user = do_create_user("qian", password=PASSWORD, validate=False)
    do_grant_role(user, role="viewer", org=world.community2, acting_user=world.superuser)
    roles = new(E.ROLE, start)
    assert len(roles) == 1
    assert (roles[0].object_type, roles[0].detail["action"], roles[0].username) == (
        "accounts.roleassignment",
        "create",
        "root",
    )
    other = do_create_user("sun", password=PASSWORD, validate=False)
    do_set_duty(other, "security_admin", acting_user=world.superuser)
    duties = new(E.DUTY, start)
    assert len(duties) == 1
    assert duties[0].detail == {"username": "sun", "before": "", "after": "security_admin"}


def test_reveal_export_and_object_changes_hold_no_personal_numbers(world, tmp_path):
    start = head()
    data = member_data(world.branch1, seq=7)
    member = do_create_member(acting_user=world.admin1, **data)
    do_update_member(member, acting_user=world.admin1, work_unit="另一单位")
    do_reveal(member, acting_user=world.admin1, reason="核对身份", remote_addr="10.0.0.8")
    created, updated, revealed = new(E.CREATE, start), new(E.UPDATE, start), new(E.REVEAL, start)
    mine = [e for e in created if e.object_type == "members.member"]
    assert len(mine) == 1 and mine[0].object_id == str(member.pk)
    assert [e.detail["fields"] for e in updated if e.object_type == "members.member"] == [["work_unit"]]
    assert len(revealed) == 1
    assert (revealed[0].remote_addr, revealed[0].org_path, revealed[0].detail["fields"]) == (
        "10.0.0.8",
        world.branch1.path,
        ["id_number", "phone"],
    )
    out = tmp_path / "m.xlsx"
    call_command("export", "members", "--org", "SQT1", "--descendants", "-o", str(out), stdout=io.StringIO())
    exports = new(E.EXPORT, start)
    assert len(exports) == 1 and exports[0].detail == {"rows": 1, "format": "xlsx", "full_numbers": False}
    # R9: no raw personal number anywhere in the trail
    text = json.dumps(list(AuditEvent.objects.values()), default=str, ensure_ascii=False)
    assert data["id_number"] not in text and data["phone"] not in text
    assert audit.verify()["ok"]


def test_an_import_is_one_event_with_a_digest_of_its_change_rows(world, tmp_path):
    H = MemberImporter.headers
    rows = [H]
    for i in range(1, 6):
        values = dict.fromkeys(H, "")
        values.update({
            "姓名": "李四", "性别": "男", "民族": "汉族", "公民身份号码": make_id_number(BIRTH, i),
            "出生日期": "1970-05-04", "学历": "大学本科", "人员类别": "正式党员", "入党日期": "1995-07-01",
            "转正日期": "1996-07-01", "党员分类": "在职党员", "所在党组织编码": "ZBT1", "居住区域编码": "T01001001",
            "联系电话": f"1391234{i:04d}", "工作单位": "某单位",
        })  # fmt: skip
        rows.append([values[h] for h in H])
    start, first_change = head(), audit.last_change_id()
    status, result = run_import("members", write_csv(tmp_path / "m.csv", rows), "--user", "admin1")
    assert status == 0 and result["created"] == 5
    events = list(AuditEvent.objects.filter(pk__gt=start))
    assert [e.event for e in events] == [E.IMPORT]  # not one per member
    detail = events[0].detail
    changes = ObjectChange.objects.filter(pk__gt=first_change)
    assert detail["created"] == 5 and detail["changes"] == changes.count() >= 5
    ids = list(changes.order_by("pk").values_list("pk", flat=True))
    assert (detail["first_change"], detail["last_change"]) == (ids[0], ids[-1])
    # the digest is reproducible from the change log (same request id: the import's own rows)
    with acting_as(world.admin1) as ctx:
        ctx.request_id = events[0].request_id
        assert audit.change_digest(first_change)[1] == detail["changes_sha256"]
    # a dry run leaves no event; a rejected file leaves a failed one
    run_import("members", write_csv(tmp_path / "m.csv", rows), "--dry-run")
    bad = [rows[0], [*rows[1][:-1], "x" * 500]]
    run_import("members", write_csv(tmp_path / "bad.csv", bad), "--user", "admin1")
    later = list(AuditEvent.objects.filter(pk__gt=events[0].pk))
    assert [(e.event, e.outcome) for e in later] == [(E.IMPORT, "failed")]


def test_backup_and_parameter_changes(world, tmp_path, settings):
    start = head()
    with acting_as(world.superuser):
        RuleParameter.objects.create(
            rule_id="test.audit", value=3, regulation="测试", trust="LOCAL", effective_from="2026-01-01", local=True
        )
    config = new(E.CONFIG, start)
    assert len(config) == 1 and config[0].object_type == "core.ruleparameter"
    call_command("backup", "-o", str(tmp_path / "b.zip"), stdout=io.StringIO())
    backups = new(E.BACKUP, start)
    assert len(backups) == 1 and backups[0].detail["file"] == "b.zip"


# ---- the auditor's page -------------------------------------------------------------------------------------------


def test_the_audit_page_is_the_auditors_only(world, auditor):
    url = reverse("audit")
    assert url == "/audit/"
    for user in (world.superuser, world.admin1, world.viewer1, world.nobody):
        c = Client()
        c.force_login(user)
        assert c.get(url).status_code == 404, user
        assert c.get(url, {"export": "csv"}).status_code == 404
        assert 'href="/audit/"' not in c.get("/").content.decode()
    assert Client().get(url).status_code == 302  # anonymous: to the sign-in page
    c = Client()
    c.force_login(auditor)
    page = c.get(url)
    assert page.status_code == 200
    assert "审计" in page.content.decode()
    assert 'href="/audit/"' in page.content.decode()  # the menu entry, the auditor's only one


def test_the_audit_page_searches_pages_and_exports(world, auditor):
    for i in range(60):
        audit.record(E.CONFIG, user=world.admin1, object_type="x.y", object_id=i)
    audit.record(E.LOGIN_FAILED, user=None, username="mallory", outcome="failed")
    c = Client()
    c.force_login(auditor)
    r = c.get(reverse("audit"), {"event": "login_failed"})
    assert r.status_code == 200 and list(r.context["page"].object_list)[0].username == "mallory"
    assert r.context["page"].paginator.count == 1
    r = c.get(reverse("audit"), {"user": "admin1", "object_type": "x.y"})
    assert r.context["page"].paginator.count == 60 and len(r.context["page"].object_list) == 50
    r = c.get(reverse("audit"), {"user": "admin1", "object_type": "x.y", "object_id": "7"})
    assert r.context["page"].paginator.count == 1
    start = head()
    r = c.get(reverse("audit"), {"user": "admin1", "export": "csv"})
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    text = r.content.decode("utf-8-sig")
    assert text.count("\n") >= 61 and "admin1" in text
    exports = new(E.EXPORT, start)
    assert len(exports) == 1 and exports[0].object_type == "core.auditevent" and exports[0].user_id == auditor.pk
