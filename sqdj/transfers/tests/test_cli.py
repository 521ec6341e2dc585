"""`sqdj transfers` (open and overdue cases, the daily expiry) and `sqdj exchange` — including a letter carried
from this test database (deployment A) to a second, real deployment B in its own processes and SQLite file."""

from __future__ import annotations

import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from sqdj.core.dates import today
from sqdj.members.models import PiiReveal
from sqdj.members.services import do_create_member
from sqdj.testing.members import member_data
from sqdj.testing.transfers import build_transfer_world
from sqdj.transfers import exchange
from sqdj.transfers import services as T
from sqdj.transfers.choices import TransferState
from sqdj.transfers.models import PeerDeployment, Transfer

pytestmark = pytest.mark.django_db
S = TransferState
DAY = datetime.timedelta(days=1)
SQDJ = str(Path(sys.executable).with_name("sqdj"))


@pytest.fixture
def tw():
    return build_transfer_world()


def run(*args) -> dict | str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    return json.loads(text) if "--json" in args else text


def _approved(tw, member=None, outgoing=False):
    member = member or tw.member
    kw = {"external_org_name": "中共某市某社区委员会"} if outgoing else {"to_org": tw.branch3}
    case = T.do_create_transfer(acting_user=tw.sender, member=member, reason="work", **kw)
    case = T.do_submit(case, acting_user=tw.sender, version=case.version)
    return T.do_approve(case, acting_user=tw.district_admin if not outgoing else tw.street_admin, version=case.version)


def _second_member(tw, seq, name):
    return do_create_member(acting_user=None, **member_data(tw.world.branch1, seq=seq, name=name))


@pytest.fixture
def cases(tw):
    """A letter valid for two more months; a letter that ran out yesterday; a case submitted 20 days ago (the
    approver's 15 days are over); a draft (no due date)."""
    valid = _approved(tw)
    ran_out = _approved(tw, _second_member(tw, 8, "赵过期"))
    Transfer.objects.filter(pk=ran_out.pk).update(valid_until=today() - DAY)
    waiting = T.do_create_transfer(
        acting_user=tw.sender, member=_second_member(tw, 9, "钱待批"), reason="work", to_org=tw.branch3
    )
    waiting = T.do_submit(waiting, acting_user=tw.sender, version=waiting.version)
    Transfer.objects.filter(pk=waiting.pk).update(state_changed_on=today() - 20 * DAY)
    draft = T.do_create_transfer(
        acting_user=tw.sender, member=_second_member(tw, 10, "孙草稿"), reason="work", to_org=tw.branch3
    )
    return {"valid": valid, "ran_out": ran_out, "waiting": waiting, "draft": draft}


def test_overdue_json_lists_the_late_steps_with_their_due_dates(tw, cases):
    result = run("transfers", "--overdue", "--json")
    assert result["as_of"] == today().isoformat() and result["overdue_only"] is True and result["expired"] == []
    rows = {r["id"]: r for r in result["cases"]}
    assert set(rows) == {cases["ran_out"].pk, cases["waiting"].pk}
    late = rows[cases["ran_out"].pk]
    assert set(late) == {
        "id", "letter_number", "person", "from", "to", "state", "due_date", "days_overdue", "waiting_on",
    }  # fmt: skip
    assert late == {
        "id": cases["ran_out"].pk,
        "letter_number": cases["ran_out"].letter_number,
        "person": "赵过期",
        "from": tw.world.branch1.name,
        "to": tw.branch3.name,
        "state": "approved",
        "due_date": (today() - DAY).isoformat(),
        "days_overdue": 1,
        # the receiving side's own 街道党工委 accepts across subdistricts (rules.md 6.3; the district before issue 13)
        "waiting_on": tw.street2.code,
    }
    waiting = rows[cases["waiting"].pk]
    assert (waiting["state"], waiting["due_date"], waiting["days_overdue"]) == (
        "submitted", (today() - 5 * DAY).isoformat(), 5,
    )  # fmt: skip
    # without --overdue: every open case, the draft and the valid letter too, none overdue among those
    everything = {r["id"]: r for r in run("transfers", "--json")["cases"]}
    assert set(everything) == {c.pk for c in cases.values()}
    assert everything[cases["valid"].pk]["days_overdue"] == 0 and everything[cases["draft"].pk]["due_date"] is None
    # --as-of: a later day makes the valid letter overdue as well
    later = (cases["valid"].valid_until + DAY).isoformat()
    assert cases["valid"].pk in {r["id"] for r in run("transfers", "--overdue", "--json", "--as-of", later)["cases"]}


def test_expire_expires_only_the_letters_past_their_validity(tw, cases):
    result = run("transfers", "--expire", "--overdue", "--json")
    assert result["expired"] == [cases["ran_out"].pk]
    states = dict(Transfer.objects.values_list("pk", "state"))
    assert states[cases["ran_out"].pk] == S.EXPIRED and states[cases["valid"].pk] == S.APPROVED
    assert states[cases["waiting"].pk] == S.SUBMITTED and states[cases["draft"].pk] == S.DRAFT
    # the expired case waits on the sending org now, with a fresh step: no longer overdue
    assert {r["id"] for r in result["cases"]} == {cases["waiting"].pk}
    assert run("transfers", "--expire", "--json")["expired"] == []  # the daily job is idempotent


def test_scope_org_and_usage_errors(tw, cases):
    # the receiver sees cases once they are submitted to its branch, never the sender's draft
    seen = {r["id"] for r in run("transfers", "--json", "--user", "receiver")["cases"]}
    assert cases["draft"].pk not in seen and cases["waiting"].pk in seen
    assert run("transfers", "--json", "--org", tw.world.branch2.code)["cases"] == []
    assert len(run("transfers", "--json", "--org", tw.world.branch1.code)["cases"]) == 4
    with pytest.raises(CommandError) as exc:
        run("transfers", "--org", tw.world.branch1.code, "--user", "receiver")
    assert exc.value.returncode == 1
    with pytest.raises(CommandError) as exc:
        run("transfers", "--as-of", "2026-13-01")
    assert exc.value.returncode == 2
    text = run("transfers", "--overdue")
    assert "赵过期" in text and "孙草稿" not in text


def test_exchange_commands_refuse_with_exit_1_and_write_nothing(tw, tmp_path):
    case = _approved(tw, outgoing=True)
    with pytest.raises(CommandError) as exc:  # viewer: may see the case, not reveal the member's numbers
        run("exchange", "export", str(case.pk), "--reason", "转接", "--to", "B", "--user", "viewer1", "-o",
            str(tmp_path / "x.json"))  # fmt: skip
    assert exc.value.returncode == 1 and not (tmp_path / "x.json").exists() and not PiiReveal.objects.exists()
    with pytest.raises(CommandError) as exc:
        run("exchange", "export", "999999", "--reason", "转接", "--user", "sender", "-o", str(tmp_path / "x.json"))
    assert exc.value.returncode == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("exchange", "import", str(bad), "--json", stdout=out)
    assert exc.value.returncode == 1 and json.loads(out.getvalue())["code"] == "not_package"
    with pytest.raises(CommandError) as exc:
        run("exchange", "trust", "P", "not-a-key", "--name", "某市")
    assert exc.value.returncode == 1 and not PeerDeployment.objects.exists()
    assert Transfer.objects.count() == 1


def _b(tmp_path: Path, *args, check=True) -> subprocess.CompletedProcess:
    data = tmp_path / "deployment-b"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SQDJ_", "DJANGO_", "DATABASE_"))}
    env.update(
        SQDJ_DATA_DIR=str(data),
        DATABASE_URL=f"sqlite:///{data / 'sqdj.sqlite3'}",  # its own SQLite file, also when A runs on PostgreSQL
        SQDJ_DEPLOYMENT_ID="B",
        DJANGO_SETTINGS_MODULE="sqdj.settings",
    )
    r = subprocess.run([SQDJ, *args], env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


@pytest.mark.slow  # migrating the second database takes half a minute
def test_a_letter_round_trips_to_a_second_deployment(tw, tmp_path):
    """A (this test database) exports an issued letter; B — another database, another key, another id, in its
    own processes — trusts A's key and imports it: the incoming case waits there for acceptance."""
    case = _approved(tw, outgoing=True)
    package = tmp_path / "letter.json"
    with override_settings(SQDJ_DEPLOYMENT_ID="A"):
        a_id, a_key = run("exchange", "key").split()
        assert a_id == "A" and a_key == exchange.public_key()
        run("exchange", "export", str(case.pk), "--reason", "办理组织关系转接", "--to", "B", "--user", "sender",
            "--contact", "某街道党工委 0000-1234567", "-o", str(package))  # fmt: skip
    assert PiiReveal.objects.filter(user=tw.sender, member=tw.member).count() == 1
    assert oct(package.stat().st_mode & 0o777) == "0o600"

    _b(tmp_path, "migrate", "--no-input")
    _b(tmp_path, "shell", "-c", "from sqdj.testing import build_world; build_world()")
    b_id, b_key = _b(tmp_path, "exchange", "key").stdout.split()
    assert b_id == "B" and b_key != a_key
    # before B trusts A, the package is refused
    r = _b(tmp_path, "exchange", "import", str(package), "--to-org", "ZBT1", "--user", "admin1", "--json", check=False)
    assert r.returncode == 1 and json.loads(r.stdout)["code"] == "untrusted"
    _b(tmp_path, "exchange", "trust", "A", a_key, "--name", "甲市")
    # a changed copy is refused
    tampered = json.loads(package.read_text())
    tampered["member"]["name"] = "张冒名"
    (tmp_path / "tampered.json").write_text(json.dumps(tampered, ensure_ascii=False))
    r = _b(tmp_path, "exchange", "import", str(tmp_path / "tampered.json"), "--to-org", "ZBT1", "--user", "admin1",
           "--json", check=False)  # fmt: skip
    assert r.returncode == 1 and json.loads(r.stdout)["code"] == "bad_signature"

    r = _b(tmp_path, "exchange", "import", str(package), "--to-org", "ZBT1", "--user", "admin1", "--json")
    imported = json.loads(r.stdout)
    assert imported["ok"] is True and imported["letter_number"] == case.letter_number
    assert imported["person"] == "李流转" and imported["state"] == "approved"
    # imported once only
    r = _b(tmp_path, "exchange", "import", str(package), "--to-org", "ZBT1", "--user", "admin1", "--json", check=False)
    assert r.returncode == 1 and json.loads(r.stdout)["code"] == "already_imported"

    # B's own view of its open cases: the incoming case, from A's branch, waiting for B's accepting org
    listed = json.loads(_b(tmp_path, "transfers", "--json").stdout)["cases"]
    assert len(listed) == 1
    row = listed[0]
    assert (row["id"], row["person"], row["letter_number"]) == (imported["id"], "李流转", case.letter_number)
    assert row["from"] == tw.world.branch1.name and row["state"] == "approved"
    assert row["due_date"] == case.valid_until.isoformat()
    # and in B's database: the details that will put the member on B's roll at completion, unmasked
    check = (
        "import json; from sqdj.transfers.models import Transfer; c = Transfer.objects.get(); "
        "print(json.dumps([c.direction, c.external_deployment, c.external_org_contact, "
        "json.loads(c.incoming_details)['id_number']]))"
    )
    direction, deployment, contact, id_number = json.loads(_b(tmp_path, "shell", "-c", check).stdout.splitlines()[-1])
    assert (direction, deployment, contact) == ("incoming", "A", "某街道党工委 0000-1234567")
    assert id_number == tw.member.id_number
    # A's own case is unchanged but now names B
    case.refresh_from_db()
    assert case.state == S.APPROVED and case.external_deployment == "B"
