"""The synthetic city's care for residents beyond requests (issue 17 item 8): in every community with a party
organization a year of 微心愿 posted, claimed by members, service teams and units and fulfilled (a member's
fulfilment also in the member's service record, as the app records it), households in hardship with their pairings,
the support given and the yearly review, and visits (走访) across the buildings — a visit that heard a request is the
visit the request was opened from.

Everything is clearly fake: households' contacts are 示例户主 + a number with phones 1390001xxxx (the basis recorded),
their rooms 示例单元; nothing names a real person. Written straight into the tables, like the rest of the seed data
(demo/services.py), deterministic for a size, a seed and the day of generation (the tracking codes aside)."""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.bulk import insert_rows, is_streaming, reset_sequences
from sqdj.core.numbering import next_numbers
from sqdj.core.pii import encrypt
from sqdj.demo.volunteers import HOURS_COLUMNS, _counted, _next_id
from sqdj.services.choices import (
    ClaimState,
    Hardship,
    HouseholdEnd,
    HouseholdState,
    LegalBasis,
    RequestKind,
    RequestState,
    ReviewOutcome,
    Source,
    SupportKind,
)
from sqdj.services.households import number_of
from sqdj.services.models import (
    Assistance,
    Household,
    HouseholdReview,
    Request,
    RequestStep,
    Support,
    Visit,
    WishClaim,
)
from sqdj.services.public import CONSENT_VERSION
from sqdj.services.requests import new_numbers, new_tracking_code
from sqdj.volunteers.choices import HoursSource, HoursState
from sqdj.volunteers.models import ServiceHours, Team


@dataclass(frozen=True)
class Plan:
    wishes: int  # per community, over the last year
    households: int  # per community
    visits: int  # per community over the last year, besides those a request was heard on


PLANS = {"small": Plan(8, 4, 30), "medium": Plan(10, 5, 36)}
KEYS = ("wishes", "wish_claims", "households", "assistances", "supports", "household_reviews", "visits")

# (what, for whom: an anonymous label, what was done)
WISHES = [
    ("一台助行器", "行动不便的独居老人", "已购买助行器并送到家中。"),
    ("一套小学课外读物", "困难家庭的小学生", "已送去课外读物一套。"),
    ("修好漏水的水龙头", "高龄空巢老人", "已上门更换水龙头。"),
    ("陪同去医院复诊", "独居的高龄老人", "已陪同就医并协助取药。"),
    ("一件过冬棉衣", "低保户老人", "已送去棉衣一件。"),
    ("学习使用智能手机", "独居老人", "已上门教会视频通话和扫码。"),
    ("一台电风扇", "困难党员家庭", "已购买电风扇并安装。"),
    ("一次理发服务", "卧床老人", "已组织志愿者上门理发。"),
]
CLAIM_KINDS = [("member", 5), ("team", 2), ("unit", 2)]
HARDSHIP_WEIGHTS = [(Hardship.DIBAO, 4), (Hardship.ELDERLY_ALONE, 4), (Hardship.ILLNESS, 3),
                    (Hardship.DISABILITY, 3), (Hardship.UNEMPLOYED, 2), (Hardship.POOR_MEMBER, 2),
                    (Hardship.TEKUN, 1)]  # fmt: skip
NEEDS = ["日常照料和定期探望", "就医陪护", "就业岗位推荐", "生活物资", "助餐服务", "子女学习辅导"]
SUPPORTS = [
    (SupportKind.MONEY, "节日慰问金", (200, 800)),
    (SupportKind.GOODS, "米面油等生活物资", None),
    (SupportKind.SERVICE, "上门打扫卫生", None),
    (SupportKind.SERVICE, "陪同就医", None),
    (SupportKind.GOODS, "冬季取暖用品", None),
]
HEARD = [
    "楼道灯损坏，夜间出行不便。",
    "居民反映小区停车难。",
    "老人希望社区多组织健康讲座。",
    "单元门口台阶破损，建议修补。",
    "居民对近期垃圾分类宣传反响较好。",
    "希望增设休闲座椅。",
    "家中一切正常，感谢社区关心。",
]
OTHER_VISITORS = ["网格员", "居委会委员", "社区工作者", ""]


def _steps(wish: dict) -> int:
    """A wish's steps (posted, claimed, fulfilled, closed): its version, as the services leave it."""
    return 1 + sum(wish[k] is not None for k in ("accepted_at", "resolved_at", "closed_at"))


def _households_numbers(year: int, count: int) -> list[str]:
    """A block of household numbers, from the sequence the service numbers from (households.new_number)."""
    return [number_of(year, n) for n in next_numbers(f"services.household.{year}", count)]


def generate_care(size: str, seed: int, today: datetime.date, communities: list) -> dict:
    """Wishes, households and visits of `communities` (demo/services.py's, with their places, branches and members):
    the counts. The city size has none (its requests are the benchmarks' business)."""
    if size not in PLANS or not communities or Visit.objects.exists() or Household.objects.exists():
        return dict.fromkeys(KEYS, 0) if size == "city" else {}
    plan = PLANS[size]
    rng = random.Random(f"care:{size}:{seed}")
    tz = timezone.get_current_timezone()
    stamp = timezone.now()
    convert = not is_streaming()
    Unit = apps.get_model("units", "Unit")

    def secret(value: str) -> str:
        return value if convert or not value else encrypt(value)

    def at(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(rng.randint(8, 18), rng.randint(0, 59)), tz)

    def day_within(days: int) -> datetime.date:
        return today - datetime.timedelta(days=rng.randint(1, days))

    wishes, claims, hours = [], [], []
    households, pairings, supports, reviews = [], [], [], []
    visits, visitors = [], []
    visit_id, household_id = _next_id(Visit), _next_id(Household)
    request_id = _next_id(Request)
    heard_on: list[tuple[int, int]] = []  # (visit id, request id): requests heard on a visit

    def visit(org_id, people, day, area_pk, heard, household=None) -> int:
        nonlocal visit_id
        visits.append((visit_id, stamp, stamp, org_id, area_pk, household, day, rng.choice(OTHER_VISITORS), heard))
        for member in rng.sample(people, min(len(people), rng.randint(1, 2))):
            visitors.append((visit_id, member))
        visit_id += 1
        return visit_id - 1

    for c in communities:
        members = [pk for pk, _name in c.members]
        branches = [pk for pk, _name in c.branches]
        teams = list(Team.objects.filter(community=c.area, active=True).values_list("pk", flat=True))
        units = list(Unit.objects.filter(area__path__startswith=c.area.path).values_list("pk", flat=True)[:20])
        buildings = list(
            Area.objects.filter(path__startswith=c.area.path, type=AreaType.BUILDING).values_list("pk", flat=True)
        ) or [c.area.pk]

        # visits over the year, to buildings; some heard the requests that came in by visit
        for _ in range(plan.visits):
            visit(c.org_id, members, day_within(365), rng.choice(buildings), rng.choice(HEARD))
        for pk, area_pk, received, description in Request.objects.filter(
            org_id=c.org_id, source=Source.VISIT, kind=RequestKind.REQUEST
        ).values_list("pk", "area_id", "received_at", "description"):
            heard_on.append((visit(c.org_id, members, timezone.localdate(received), area_pk, description), pk))

        # households in hardship: paired, supported, reviewed; one in five's help has ended
        for n in range(plan.households):
            opened = day_within(330)
            closed = n == plan.households - 1 and rng.random() < 0.8
            basis = LegalBasis.LEGAL_DUTY if rng.random() < 0.4 else LegalBasis.CONSENT
            kinds = sorted({rng.choices([h for h, _w in HARDSHIP_WEIGHTS], [w for _h, w in HARDSHIP_WEIGHTS])[0]
                            for _ in range(rng.randint(1, 2))})  # fmt: skip
            closed_on = min(today - datetime.timedelta(days=1), opened + datetime.timedelta(days=rng.randint(60, 200)))
            hid = household_id
            households.append({
                "id": hid, "org_id": c.org_id, "area_id": rng.choice(buildings),
                "room": f"示例{rng.randint(1, 6)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                "contact_name": f"示例户主{hid}", "contact_phone": f"1390001{hid % 10000:04d}",
                "size": rng.randint(1, 4), "hardships": kinds, "needs": rng.choice(NEEDS), "basis": basis,
                "basis_note": "社会救助暂行办法" if basis == LegalBasis.LEGAL_DUTY else "书面同意书",
                "consent_at": at(opened) if basis == LegalBasis.CONSENT else None,
                "consent_version": CONSENT_VERSION if basis == LegalBasis.CONSENT else "",
                "state": HouseholdState.CLOSED if closed else HouseholdState.OPEN, "opened_on": opened,
                "closed_on": closed_on if closed else None,
                "end_reason": HouseholdEnd.RECOVERED if closed else "",
            })  # fmt: skip
            household_id += 1
            helper = rng.choice(["member"] * 3 + ["org"] * (1 if branches else 0) + ["unit"] * (1 if units else 0))
            member = rng.choice(members) if helper == "member" and members else None
            org = rng.choice(branches) if helper == "org" else None
            unit = rng.choice(units) if helper == "unit" else None
            if member or org or unit:
                pairings.append((stamp, stamp, hid, member, org, unit, opened, closed_on if closed else None, ""))
            last = closed_on if closed else today - datetime.timedelta(days=1)
            day = opened + datetime.timedelta(days=rng.randint(3, 20))
            while day <= last:
                kind, what, money = rng.choice(SUPPORTS)
                amount = Decimal(rng.randrange(money[0], money[1] + 1, 100)) if money else None
                supports.append((stamp, stamp, hid, day, kind, what, amount, member, org, unit))
                if rng.random() < 0.5:
                    visit(c.org_id, members, day, households[-1]["area_id"], "入户探望，了解近况。", hid)
                day += datetime.timedelta(days=rng.randint(30, 75))
            if closed or rng.random() < 0.5:  # reviewed this year (the rest falls due later)
                reviewed = closed_on if closed else min(last, opened + datetime.timedelta(days=rng.randint(30, 300)))
                outcome = ReviewOutcome.CLOSE if closed else ReviewOutcome.CONTINUE
                reviews.append((stamp, stamp, hid, reviewed.year, reviewed, outcome, ""))

        # 微心愿: posted over the year; most claimed and fulfilled, some open, a few claimed and late
        for _ in range(plan.wishes):
            what, whom, done = rng.choice(WISHES)
            received = at(day_within(330))
            due = received + datetime.timedelta(days=rng.randint(14, 45))
            fate = rng.random()
            kind = rng.choices([k for k, _w in CLAIM_KINDS], [w for _k, w in CLAIM_KINDS])[0]
            claimant = {"member": members, "team": teams, "unit": units}[kind]
            claimed_at = received + datetime.timedelta(days=rng.randint(1, 5))
            claimed = fate > 0.15 and claimant and claimed_at.date() < today
            fulfilled_on = (claimed_at + datetime.timedelta(days=rng.randint(2, 20))).date()
            fulfilled = claimed and fate > 0.3 and fulfilled_on < today and (fate > 0.4 or due.date() > today)
            state = RequestState.RECEIVED
            if claimed:
                state = RequestState.CLOSED if fulfilled and fate > 0.5 else (
                    RequestState.RESOLVED if fulfilled else RequestState.IN_PROGRESS)  # fmt: skip
            resolved_at = at(fulfilled_on) if fulfilled else None
            wid = request_id + len(wishes)
            wishes.append({
                "id": wid, "summary": what, "description": f"为{whom}圆一个心愿：{what}。", "area_id": c.area.pk,
                "org_id": c.org_id, "beneficiary": whom, "received_at": received, "due_at": due, "state": state,
                "accepted_at": claimed_at if claimed else None, "resolved_at": resolved_at,
                "closed_at": resolved_at + datetime.timedelta(days=1) if state == RequestState.CLOSED else None,
                "resolution": done if fulfilled else "",
            })  # fmt: skip
            if not claimed:
                continue
            who = rng.choice(claimant)
            given = Decimal(rng.choice([1, 1.5, 2, 3])) if kind == "member" and fulfilled else None
            claims.append((stamp, stamp, wid, who if kind == "member" else None, None,
                           who if kind == "unit" else None, who if kind == "team" else None,
                           ClaimState.FULFILLED if fulfilled else ClaimState.CLAIMED, claimed_at,
                           fulfilled_on if fulfilled else None, done if fulfilled else "", given, "", 1))  # fmt: skip
            if given is not None:  # the member's service record (core.plugins.service_rendered in the app)
                moment = at(fulfilled_on)
                hours.append((stamp, stamp, who, c.org_id, c.area.pk, None, None, None, fulfilled_on, given,
                              f"微心愿：{what}", c.area.name, HoursSource.WISH, HoursState.VERIFIED, None, moment,
                              None, moment, "", "", 1))  # fmt: skip

    counts: dict = {}
    numbers = {}
    for year in sorted({w["received_at"].year for w in wishes}):
        block = [w for w in wishes if w["received_at"].year == year]
        numbers.update(zip([w["id"] for w in block], new_numbers(datetime.date(year, 1, 1), len(block)), strict=True))

    def wish_rows() -> Iterator[tuple]:
        for w in wishes:
            yield (w["id"], stamp, stamp, numbers[w["id"]], new_tracking_code(), RequestKind.WISH, None, w["summary"],
                   w["description"], w["area_id"], True, "", "normal", Source.MEMBER, None, "", "", None, "", False,
                   w["org_id"], w["state"], w["received_at"], w["due_at"], w["accepted_at"], w["resolved_at"],
                   w["closed_at"], w["resolution"], "", "", 0, 0, _steps(w), w["beneficiary"])  # fmt: skip

    insert_rows(Request, WISH_COLUMNS, _counted(wish_rows(), counts, "wishes"), convert=convert)

    def wish_steps() -> Iterator[tuple]:
        for w in wishes:
            yield (w["id"], RequestState.RECEIVED, w["received_at"], "已发布，等待认领。", "")
            if w["accepted_at"]:
                yield (w["id"], RequestState.IN_PROGRESS, w["accepted_at"], "已被认领。", "")
            if w["resolved_at"]:
                yield (w["id"], RequestState.RESOLVED, w["resolved_at"], w["resolution"], "")
            if w["closed_at"]:
                yield (w["id"], RequestState.CLOSED, w["closed_at"], "", "")

    insert_rows(RequestStep, ("request_id", "state", "at", "note", "public_note"), wish_steps(), convert=convert)
    insert_rows(WishClaim, CLAIM_COLUMNS, claims, convert=convert)
    insert_rows(ServiceHours, HOURS_COLUMNS, hours, convert=convert)
    by_year: dict[int, list[dict]] = {}
    for h in households:
        by_year.setdefault(h["opened_on"].year, []).append(h)
    for year, block in by_year.items():
        for h, number in zip(block, _households_numbers(year, len(block)), strict=True):
            h["number"] = number

    def household_rows() -> Iterator[tuple]:
        for h in households:
            yield (h["id"], stamp, stamp, h["number"], h["org_id"], h["area_id"], h["room"],
                   secret(h["contact_name"]), secret(h["contact_phone"]), h["size"],
                   h["hardships"] if convert else json.dumps(h["hardships"]), h["needs"], h["basis"], h["basis_note"],
                   h["consent_at"], h["consent_version"], h["state"], h["opened_on"], h["closed_on"],
                   h["end_reason"], 1)  # fmt: skip

    insert_rows(Household, HOUSEHOLD_COLUMNS, household_rows(), convert=convert)
    insert_rows(Assistance, ASSISTANCE_COLUMNS, pairings, convert=convert)
    insert_rows(Support, SUPPORT_COLUMNS, supports, convert=convert)
    insert_rows(HouseholdReview, REVIEW_COLUMNS, reviews, convert=convert)
    insert_rows(Visit, VISIT_COLUMNS, visits, convert=convert)
    insert_rows(Visit.visitors.through, ("visit_id", "member_id"), visitors, convert=convert)
    for visit_pk, request_pk in heard_on:  # the requests a visit heard: opened from it (a few hundred at most)
        Request.objects.filter(pk=request_pk).update(visit_id=visit_pk)
    reset_sequences(Request, WishClaim, Household, Assistance, Support, HouseholdReview, Visit, ServiceHours)
    counts.update(wish_claims=len(claims), households=len(households), assistances=len(pairings),
                  supports=len(supports), household_reviews=len(reviews), visits=len(visits))  # fmt: skip
    return counts


WISH_COLUMNS = ("id", "created", "last_updated", "number", "tracking_code", "kind", "category_id", "summary",
                "description", "area_id", "placed", "location", "urgency", "source", "station_id", "contact_name",
                "contact_phone", "consent_at", "consent_version", "public", "org_id", "state", "received_at", "due_at",
                "accepted_at", "resolved_at", "closed_at", "resolution", "end_reason", "satisfaction", "reopened",
                "unsatisfied_streak", "version", "beneficiary")  # fmt: skip
CLAIM_COLUMNS = ("created", "last_updated", "request_id", "member_id", "org_id", "unit_id", "team_id", "state",
                 "claimed_at", "fulfilled_on", "fulfilment", "hours", "photo", "version")  # fmt: skip
HOUSEHOLD_COLUMNS = ("id", "created", "last_updated", "number", "org_id", "area_id", "room", "contact_name",
                     "contact_phone", "size", "hardships", "needs", "basis", "basis_note", "consent_at",
                     "consent_version", "state", "opened_on", "closed_on", "end_reason", "version")  # fmt: skip
ASSISTANCE_COLUMNS = ("created", "last_updated", "household_id", "member_id", "org_id", "unit_id", "started_on",
                      "ended_on", "note")  # fmt: skip
SUPPORT_COLUMNS = ("created", "last_updated", "household_id", "given_on", "kind", "what", "amount", "member_id",
                   "org_id", "unit_id")  # fmt: skip
REVIEW_COLUMNS = ("created", "last_updated", "household_id", "year", "reviewed_on", "outcome", "note")
VISIT_COLUMNS = ("id", "created", "last_updated", "org_id", "area_id", "household_id", "visited_on",
                 "other_visitors", "heard")  # fmt: skip
