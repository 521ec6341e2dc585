"""The synthetic city's service to residents (issue 17 item 8): in every community with a party organization a
党群服务中心 (and in some a 党员服务站), a year of residents' requests followed through their states — accepted,
assigned to a branch or a member, handled, resolved, rated by the resident, closed; some referred or declined, some
late and escalated to the subdistrict, a few reopened after an 不满意 — and a few months of 12345 work orders per
subdistrict, most placed in a community, some waiting unplaced at the subdistrict (待分派).

Everything is clearly fake: residents are 示例居民 + a number with phones 1390000xxxx (their consent recorded), the
stations' addresses are on 示例路 and their phones landlines 022-2xxxxxxx. Written straight into the tables (no
change-log rows, like the rest of the seed data: demo/volunteers.py), deterministic for a size, a seed and the day
of generation — except the tracking codes, which are random by design (requests.new_tracking_code). Each request's
steps end before the day of generation; its state is the last step taken by then."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from sqdj.areas.choices import AreaType
from sqdj.areas.models import Area
from sqdj.core.bulk import insert_rows, is_streaming, reset_sequences
from sqdj.core.pii import encrypt
from sqdj.core.rules import param
from sqdj.demo.care import generate_care
from sqdj.demo.volunteers import _counted, _next_id
from sqdj.members.choices import Standing
from sqdj.members.models import Member
from sqdj.orgs.choices import BRANCH_TYPES
from sqdj.orgs.models import Org
from sqdj.orgs.services import community_org
from sqdj.services.choices import RequestKind, RequestState, Satisfaction, Source, Urgency
from sqdj.services.models import Category, Request, RequestStep, Station, WorkOrder
from sqdj.services.public import CONSENT_VERSION
from sqdj.services.requests import PLACEABLE, due_at, new_numbers, new_tracking_code


@dataclass(frozen=True)
class Plan:
    requests: int  # per community, over the last year
    orders: int  # 12345 work orders per subdistrict, over the last `order_days`
    order_days: int


# the city: ≈ 2,000,000 requests (1,300 communities × 1,400 + 100 subdistricts × 1,800 work orders), the benchmarks'
PLANS = {"small": Plan(36, 200, 90), "medium": Plan(48, 200, 90), "city": Plan(1400, 1800, 90)}
KEYS = ("service_stations", "requests", "request_steps", "work_orders")

CONTACT_SHARE = 0.33  # requests with a resident's contact (given with consent)
PUBLIC_SHARE = 0.3  # plain requests marked public (summary and status on the community's public page)
ASSIGN_SHARE = 0.4
UNPLACED_SHARE = 0.1  # work orders waiting at the subdistrict (received in the last days)
STALLED_DAYS = 45  # only requests of the last weeks may still be stuck open (overdue, maybe escalated)
SOURCES = [(Source.VISIT, 3), (Source.COUNTER, 3), (Source.WEB, 2), (Source.MEMBER, 1), (Source.GRID, 3)]
CENTER_SERVICES = "政策咨询、党员活动、诉求受理、便民服务、志愿服务对接"
POST_SERVICES = "党员亮身份、邻里互助、诉求收集"
HOURS_TEXT = ["周一至周五 8:30—17:30，周六 9:00—12:00", "周一至周六 9:00—17:00", "每日 8:30—18:00"]

# per category code: (summary, description, outcome); the other codes take `qita`'s
TEXTS = {
    "huanjing": [("垃圾未及时清运", "小区垃圾桶满溢，气味较大，希望尽快清运。", "已联系环卫部门清运，并增加清运频次。"),
                 ("楼道堆放杂物", "楼道内堆放杂物，影响通行和消防安全。", "已会同物业清理楼道杂物。")],
    "wuye": [("电梯经常停运", "单元电梯近期多次停运，老人上下楼困难。", "物业已请维保单位检修电梯，恢复运行。"),
             ("绿化缺乏养护", "小区绿地杂草丛生，树枝遮挡路灯。", "物业已修剪树木、清除杂草。")],
    "sheshi": [("楼道灯不亮", "楼道灯损坏多日，夜间出行不便。", "已更换楼道灯。"),
               ("健身器材损坏", "小区健身器材螺丝松动，存在安全隐患。", "已联系厂家维修加固。")],
    "linli": [("楼上漏水影响楼下", "楼上卫生间漏水，楼下顶棚受潮。", "经调解，双方商定由楼上负责维修。"),
              ("夜间装修噪音", "夜间装修噪音影响休息。", "已上门沟通，按规定时间施工。")],
    "anquan": [("单元门禁损坏", "单元门禁损坏，外来人员随意进出。", "已维修门禁。"),
               ("电动车楼道充电", "有人在楼道为电动车充电，存在火灾隐患。", "已上门劝导并张贴安全提示。")],
    "baozhang": [("咨询低保申请", "想了解最低生活保障的申请条件和材料。", "已告知申请条件和所需材料。"),
                 ("医保报销咨询", "门诊报销比例不清楚，希望有人讲解。", "已讲解报销政策。")],
    "yanglao": [("独居老人需要助餐", "独居老人行动不便，希望提供助餐服务。", "已登记社区助餐服务。"),
                ("无障碍坡道破损", "单元门口无障碍坡道破损，轮椅难以通行。", "已修复坡道。")],
    "jiuye": [("求职登记", "失业后想登记求职，希望推荐岗位。", "已登记并推荐合适岗位。")],
    "zixun": [("老旧小区改造政策", "想了解本小区是否纳入老旧小区改造。", "已解答政策并告知计划安排。")],
    "qita": [("建议增设快递柜", "小区快递无处存放，建议增设快递柜。", "已向物业反映，正在选址。")],
}  # fmt: skip
DECLINE_REASON = "不属于社区办理范围，已告知向相关部门反映。"
REFER_REASON = "需职能部门处理，已转交街道综合执法队。"
ESCALATED_NOTE = "逾期未办结，已提交街道督办。"
REOPENED_NOTE = "群众回访：不满意。已重新办理。"
RATED_NOTES = {Satisfaction.SATISFIED: "群众回访：满意。", Satisfaction.BASICALLY: "群众回访：基本满意。"}


@dataclass
class _Community:
    area: Area
    org_id: int
    subdistrict: Area
    places: list[tuple[int, str, str]] = field(default_factory=list)  # (area, where in the community, its code)
    branches: list[tuple[int, str]] = field(default_factory=list)
    members: list[tuple[int, str]] = field(default_factory=list)
    center: int | None = None  # its 党群服务中心


@dataclass
class _Life:
    """A request's fields as of the day of generation, and its steps: (state, at, note, public note)."""

    state: str = RequestState.RECEIVED
    accepted_at: datetime.datetime | None = None
    resolved_at: datetime.datetime | None = None
    closed_at: datetime.datetime | None = None
    escalated_at: datetime.datetime | None = None
    resolution: str = ""
    end_reason: str = ""
    satisfaction: str = ""
    reopened: int = 0
    streak: int = 0
    assigned: tuple[str, int] | None = None  # ("org" | "member", pk)
    steps: list[tuple] = field(default_factory=list)


class _Stop(Exception):
    """The next step would come after the day of generation: the request stays where it is."""


@dataclass
class _Planned:
    received_at: datetime.datetime
    row: dict
    life: _Life
    order: dict | None = None  # its work order's fields


def _communities() -> list[_Community]:
    """Each community with its own org, its places (itself, grids, estates, buildings), branches and members."""
    communities = []
    for area in Area.objects.filter(type=AreaType.COMMUNITY).order_by("path"):
        org = community_org(area)
        if org is None:
            continue
        c = _Community(area, org.pk, Area.objects.get_parent(area))
        names = {}
        for pk, path, name, kind, code in (
            Area.objects.filter(path__startswith=area.path, type__in=PLACEABLE)
            .order_by("path")
            .values_list("pk", "path", "name", "type", "code")
        ):
            names[path] = name
            # where it is, as a resident says it: the estate and the building, not the grid
            words = [names[path[:n]] for n in range(len(area.path) + Area.steplen, len(path) + 1, Area.steplen)
                     if path[:n] in names and not names[path[:n]].endswith("网格")]  # fmt: skip
            c.places.append((pk, "".join(words) if kind != AreaType.COMMUNITY else "", code))
        c.branches = list(
            Org.objects.filter(path__startswith=org.path, type__in=list(BRANCH_TYPES))
            .exclude(pk=org.pk)
            .order_by("path")
            .values_list("pk", "name")
        )
        c.members = list(
            Member.objects.filter(org__path__startswith=org.path, standing=Standing.ACTIVE)
            .order_by("pk")
            .values_list("pk", "name")[:30]
        )
        communities.append(c)
    return communities


def _at(day: datetime.date, rng: random.Random, tz) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(8, 18), rng.randint(0, 59)), tz)


def _hours(h: float) -> datetime.timedelta:
    return datetime.timedelta(hours=h)


def _live(rng: random.Random, received: datetime.datetime, due: datetime.datetime, now: datetime.datetime,
          texts: tuple[str, str, str], *, public: bool, hotline: bool, assignees: list) -> _Life:  # fmt: skip
    """The request's life from `received` to `now`: each step taken when its time has come."""
    life = _Life()
    _summary, _description, outcome = texts

    def step(state, at, note="", public_note=""):
        if at >= now:
            raise _Stop
        life.steps.append((state, at, note, public_note if public else ""))
        life.state = state

    def escalate_before(moment):
        """A late request is escalated to the subdistrict (once) when it is open past due + the delay (the daily
        job's next run: after that time, or after its reopening when it was resolved then)."""
        days = int(param("services.escalate_after_days", timezone.localdate(due)))
        at = max(due + datetime.timedelta(days=days), life.steps[-1][1]) + _hours(1)
        if life.escalated_at is None and at < moment:
            step(life.state, at, ESCALATED_NOTE)
            life.escalated_at = at

    fate = rng.random()
    try:
        step(RequestState.RECEIVED, received, public_note="已收到，正在办理。")
        if fate < 0.03:
            at = received + _hours(rng.uniform(2, 20))
            step(RequestState.DECLINED, at, DECLINE_REASON, "不属于社区办理范围，已告知反映渠道。")
            life.closed_at, life.end_reason = at, DECLINE_REASON
            return life
        # the hotline's 24 hours are missed now and then; the counter answers within the day or so
        late_answer = hotline and rng.random() < 0.15
        t = received + _hours(rng.uniform(25, 60) if late_answer else rng.uniform(0.5, 20))
        step(RequestState.ACCEPTED, t, public_note="已受理。")
        life.accepted_at = t
        if fate < 0.07:
            t += _hours(rng.uniform(4, 48))
            step(RequestState.REFERRED, t, REFER_REASON, "已转交相关部门办理。")
            life.closed_at, life.end_reason = t, REFER_REASON
            return life
        if assignees and rng.random() < ASSIGN_SHARE:
            kind, pk, name = rng.choice(assignees)
            t += _hours(rng.uniform(0.2, 2))
            step(RequestState.ACCEPTED, t, f"已指派给{name}。")
            life.assigned = (kind, pk)
        stalled = now - received < datetime.timedelta(days=STALLED_DAYS) and rng.random() < 0.3
        if stalled or rng.random() < 0.6:
            t += _hours(rng.uniform(1, 24))
            step(RequestState.IN_PROGRESS, t, public_note="正在处理。")
        if stalled:  # stuck open: overdue, escalated when long past its due time
            escalate_before(now)
            return life
        for round_ in (1, 2):
            late = rng.random() < 0.15
            span = (due - received).total_seconds() / 3600
            if round_ == 1:
                done = due + _hours(rng.uniform(24, 240)) if late else received + _hours(span * rng.uniform(0.3, 0.95))
            else:
                done = t + _hours(rng.uniform(24, 120))
            done = max(done, t + _hours(1))
            escalate_before(done)
            step(RequestState.RESOLVED, done, outcome, f"已办结：{outcome}")
            life.resolved_at, life.resolution, t = done, outcome, done
            if rng.random() < 0.1:
                return life  # not called back yet
            t += _hours(rng.uniform(20, 72))
            if rng.random() < (0.06 if round_ == 1 else 0.3):  # 不满意: reopened
                step(RequestState.IN_PROGRESS, t, REOPENED_NOTE, "群众不满意，已重新办理。")
                life.satisfaction, life.resolved_at = Satisfaction.UNSATISFIED, None
                life.reopened, life.streak = life.reopened + 1, life.streak + 1
                if round_ == 2:  # 不满意 twice in a row: still open, escalated when long past its due time
                    escalate_before(now)
                    return life
                continue
            answer = Satisfaction.SATISFIED if rng.random() < 0.8 else Satisfaction.BASICALLY
            step(RequestState.RESOLVED, t, RATED_NOTES[answer])
            life.satisfaction, life.streak = answer, 0
            if rng.random() < 0.9:
                t += _hours(rng.uniform(1, 48))
                step(RequestState.CLOSED, t, public_note="已办结归档。")
                life.closed_at = t
            return life
    except _Stop:
        pass
    return life


def _texts(rng: random.Random, category: Category) -> tuple[str, str, str]:
    return rng.choice(TEXTS.get(category.code) or TEXTS["qita"])


def _assignees(c: _Community) -> list[tuple[str, int, str]]:
    return [("org", pk, name) for pk, name in c.branches] + [("member", pk, name) for pk, name in c.members]


def generate_services(size: str, seed: int, today: datetime.date) -> dict:
    """Write the city's service stations, requests and work orders once (nothing when any exist); the counts."""
    if size not in PLANS:
        return {}
    if Station.objects.exists() or Request.objects.exists():
        return {}
    communities = _communities()
    if not communities:
        return {}
    plan = PLANS[size]
    rng = random.Random(f"services:{size}:{seed}")
    tz = timezone.get_current_timezone()
    now = datetime.datetime.combine(today, datetime.time(), tz)  # every step before the day of generation
    stamp = timezone.now()
    convert = not is_streaming()
    categories = list(Category.objects.filter(org__isnull=True, active=True).order_by("position", "code"))
    weights = [3 if c.code in ("huanjing", "wuye", "sheshi") else 1 for c in categories]

    # stations: a 党群服务中心 in each community, a 党员服务站 in every other one (on a grid)
    station_id = _next_id(Station)
    stations = []
    for n, c in enumerate(communities, start=1):
        c.center = station_id
        stations.append((station_id, stamp, stamp, c.org_id, c.area.pk, f"{c.area.name}党群服务中心",
                         f"{c.subdistrict.name}示例路{n}号（演示地址）", rng.choice(HOURS_TEXT), CENTER_SERVICES,
                         f"022-2{rng.randint(0, 9999999):07d}", True, True))  # fmt: skip
        station_id += 1
        grids = [pk for pk, _where, _code in c.places if pk != c.area.pk][:1]
        if n % 2 and grids:
            stations.append((station_id, stamp, stamp, c.org_id, grids[0], f"{c.area.name}党员服务站",
                             f"{c.subdistrict.name}示例路{n}号之{rng.randint(1, 9)}（演示地址）", "每日 9:00—11:00",
                             POST_SERVICES, f"022-2{rng.randint(0, 9999999):07d}", rng.random() < 0.5,
                             True))  # fmt: skip
            station_id += 1

    planned: list[_Planned] = []
    contacts = 0

    def base(c: _Community | None, area_pk: int, category, texts, received, due, source, urgency, where):
        return {"kind": RequestKind.REQUEST, "category_id": category.pk, "summary": texts[0], "description": texts[1],
                "area_id": area_pk, "placed": c is not None, "location": where, "urgency": urgency,
                "source": source, "station_id": None, "contact_name": "", "contact_phone": "", "consent_at": None,
                "consent_version": "", "public": False, "org_id": c.org_id if c else None, "received_at": received,
                "due_at": due}  # fmt: skip

    # a year of residents' requests in each community
    for c in communities:
        assignees = _assignees(c)
        for _ in range(plan.requests):
            category = rng.choices(categories, weights)[0]
            texts = _texts(rng, category)
            received = _at(today - datetime.timedelta(days=rng.randint(1, 365)), rng, tz)
            urgency = Urgency.URGENT if rng.random() < 0.08 else Urgency.NORMAL
            due = due_at(category, urgency, received)
            source = rng.choices([s for s, _w in SOURCES], [w for _s, w in SOURCES])[0]
            area_pk, where, _code = rng.choice(c.places)
            row = base(c, area_pk, category, texts, received, due, source, urgency, where)
            row["public"] = rng.random() < PUBLIC_SHARE
            if source == Source.COUNTER:
                row["station_id"] = c.center
            if rng.random() < CONTACT_SHARE:
                contacts += 1
                row.update(contact_name=f"示例居民{contacts}", contact_phone=f"1390000{contacts % 10000:04d}",
                           consent_at=received, consent_version=CONSENT_VERSION)  # fmt: skip
            life = _live(rng, received, due, now, texts, public=row["public"], hotline=False, assignees=assignees)
            planned.append(_Planned(received, row, life))

    # the last months' 12345 work orders of each subdistrict
    by_subdistrict: dict[int, list[_Community]] = {}
    for c in communities:
        by_subdistrict.setdefault(c.subdistrict.pk, []).append(c)
    serial = 0
    for streets in by_subdistrict.values():
        street = streets[0].subdistrict
        for _ in range(plan.orders):
            serial += 1
            category = rng.choice(categories)
            texts = _texts(rng, category)
            unplaced = rng.random() < UNPLACED_SHARE
            received = _at(today - datetime.timedelta(days=rng.randint(1, 5 if unplaced else plan.order_days)), rng,
                           tz)  # fmt: skip
            due = received + datetime.timedelta(days=rng.choice([3, 5, 7, 15]))  # the platform's time limit
            content = f"{texts[0]}\n{texts[1]}"
            order = {"number": f"GD{received:%Y%m%d}{serial:05d}", "received_at": received,
                     "category_text": category.name, "content": content, "dispatched_to_id": street.pk,
                     "due_at": due, "area_code": ""}  # fmt: skip
            if unplaced:  # no area code and an address that names no place of the subdistrict: 待分派
                order["address"] = f"示例路{rng.randint(1, 300)}号附近"
                row = base(None, street.pk, category, texts, received, due, Source.HOTLINE, Urgency.NORMAL,
                           order["address"])  # fmt: skip
                row["description"] = content
                life = _Life(steps=[(RequestState.RECEIVED, received, "", "")])
            else:
                c = rng.choice(streets)
                area_pk, where, code = rng.choice(c.places)
                if rng.random() < 0.5:  # else placed by its address (the importer's two ways)
                    order["area_code"] = code
                order["address"] = f"{street.name}{c.area.name}{where}"
                row = base(c, area_pk, category, texts, received, due, Source.HOTLINE, Urgency.NORMAL,
                           order["address"])  # fmt: skip
                row["description"] = content
                life = _live(rng, received, due, now, texts, public=False, hotline=True, assignees=_assignees(c))
            planned.append(_Planned(received, row, life, order))

    # numbers by year in the order received; ids drawn first (COPY returns none)
    planned.sort(key=lambda p: (p.received_at, p.row["area_id"]))
    for year in sorted({timezone.localdate(p.received_at).year for p in planned}):
        block = [p for p in planned if timezone.localdate(p.received_at).year == year]
        for p, number in zip(block, new_numbers(datetime.date(year, 1, 1), len(block)), strict=True):
            p.row["number"] = number
    request_id, order_id = _next_id(Request), _next_id(WorkOrder)

    insert_rows(Station, STATION_COLUMNS, stations, convert=convert)

    def secret(value: str) -> str:
        return value if convert or not value else encrypt(value)  # the bulk writer encrypts when converting

    def request_rows() -> Iterator[tuple]:
        for i, p in enumerate(planned):
            r, life = p.row, p.life
            kind, pk = life.assigned or ("", None)
            yield (request_id + i, stamp, stamp, r["number"], new_tracking_code(), r["kind"], r["category_id"],
                   r["summary"], r["description"], r["area_id"], r["placed"], r["location"], r["urgency"],
                   r["source"], r["station_id"], secret(r["contact_name"]), secret(r["contact_phone"]),
                   r["consent_at"], r["consent_version"], r["public"], r["org_id"], pk if kind == "org" else None,
                   pk if kind == "member" else None, life.state, r["received_at"], r["due_at"], life.accepted_at,
                   life.resolved_at, life.closed_at, life.escalated_at, life.resolution, life.end_reason,
                   life.satisfaction, life.reopened, life.streak, len(life.steps), "")  # fmt: skip

    insert_rows(Request, REQUEST_COLUMNS, request_rows(), convert=convert)

    def step_rows() -> Iterator[tuple]:
        for i, p in enumerate(planned):
            for state, at, note, public_note in p.life.steps:
                yield (request_id + i, state, at, note, public_note)

    counts = {"service_stations": len(stations), "requests": len(planned)}
    insert_rows(RequestStep, STEP_COLUMNS, _counted(step_rows(), counts, "request_steps"), convert=convert)

    def order_rows() -> Iterator[tuple]:
        n = 0
        for i, p in enumerate(planned):
            o = p.order
            if o is not None:
                yield (order_id + n, stamp, stamp, o["number"], o["received_at"], o["category_text"], o["content"],
                       o["address"], o["dispatched_to_id"], o["due_at"], o["area_code"], request_id + i)  # fmt: skip
                n += 1

    insert_rows(WorkOrder, ORDER_COLUMNS, _counted(order_rows(), counts, "work_orders"), convert=convert)
    reset_sequences(Station, Request, WorkOrder)
    counts.update(generate_care(size, seed, today, communities))  # wishes, households, visits
    return counts


STATION_COLUMNS = ("id", "created", "last_updated", "org_id", "area_id", "name", "address", "hours", "services",
                   "phone", "public", "active")  # fmt: skip
REQUEST_COLUMNS = ("id", "created", "last_updated", "number", "tracking_code", "kind", "category_id", "summary",
                   "description", "area_id", "placed", "location", "urgency", "source", "station_id", "contact_name",
                   "contact_phone", "consent_at", "consent_version", "public", "org_id", "assigned_org_id",
                   "assigned_member_id", "state", "received_at", "due_at", "accepted_at", "resolved_at", "closed_at",
                   "escalated_at", "resolution", "end_reason", "satisfaction", "reopened", "unsatisfied_streak",
                   "version", "beneficiary")  # fmt: skip
STEP_COLUMNS = ("request_id", "state", "at", "note", "public_note")
ORDER_COLUMNS = ("id", "created", "last_updated", "number", "received_at", "category_text", "content", "address",
                 "dispatched_to_id", "due_at", "area_code", "request_id")  # fmt: skip
