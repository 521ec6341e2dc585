"""The data migration of the old member category (members.0006_work_status, transfers.0003_outflow_incomplete): an
existing roll migrates with no member lost, each old value mapped onto the work status, and every 流动 member
without an outflow kept as an incomplete outflow that the checks list."""

from __future__ import annotations

import datetime

import pytest

from sqdj.core.rules import clear_cache, run_checks
from sqdj.core.scope import EVERYTHING
from sqdj.members.services import do_create_member
from sqdj.testing import build_world
from sqdj.testing.members import member_data
from sqdj.testing.migrations import migrate_to

BEFORE = [("members", "0005_probation_extension"), ("transfers", "0002_rulebook")]
OLD = ["employed", "retired", "veteran_retired", "unemployed", "mobile", "mobile", "resident"]


@pytest.mark.django_db(transaction=True)
def test_old_categories_migrate_with_no_member_lost(capsys):
    clear_cache()
    w = build_world()
    members = [do_create_member(acting_user=None, **member_data(w.branch1, seq=i)) for i in range(len(OLD))]
    try:
        apps = migrate_to(BEFORE)
        OldMember = apps.get_model("members", "Member")
        OldOutflow = apps.get_model("transfers", "Outflow")
        for m, category in zip(members, OLD, strict=True):
            OldMember.objects.filter(pk=m.pk).update(category=category)
        # one 流动 member is away on record; a 居民 member too (the record wins: 流动 after the migration)
        for m in (members[5], members[6]):
            OldOutflow.objects.create(member_id=m.pk, left_on=datetime.date(2024, 1, 1), destination="上海市",
                                      last_contact_on=datetime.date(2024, 6, 1))  # fmt: skip
    finally:
        apps = migrate_to()
    Member = apps.get_model("members", "Member")
    Outflow = apps.get_model("transfers", "Outflow")
    got = dict(Member.objects.values_list("pk", "work_status"))
    assert len(got) == len(OLD)  # no member lost
    assert [got[m.pk] for m in members] == [
        "employed", "retired", "veteran_retired", "unemployed", "other", "other", "other",
    ]  # fmt: skip
    categories = dict(Member.objects.values_list("pk", "category"))
    assert [categories[m.pk] for m in members] == [*OLD[:4], "mobile", "mobile", "mobile"]
    incomplete = Outflow.objects.get(incomplete=True)
    assert (incomplete.member_id, incomplete.destination, incomplete.ended_on) == (members[4].pk, "", None)
    assert Outflow.objects.filter(incomplete=False).count() == 2
    assert "1 流动 member(s) without an outflow record" in capsys.readouterr().out
    # listed as a finding to complete
    clear_cache()
    found = run_checks(w.district, user=EVERYTHING, rules=["mobile.outflow_incomplete"])
    assert [f.object_code for f in found] == [f"outflow-{incomplete.pk}"]
