"""The count ledger's reconciliation (stats.ledger): for any subtree and any two days, start + increases − decreases
= end, the counts agree with an independent replay of the members' histories and with the roll today, and only what
the user may see counts."""

from __future__ import annotations

import datetime
import io
import json
import random

import pytest
from django.core.management import call_command

from sqdj.core import dates
from sqdj.core.dates import add_years
from sqdj.core.scope import EVERYTHING
from sqdj.members import standing as S
from sqdj.members.choices import EXIT_KINDS, EventKind
from sqdj.members.services import do_create_member, do_transfer_member
from sqdj.orgs.models import Org
from sqdj.stats.ledger import ledger_count, reconcile, roll_count
from sqdj.testing import build_world
from sqdj.testing.members import member_data

D = datetime.date
pytestmark = pytest.mark.django_db


def _later(rng, day, today, most=900):
    return min(today, day + datetime.timedelta(days=rng.randint(0, most)))


def build_histories(w, seed=13, n=40):
    """Members with random histories through the services; returns [(member, [(org pk, from, until or None)])]: the
    periods each member was on an org's roll (an independent record to replay)."""
    rng = random.Random(seed)
    today = dates.today()
    orgs = [w.branch1, w.branch2, w.group1, w.community1, w.community2]
    histories = []
    for i in range(n):
        joined = D(1990, 1, 1) + datetime.timedelta(days=rng.randint(0, 12000))
        org = rng.choice(orgs)
        data = member_data(org, seq=i, joined_on=joined, confirmed_on=add_years(joined, 1))
        m = do_create_member(acting_user=None, **data)
        periods, since, day, on_roll = [], joined, joined, True
        for _step in range(rng.randint(0, 5)):
            day = _later(rng, day, today)
            if on_roll:
                move = rng.choice(["transfer", "suspend", "end", "leave"])
                if move == "transfer":
                    to = rng.choice([o for o in orgs if o.pk != org.pk])
                    do_transfer_member(m, to_org=to, date=day, acting_user=None)
                    periods.append((org.pk, since, day))
                    org, since = to, day
                    continue
                periods.append((org.pk, since, day))
                on_roll = False
                if move == "suspend":
                    S.do_suspend(m, acting_user=None, date=day)
                elif move == "end":
                    kind = rng.choice([EventKind.DIED, *EXIT_KINDS])
                    S.do_end_membership(m, acting_user=None, kind=kind, date=day)
                    break
                else:
                    do_transfer_member(m, to_org=None, date=day, acting_user=None)
                    break
            else:  # suspended
                if rng.random() < 0.6:
                    S.do_restore(m, acting_user=None, date=day)
                    on_roll, since = True, day
                else:
                    S.do_end_membership(m, acting_user=None, kind=EventKind.LAPSED, date=day)
                    break
            m.refresh_from_db()
        if on_roll:
            periods.append((org.pk, since, None))
        histories.append((m, periods))
    return histories


def replay(histories, org_pks, day):
    """On the roll of an org in `org_pks` at the end of `day`, from the recorded periods."""
    return sum(
        1
        for _m, periods in histories
        for pk, since, until in periods
        if pk in org_pks and since <= day and (until is None or day < until)
    )


def subtree_pks(org, within=None):
    qs = Org.objects.filter(path__startswith=org.path)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return set(qs.values_list("pk", flat=True))


def test_any_subtree_any_two_days_balances_and_matches_the_replay():
    w = build_world()
    histories = build_histories(w)
    rng = random.Random(7)
    today = dates.today()
    subtrees = [w.district, w.street, w.community1, w.community2, w.branch1, w.branch2, w.group1]
    for _i in range(40):
        org = rng.choice(subtrees)
        a = D(1990, 1, 1) + datetime.timedelta(days=rng.randint(0, 13500))
        b = min(today, a + datetime.timedelta(days=rng.randint(0, 6000)))
        found = reconcile(org, user=EVERYTHING, start=a, end=b)
        pks = subtree_pks(org)
        assert found["balanced"] is True
        assert found["start"] + found["increases"]["total"] - found["decreases"]["total"] == found["end"]
        assert found["start"] == replay(histories, pks, a - datetime.timedelta(days=1))
        assert found["end"] == replay(histories, pks, b)
        exits = found["decreases"]["出党"]
        assert exits["total"] == sum(v for k, v in exits.items() if k != "total")
    # today, the ledger agrees with the roll for every subtree
    for org in subtrees:
        assert ledger_count(org, EVERYTHING, today) == roll_count(org, EVERYTHING, today)
    assert roll_count(w.district, EVERYTHING, today) > 0


def test_restrict_out_of_scope_orgs_do_not_count():
    w = build_world()
    histories = build_histories(w, seed=5, n=25)
    today = dates.today()
    start = D(2000, 1, 1)
    mine = reconcile(w.district, user=w.admin1, start=start, end=today)  # admin1: community1 and below
    pks = subtree_pks(w.district, within=w.community1)
    assert mine["balanced"]
    assert mine["start"] == replay(histories, pks, start - datetime.timedelta(days=1))
    assert mine["end"] == replay(histories, pks, today) == roll_count(w.community1, EVERYTHING, today)
    everything = reconcile(w.district, user=EVERYTHING, start=start, end=today)
    assert everything["end"] == replay(histories, subtree_pks(w.district), today)
    assert reconcile(w.district, user=w.nobody, start=start, end=today)["end"] == 0


def test_each_kind_lands_in_its_report_line():
    w = build_world()
    dates_ = {"joined_on": D(2010, 1, 1), "confirmed_on": D(2011, 1, 1)}
    a, b, c, d = (do_create_member(acting_user=None, **member_data(w.branch1, seq=i, **dates_)) for i in range(4))
    p = do_create_member(acting_user=None, **member_data(w.branch2, seq=9, member_type="probationary",
                                                          joined_on=D(2025, 3, 1), confirmed_on=None))  # fmt: skip
    S.do_suspend(a, acting_user=None, date=D(2025, 2, 1))
    S.do_restore(a, acting_user=None, date=D(2025, 6, 1))
    S.do_end_membership(b, acting_user=None, kind=EventKind.STRUCK_OFF, date=D(2025, 4, 1))
    S.do_end_membership(c, acting_user=None, kind=EventKind.DIED, date=D(2025, 5, 1))
    do_transfer_member(d, to_org=w.branch2, date=D(2025, 7, 1), acting_user=None)
    found = reconcile(w.district, user=EVERYTHING, start=D(2025, 1, 1), end=D(2025, 12, 31))
    assert (found["start"], found["end"]) == (4, 3)
    assert found["increases"] == {"total": 3, "发展党员": 1, "转入": 1, "恢复党籍": 1, "整建制转入": 0, "其他增加": 0}
    dec = found["decreases"]
    assert (dec["total"], dec["死亡"], dec["停止党籍"], dec["转出"], dec["出党"]["除名"], dec["出党"]["total"]) == (
        4, 1, 1, 1, 1, 1,
    )  # fmt: skip
    branch2 = reconcile(w.branch2, user=EVERYTHING, start=D(2025, 1, 1), end=D(2025, 12, 31))
    assert (branch2["start"], branch2["increases"]["total"], branch2["end"]) == (0, 2, 2)
    assert p.pk  # the probationary member counts (the total includes 预备党员)


def test_stats_command_gives_the_ledger_for_a_period():
    w = build_world()
    do_create_member(acting_user=None, **member_data(w.branch1, seq=1, joined_on=D(2024, 7, 1),
                                                     confirmed_on=D(2025, 7, 1)))  # fmt: skip
    out = io.StringIO()
    call_command("stats", "--org", w.district.code, "--json", "--from", "2024-01-01", "--to", "2025-12-31",
                 stdout=out)  # fmt: skip
    got = json.loads(out.getvalue())
    assert got["ledger"]["start"] == 0 and got["ledger"]["end"] == 1 and got["ledger"]["balanced"]
    assert got["ledger"]["increases"]["发展党员"] == 1 and got["ledger"]["预备党员转正"] == 1
    assert "members" in got  # the rest of the object is unchanged
    out = io.StringIO()
    call_command("stats", "--org", w.district.code, "--json", stdout=out)
    assert "ledger" not in json.loads(out.getvalue())
