"""Full numbers in a members export only with a reason, for members the user may reveal, each one logged
(security.md: personal data masked in every output, revealed only with permission and a logged reason)."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from sqdj.members import services
from sqdj.members.importers import MemberImporter
from sqdj.members.models import Member, PiiReveal
from sqdj.testing import build_world
from sqdj.testing.members import member_data

H = MemberImporter.headers
ID, PHONE = H.index("公民身份号码"), H.index("联系电话")

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    for seq, org in ((1, w.branch1), (2, w.branch1), (3, w.group1), (9, w.branch2)):  # the last: another community
        services.do_create_member(acting_user=None, **member_data(org, seq=seq))
    w.in_scope = list(Member.objects.filter(org__path__startswith=w.community1.path))
    assert len(w.in_scope) == 3
    return w


def _numbers(table) -> set[str]:
    return {r[ID] for r in table[1:]} | {r[PHONE] for r in table[1:]}


def _full(members) -> set[str]:
    return {m.id_number for m in members} | {m.phone for m in members}


def _cli(tmp_path, *args, name="m.xlsx"):
    f = tmp_path / name
    call_command("export", "members", "--org", "SQT1", "--descendants", "-o", str(f), *args, stderr=io.StringIO())
    return [list(r) for r in load_workbook(f, read_only=True).worksheets[0].iter_rows(values_only=True)]


def _xlsx(content: bytes):
    return [
        list(r) for r in load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True)
    ]


def _masked(table) -> bool:
    return len(table) == 4 and all("*" in v for v in _numbers(table))


def test_without_a_reason_everything_is_masked_and_nothing_logged(world, tmp_path):
    assert _masked(_cli(tmp_path, "--user", "admin1"))
    assert _masked(_cli(tmp_path, "--user", "root"))
    assert not PiiReveal.objects.exists()


def test_with_a_reason_the_scope_is_written_in_full_and_each_member_logged(world, tmp_path):
    table = _cli(tmp_path, "--user", "admin1", "--reveal-reason", "  换届核对  ")
    assert len(table) == 4 and _numbers(table) == _full(world.in_scope)
    logs = PiiReveal.objects.all()
    assert sorted(r.member_id for r in logs) == sorted(m.pk for m in world.in_scope)
    assert {(r.user_id, r.fields, r.reason) for r in logs} == {(world.admin1.pk, "id_number,phone", "导出：换届核对")}


def test_a_viewer_with_a_reason_still_gets_masked_numbers(world, tmp_path):
    assert _masked(_cli(tmp_path, "--user", "viewer1", "--reveal-reason", "换届核对"))
    assert not PiiReveal.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("--user", "admin1", "--reveal-reason", " 查 "),  # too short once stripped
        ("--user", "admin1", "--reveal-reason", ""),
        ("--reveal-reason", "换届核对"),  # the console operator may not reveal
    ],
)
def test_a_bad_reason_is_an_error_and_writes_no_file(world, tmp_path, args):
    with pytest.raises(CommandError) as exc:
        _cli(tmp_path, *args)
    assert exc.value.returncode == 2 and ("reveal" in str(exc.value) or "至少 2 个字" in str(exc.value))
    assert not (tmp_path / "m.xlsx").exists() and not PiiReveal.objects.exists()


def test_other_kinds_reject_the_option(world, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command(
            "export", "orgs", "--org", "SQT1", "-o", str(tmp_path / "o.csv"), "--user", "admin1",
            "--reveal-reason", "换届核对", stderr=io.StringIO(),
        )  # fmt: skip
    assert exc.value.returncode == 2 and not (tmp_path / "o.csv").exists()


def test_the_reveal_log_is_written_in_chunks_and_when_the_reader_stops_early(world, monkeypatch):
    monkeypatch.setattr("sqdj.members.importers.REVEAL_CHUNK", 2)
    rows = MemberImporter(user=world.superuser, reveal_reason="年度统计").export_rows(Member.objects.all())
    next(rows), next(rows)
    assert PiiReveal.objects.count() == 2  # a full chunk is logged before its rows leave
    next(rows)
    rows.close()  # the third full row was handed out: logged too
    assert PiiReveal.objects.count() == 3


# ---- the members list page ------------------------------------------------------------------------------------
URL = "members:member_list"


def test_web_export_is_masked_without_a_reason(world, client):
    client.force_login(world.admin1)
    r = client.get(reverse(URL), {"export": "xlsx"})
    assert r.status_code == 200 and _masked(_xlsx(r.content))
    assert not PiiReveal.objects.exists()


def test_web_export_with_a_reason_keeps_the_filters_and_logs(world, client):
    client.force_login(world.admin1)
    page = client.get(reverse(URL), {"org": world.branch1.pk})
    html = page.content.decode()
    assert 'id="export-reveal"' in html and 'name="reveal_reason"' in html and "required" in html
    assert ("org", str(world.branch1.pk)) in page.context["export_hidden"]  # the list's filters go along
    r = client.get(reverse(URL), {"export": "xlsx", "reveal_reason": "换届核对", "q": world.in_scope[0].name_initials})
    table = _xlsx(r.content)
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    assert len(table) == 4 and _numbers(table) == _full(world.in_scope)
    assert PiiReveal.objects.count() == 3
    assert set(PiiReveal.objects.values_list("reason", "remote_addr")) == {("导出：换届核对", "127.0.0.1")}


def test_web_export_with_a_too_short_reason_goes_back_to_the_list(world, client):
    client.force_login(world.admin1)
    r = client.get(reverse(URL), {"export": "xlsx", "reveal_reason": "x", "q": "zsf"})
    assert r.status_code == 302 and r["Location"].endswith("?q=zsf")
    assert not PiiReveal.objects.exists()


def test_a_viewer_gets_no_form_and_masked_numbers_even_with_a_reason(world, client):
    client.force_login(world.viewer1)
    assert 'id="export-reveal"' not in client.get(reverse(URL)).content.decode()
    r = client.get(reverse(URL), {"export": "xlsx", "reveal_reason": "换届核对"})
    assert r.status_code == 200 and _masked(_xlsx(r.content))
    assert not PiiReveal.objects.exists()
