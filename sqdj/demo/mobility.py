"""Transfer cases and mobile members for the synthetic city (`sqdj generate`): a few of each state, so that the
demo and the benchmarks have open cases, overdue steps, letters to print and contact reminders to show.

Everything goes through the services (as the shell, no user), so the data obey the same rules as real work;
only the dates of a few older cases are set back afterwards, to show expired letters and overdue steps."""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from sqdj.core import dates, idnumber
from sqdj.members.choices import Standing
from sqdj.members.models import Member
from sqdj.orgs.choices import BRANCH_TYPES
from sqdj.orgs.models import Org
from sqdj.transfers import mobile_services as M
from sqdj.transfers import services as T
from sqdj.transfers.choices import OPEN_STATES, TransferReason
from sqdj.transfers.models import Inflow, Outflow, Transfer

# how many of each per 1,000 members, and at most (the city has a million members)
PER_THOUSAND = {"cases": 6, "outflows": 5, "inflows": 2}
AT_MOST = {"cases": 60, "outflows": 80, "inflows": 30}
DESTINATIONS = ["广东省深圳市南山区", "上海市浦东新区", "江苏省苏州市工业园区", "北京市海淀区", "浙江省杭州市滨江区"]
HOME_ORGS = ["中共河北省沧州市某村支部委员会", "中共山东省德州市某社区委员会", "中共河南省周口市某企业支部委员会"]


def _count(kind: str, members: int) -> int:
    return min(AT_MOST[kind], max(2, members * PER_THOUSAND[kind] // 1000))


def _members(rng: random.Random, n: int) -> list[Member]:
    """`n` active members spread over the roster (by id, without reading a million rows)."""
    qs = Member.objects.filter(standing=Standing.ACTIVE)
    lo, hi = (
        qs.order_by("pk").values_list("pk", flat=True).first(),
        qs.order_by("-pk").values_list("pk", flat=True).first(),
    )
    if lo is None:
        return []
    picks = sorted({rng.randint(lo, hi) for _ in range(n * 3)})
    found = list(qs.filter(pk__in=picks).select_related("org").order_by("pk"))
    rng.shuffle(found)
    return found[:n]


def _back(case: Transfer, days: int) -> None:
    """Set a case's dates `days` back (history; not a state change)."""
    delta = datetime.timedelta(days=days)
    changes = {}
    for field in ("submitted_on", "approved_on", "valid_until", "accepted_on", "state_changed_on"):
        value = getattr(case, field)
        if value is not None:
            changes[field] = value - delta
    Transfer.objects.filter(pk=case.pk).update(**changes)


@transaction.atomic
def generate_mobility(seed: int = 2026, today: datetime.date | None = None) -> dict:
    """Add the cases and mobile records once (nothing when some exist already)."""
    # the synthetic roll's 流动 members come with their outflows (synthetic.py): those are not this step's
    if Transfer.objects.exists() or Outflow.objects.exclude(destination_org="").exists() or Inflow.objects.exists():
        return {}
    today = today or dates.today()
    rng = random.Random(f"mobility:{seed}")
    total = Member.objects.filter(standing=Standing.ACTIVE).count()
    if not total:
        return {}
    branches = list(Org.objects.filter(type__in=sorted(BRANCH_TYPES)).order_by("path").values_list("pk", flat=True))
    n_cases, n_out, n_in = (_count(k, total) for k in ("cases", "outflows", "inflows"))
    people = _members(rng, n_cases + n_out)
    movers, away = people[:n_cases], people[n_cases:]
    # the steps each case is taken to (a cycle, so that every state is shown)
    plans = ["draft", "submitted", "approved", "received", "completed", "returned", "expired", "overdue", "outgoing"]
    cases = 0
    for member in movers:
        plan = plans[cases % len(plans)]
        reason = rng.choice([r for r in TransferReason.values if r != TransferReason.OTHER])
        if plan == "outgoing":
            case = T.do_create_transfer(
                acting_user=None,
                member=member,
                reason=reason,
                external_org_name=rng.choice(HOME_ORGS),
                external_org_contact="0317-1234567",
            )
        else:
            to_pk = rng.choice(branches)
            while to_pk == member.org_id and len(branches) > 1:
                to_pk = rng.choice(branches)
            case = T.do_create_transfer(
                acting_user=None, member=member, reason=reason, to_org=Org.objects.get(pk=to_pk)
            )
        cases += 1
        if plan == "draft":
            continue
        case = T.do_submit(case, acting_user=None)
        if plan == "overdue":
            _back(case, 30)  # waiting for approval for a month
            continue
        if plan == "submitted":
            continue
        if plan == "returned":
            T.do_return(case, acting_user=None, reason="介绍信信息不全，请补充党费交纳情况")
            continue
        case = T.do_approve(case, acting_user=None)
        if plan == "expired":
            _back(case, 120)
            T.expire_letters(today)
            continue
        if plan in ("approved", "outgoing"):
            continue
        case = T.do_accept(case, acting_user=None)
        if plan == "completed":
            T.do_complete(case, acting_user=None)

    outflows = 0
    for member in away:
        if Transfer.objects.filter(member=member, state__in=OPEN_STATES).exists():
            continue
        if Outflow.objects.filter(member=member, ended_on__isnull=True).exists():  # away already
            continue
        left = today - datetime.timedelta(days=rng.randint(200, 900))
        last = min(today, left + datetime.timedelta(days=rng.randint(30, 700)))
        outflow = M.do_record_outflow(
            member,
            acting_user=None,
            left_on=left,
            destination=rng.choice(DESTINATIONS),
            destination_org="当地街道党工委",
            contact=f"139{rng.randint(10_000_000, 99_999_999)}",
            last_contact_on=last,
            mobile_card_number=f"LD{today.year}{rng.randint(10_000, 99_999)}",
        )
        outflows += 1
        if (today - last).days > 400 and rng.random() < 0.5:
            M.do_mark_lost_contact(outflow, acting_user=None, since=last + datetime.timedelta(days=60))

    inflows = 0
    hosts = list(Org.objects.filter(area__type="community").exclude(type="group").order_by("path")[:200])

    for k in range(n_in if hosts else 0):
        birth = datetime.date(rng.randint(1960, 1998), rng.randint(1, 12), rng.randint(1, 28))
        id_number = idnumber.compose("130902", birth, rng.randint(100, 999))
        host = hosts[k % len(hosts)]
        arrived = today - datetime.timedelta(days=rng.randint(30, 700))
        inflow = M.do_register_inflow(
            acting_user=None,
            name=rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["建国", "海燕", "志强", "丽娟", "晓明", "春梅"]),
            id_number=id_number,
            home_org_name=rng.choice(HOME_ORGS),
            arrived_on=arrived,
            host_org=host,
            phone=f"137{rng.randint(10_000_000, 99_999_999)}",
            last_contact_on=min(today, arrived + datetime.timedelta(days=rng.randint(0, 500))),
        )
        inflows += 1
        if k % 2 == 0:
            M.do_verify_inflow(inflow, acting_user=None, note="核对身份证和流动党员活动证，函询原党组织确认")
    return {"transfers": cases, "outflows": outflows, "inflows": inflows}
