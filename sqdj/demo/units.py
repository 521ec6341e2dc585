"""The synthetic city's units (issue 15 item 9): the registry of 驻区单位 and 两新组织, their coverage, instructors and
visits, the registration authorities' lists, joint councils with decisions in every state, co-building agreements
and the three lists — written straight into the units app's tables (no change-log rows, like the rest of the seed
data), deterministic for a size, a seed and the day of generation.

Who has a party org is not drawn here but follows the trees `synthetic.build_specs` made: the units' orgs of the
district's line and the non-public enterprise branches (each is one unit's org, named after it), and the 联合党支部,
each linked to exactly as many operating small 两新 units as its `units_covered` says. Every other unit has no org:
those 两新 with ≥ 3 party members are the 应建未建 cases; part of the uncovered 两新 have an instructor or liaison.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone
from stdnum.cn import uscc

from sqdj.areas.models import Area
from sqdj.core.bulk import insert_rows, is_streaming, reset_sequences
from sqdj.core.dates import add_years
from sqdj.core.pii import encrypt
from sqdj.core.rules import param
from sqdj.members.models import Member
from sqdj.orgs.models import Org
from sqdj.units.choices import (
    AgreementKind,
    Authority,
    ChangeKind,
    CouncilKind,
    DecisionStatus,
    InstructorKind,
    IntakeStatus,
    ListCategory,
    NeedStatus,
    Premises,
    ProjectStatus,
    UnitCategory,
    UnitSize,
    UnitStatus,
)
from sqdj.units.models import (
    Agreement,
    AgreementReview,
    AuthorityEntry,
    Council,
    CouncilMeeting,
    CouncilMember,
    Decision,
    Instructor,
    Need,
    Project,
    Resource,
    Unit,
    Visit,
)

from . import synthetic as syn

UNIT_COUNTS = {"small": 45, "medium": 3_000, "city": 200_000}
# the shares of a large city's units by category (per cent)
CATEGORY_SHARES = {
    UnitCategory.GOVERNMENT: 2,
    UnitCategory.INSTITUTION: 5,
    UnitCategory.STATE_ENTERPRISE: 3,
    UnitCategory.NON_PUBLIC_ENTERPRISE: 80,
    UnitCategory.SOCIAL_ORGANIZATION: 8,
    UnitCategory.OTHER: 2,
}
NEWORGS = (UnitCategory.NON_PUBLIC_ENTERPRISE, UnitCategory.SOCIAL_ORGANIZATION)
REQUIRED_SHARE = 0.02  # uncovered 两新 with ≥ 3 party members (应建未建), at least one per subdistrict
INSTRUCTOR_SHARE = 0.35  # uncovered operating 两新 with an instructor or liaison (工作覆盖)
OVERDUE_VISIT_SHARE = 0.2  # of those: the last visit longer ago than unit.visit_interval_days
ENDED_SHARE = 0.01  # units deregistered, revoked or moved out (kept, never deleted)
NEW_SHARE = 0.01  # units on the authorities' lists of new registrations (at least one per subdistrict)
COUNCIL_SHARE = {"small": 1.0, "medium": 1.0, "city": 0.4}  # communities with a 联席会 (always the first one)
BUILDING_SHARE, PARK_SHARE = 0.25, 0.08

# GB/T 4754 sections by category, weighted (non-public enterprises toward trade, catering, IT, business and
# research services and resident services)
INDUSTRY_WEIGHTS = {
    UnitCategory.NON_PUBLIC_ENTERPRISE: dict(F=24, H=11, I=11, L=15, M=11, O=10, C=5, E=5, G=4, K=3, R=1),
    UnitCategory.SOCIAL_ORGANIZATION: {"S": 40, "O": 15, "P": 15, "Q": 15, "R": 15},
    UnitCategory.GOVERNMENT: {"S": 1},
    UnitCategory.INSTITUTION: {"P": 45, "Q": 30, "M": 10, "R": 15},
    UnitCategory.STATE_ENTERPRISE: {"D": 15, "E": 15, "G": 20, "J": 15, "K": 10, "C": 15, "I": 10},
    UnitCategory.OTHER: {"L": 70, "M": 30},
}
# (sections, cumulative weights) by category, for rng.choices
INDUSTRY_TABLES = {
    category: (list(weights), list(itertools.accumulate(weights.values())))
    for category, weights in INDUSTRY_WEIGHTS.items()
}
ENTERPRISE_WORDS = {
    "F": "商贸 贸易 百货 五金交电 医药销售 超市",
    "H": "餐饮 酒店管理 餐饮管理 快餐",
    "I": "网络科技 信息技术 软件 数据科技",
    "L": "商务咨询 企业管理咨询 人力资源 广告 会展服务",
    "M": "工程技术 检测技术 工程设计 生物科技",
    "O": "家政服务 美容美发 家电维修 洗涤服务",
    "C": "机械 电子 食品 包装材料",
    "E": "建筑工程 装饰工程 市政工程",
    "G": "物流 运输 仓储",
    "K": "物业管理 房地产经纪",
    "R": "文化传媒 健身",
    "D": "供热 燃气 供水",
    "J": "投资",
}
ENTERPRISE_WORDS = {k: v.split() for k, v in ENTERPRISE_WORDS.items()}
SOCIAL_WORDS = (
    "个体劳动者协会 餐饮行业协会 物业管理协会 志愿者协会 书画协会 老年体育协会 社会工作服务中心 养老服务中心 "
    "青少年活动中心 职业培训学校 慈善协会 家庭教育促进会 商会 社区服务中心"
).split()
GOVERNMENT_WORDS = [f"{bureau}{{p}}{station}" for bureau, station in syn.STATIONS] + [
    "{p}消防救援站",
    "城市管理综合执法局{p}执法队",
    "{p}供电服务站",
    "退役军人事务局{p}服务站",
]
INSTITUTION_WORDS = "{p}小学 {p}幼儿园 {p}社区卫生服务中心 {p}文化站 {p}中学 {p}图书馆分馆 {p}职业学校 {p}医院".split()
STATE_WORDS = ["{p}{w}集团有限公司", "{p}{w}有限责任公司", "{p}{w}投资有限公司"]
BANKS = ["工商银行", "建设银行", "农业银行", "中国银行", "交通银行"]
# employees: (share, low, high) bands; a unit's head count is skewed small
EMPLOYEE_BANDS = {
    "neworg": ((0.58, 1, 9), (0.30, 10, 49), (0.07, 50, 99), (0.04, 100, 299), (0.01, 300, 2000)),
    UnitCategory.GOVERNMENT: ((0.6, 15, 60), (0.4, 60, 300)),
    UnitCategory.INSTITUTION: ((0.5, 20, 99), (0.4, 100, 499), (0.1, 500, 2000)),
    UnitCategory.STATE_ENTERPRISE: ((0.4, 50, 299), (0.4, 300, 999), (0.2, 1000, 5000)),
    UnitCategory.OTHER: ((0.8, 3, 30), (0.2, 30, 120)),
}
PARK_WORDS = ["科技园", "产业园", "创意产业园", "电子商务产业园"]
ROAD_WORDS = ["路", "道", "大街", "里"]
VISIT_CONTENT = (
    "宣讲党的路线方针政策，了解企业生产经营情况 指导党员亮身份、作表率 了解职工思想动态，发现培养入党积极分子 "
    "协调解决企业用工困难 帮助筹备建立党组织 指导开展主题党日活动 走访出资人，宣传建立党组织的意义"
).split()
NEXT_STEPS = ["继续培养入党积极分子", "下次走访时召开党员座谈会", "协助转接党员组织关系", "上报街道综合党委研究", ""]
COUNCIL_AGENDA = (
    "通报社区党建工作情况，研究共驻共建项目 研究辖区环境整治分工 协商为老服务和便民服务项目 审议年度共建计划 "
    "研究困难群众帮扶和志愿服务安排"
).split()
DECISION_TITLES = (
    "开放会议室供居民议事使用 组织职工志愿者参加环境整治 为困难老人提供助餐服务 共建社区四点半课堂 "
    "联合开展消防安全演练 资助社区文化活动 开展法律咨询进社区 整治楼宇周边停车秩序"
).split()
DROP_REASONS = ["场地改作他用，经联席会商定取消", "牵头单位迁出辖区", "与街道统一安排的项目重复，合并实施"]
PROGRESS_NOTES = ["已完成方案，正在落实人员", "已开展第一次活动", "资金已到位，正在采购"]
NEEDS = {
    ListCategory.VENUE: ("老年人活动场地", "辖区老年居民"), ListCategory.FUNDS: ("困难家庭助学资金", "困难家庭学生"),
    ListCategory.VOLUNTEERS: ("助老送餐志愿者", "独居和高龄老人"), ListCategory.SKILLS: ("法律咨询服务", "社区居民"),
    ListCategory.GOODS: ("冬季御寒物资", "低保家庭"), ListCategory.OTHER: ("社区公益宣传", "社区居民"),
}  # fmt: skip
RESOURCES = {
    ListCategory.VENUE: "多功能会议室", ListCategory.FUNDS: "公益帮扶资金", ListCategory.VOLUNTEERS: "职工志愿服务队",
    ListCategory.SKILLS: "专业技术服务", ListCategory.GOODS: "捐赠物资", ListCategory.OTHER: "宣传展示场地",
}  # fmt: skip
MINUTES = "与会成员单位逐项协商，形成议定事项，明确牵头单位和完成时限。"
ORG_PROMISES = "为共建单位职工党员提供报到服务和活动阵地；协助解决单位周边环境、治安等问题；开展联合主题党日活动。"
UNIT_PROMISES = "向社区开放活动场地；每季度组织职工志愿者参加社区服务；结对帮扶社区困难家庭。"
# decisions in every state, in turn (so that even the small city has each): done late and overdue both ways
DECISION_KINDS = ("open", "done_on_time", "overdue", "in_progress", "done_late", "dropped", "overdue_in_progress")
AGREEMENT_KINDS = ("current", "renewal_due", "current", "ended", "current")
INTAKE_KINDS = ("pending", "pending_overdue", "connected")
PROJECT_KINDS = (ProjectStatus.RUNNING, ProjectStatus.DONE, ProjectStatus.PLANNED, ProjectStatus.DONE,
                 ProjectStatus.CANCELLED)  # fmt: skip

UNIT_COLUMNS = (
    "id", "created", "last_updated", "name", "credit_code", "category", "area_id", "employees", "party_members",
    "full_members", "org_id", "contact_name", "contact_phone", "contact_phone_index", "industry", "size",
    "legal_rep_is_member", "principal_is_member", "has_trade_union", "has_youth_league", "has_womens_federation",
    "premises", "building", "address", "status", "registered_on", "ended_on",
)  # fmt: skip
INSTRUCTOR_COLUMNS = ("id", "created", "last_updated", "unit_id", "kind", "name", "sent_by", "phone", "started_on",
                      "ended_on", "end_reason")  # fmt: skip
VISIT_COLUMNS = ("created", "last_updated", "instructor_id", "visited_on", "content", "next_step")


@dataclass
class _Street:
    code: str
    name: str
    district: int
    dname: str
    communities: list[tuple[str, str]]  # (area code, name)
    building: str  # the name of its 商务楼宇
    units: list[_U] = field(default_factory=list)


@dataclass
class _U:
    """One unit while it is made (ids are given when written)."""

    name: str
    category: str
    community: str  # area code
    employees: int
    party_members: int
    org: str | None = None  # org code
    status: str = UnitStatus.OPERATING
    registered_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    new: str = ""  # on an authority's list of new registrations: how it stands (INTAKE_KINDS)
    id: int = 0
    code: str = ""
    premises: str = ""
    building: str = ""


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
DIGITS = "0123456789"
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714
ORG_CODE_VALUE = {c: int(c, 36) for c in USCC_ALPHABET}  # 0-9, A=10 … Z=35


def _credit_code(rng: random.Random, used: set, head: str, region: str, new: bool) -> str:
    """A valid 统一社会信用代码: the authority and type (`head`), the region, a 9-character organization code
    (GB 11714: eight characters and its check digit; "MA…" for those registered since 2015) and the check digit
    (stdnum.cn.uscc), unique in `used`."""
    while True:
        body = "MA" + "".join(rng.choices(USCC_ALPHABET, k=6)) if new else "".join(rng.choices(DIGITS, k=8))
        total = sum(ORG_CODE_VALUE[c] * w for c, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
        check = 11 - total % 11
        org_code = body + ("X" if check == 10 else "0" if check == 11 else str(check))
        code = head + region + org_code
        code += uscc.calc_check_digit(code)
        if code not in used:
            used.add(code)
            return code


def _head(category: str, name: str) -> str:
    """The registration authority and entity type (the code's first two characters)."""
    if category == UnitCategory.GOVERNMENT:
        return "11"
    if category == UnitCategory.INSTITUTION:
        return "12"
    if category == UnitCategory.SOCIAL_ORGANIZATION:
        return "52" if name.endswith(("中心", "学校")) else "51"
    if category == UnitCategory.OTHER and name.endswith("律师事务所"):
        return "31"
    return "91"


def _name(rng: random.Random, used: set, category: str, dname: str, industry: str) -> str:
    while True:
        p = rng.choice(syn.PLACE_WORDS) + rng.choice(syn.PLACE_WORDS)
        if rng.random() < 0.3:
            p += rng.choice(syn.PLACE_WORDS)
        if category == UnitCategory.NON_PUBLIC_ENTERPRISE:
            suffix = rng.choices(["有限公司", "有限责任公司", "股份有限公司"], weights=[80, 15, 5])[0]
            prefix = "天津" if rng.random() < 0.6 else f"{syn.CITY_NAME}{dname}"
            name = f"{prefix}{p}{rng.choice(ENTERPRISE_WORDS[industry])}{suffix}"
        elif category == UnitCategory.SOCIAL_ORGANIZATION:
            name = f"{syn.CITY_NAME}{dname}{p}{rng.choice(SOCIAL_WORDS)}"
        elif category == UnitCategory.GOVERNMENT:
            name = f"{syn.CITY_NAME}{dname}" + rng.choice(GOVERNMENT_WORDS).format(p=p)
        elif category == UnitCategory.INSTITUTION:
            name = f"{syn.CITY_NAME}{dname}" + rng.choice(INSTITUTION_WORDS).format(p=p)
        elif category == UnitCategory.STATE_ENTERPRISE:
            if rng.random() < 0.25:
                name = f"中国{rng.choice(BANKS)}天津{p}支行"
            else:
                name = "天津" + rng.choice(STATE_WORDS).format(p=p, w=rng.choice(ENTERPRISE_WORDS[industry]))
        else:
            name = f"天津{p}" + rng.choice(["律师事务所", "会计师事务所（普通合伙）", "税务师事务所有限公司"])
        if name not in used:
            used.add(name)
            return name


def _employees(rng: random.Random, category: str) -> int:
    bands = EMPLOYEE_BANDS["neworg" if category in NEWORGS else category]
    r = rng.random()
    for share, low, high in bands:
        if r < share:
            return rng.randint(low, high)
        r -= share
    return rng.randint(bands[-1][1], bands[-1][2])


def _size(category: str, employees: int) -> str:
    """企业规模 by head count (统计上大中小微型企业划分办法, the general thresholds); none for other units."""
    if category not in (UnitCategory.NON_PUBLIC_ENTERPRISE, UnitCategory.STATE_ENTERPRISE):
        return ""
    if employees < 20:
        return UnitSize.MICRO
    return UnitSize.SMALL if employees < 300 else UnitSize.MEDIUM if employees < 1000 else UnitSize.LARGE


def _quotas(n: int, shares: dict) -> dict:
    """`n` shared out by `shares` (largest remainder)."""
    total = sum(shares.values())
    exact = {k: n * v / total for k, v in shares.items()}
    out = {k: int(x) for k, x in exact.items()}
    for k in sorted(exact, key=lambda k: (out[k] - exact[k], str(k)))[: n - sum(out.values())]:
        out[k] += 1
    return out


def _streets(area_roots) -> list[_Street]:
    out = []
    for spec in syn._walk(area_roots):
        if spec.type != "subdistrict":
            continue
        d = int(spec.code[4:6]) - 1
        communities = [(c.code, c.name) for c in spec.children if c.type == "community"]
        building = next((c.name for c in spec.children if c.type == "office_building"), "")
        out.append(_Street(spec.code, spec.name, d, syn.DISTRICT_NAMES[d % len(syn.DISTRICT_NAMES)], communities,
                           building))  # fmt: skip
    return out


def _org_units(org_roots) -> list[syn.Spec]:
    """The units' own orgs: the tops of the district's line's units and the non-public enterprise branches."""
    out = []

    def walk(spec, parent_unit):
        if spec.unit and not parent_unit:
            out.append(spec)
        for child in spec.children:
            walk(child, spec.unit)

    for root in org_roots:
        walk(root, "")
    return out


def _member_counts(codes: list[str]) -> dict[str, int]:
    """The active members held by each org of `codes` and its descendants, by code (one grouped query)."""
    paths = dict(Org.objects.filter(code__in=codes).values_list("path", "code"))
    org_paths = dict(Org.objects.values_list("pk", "path"))
    counts = dict.fromkeys(codes, 0)
    steplen = Org.steplen
    rows = Member.objects.filter(standing="active").values_list("org_id").annotate(n=Count("pk")).order_by()
    for org_id, n in rows:
        path = org_paths[org_id]
        for i in range(steplen, len(path) + 1, steplen):
            code = paths.get(path[:i])
            if code:
                counts[code] += n
                break
    return counts


def generate_units(size: str, seed: int, specs, today: datetime.date) -> dict:
    """Write the city's units and their co-building records once (nothing when units exist); returns the counts."""
    if Unit.objects.exists():
        return {}
    area_roots, org_roots = specs
    rng = random.Random(f"registry:{size}:{seed}")
    streets = _streets(area_roots)
    by_street = {s.code: s for s in streets}
    names: set[str] = set()
    org_units = _org_units(org_roots)
    joints = [s for s in syn._walk(org_roots) if s.type == "joint_branch"]
    covered = dict(Org.objects.filter(type="joint_branch").values_list("code", "units_covered"))
    counts = _member_counts([s.code for s in org_units] + [s.code for s in joints])

    # 1. the units with an own org, named as the generator named them
    for spec in org_units:
        street = by_street[spec.street]
        members = counts.get(spec.code, 0)
        if spec.area_code and spec.area_code[:-2] in dict(street.communities):
            community, premises, building = spec.area_code[:-2], Premises.STREET, ""
        else:  # in the street's 商务楼宇
            community, premises, building = rng.choice(street.communities)[0], Premises.BUILDING, street.building
        names.add(spec.unit)
        factor = rng.uniform(1.5, 3) if spec.sector == UnitCategory.GOVERNMENT else rng.uniform(2.5, 12)
        street.units.append(_U(spec.unit, spec.sector or UnitCategory.OTHER, community,
                               max(members, round(members * factor)), members, org=spec.code, premises=premises,
                               building=building))  # fmt: skip
    # 2. the small 两新 units of each 联合党支部: exactly `units_covered` operating ones, sharing its members
    for spec in joints:
        street = by_street[spec.street]
        k = covered.get(spec.code) or rng.randint(2, 5)
        members = counts.get(spec.code, 0)
        shares = [1] * k if members >= k else [0] * k
        for _ in range(members - sum(shares)):
            shares[rng.randrange(k)] += 1
        for n in shares:
            category = UnitCategory.SOCIAL_ORGANIZATION if rng.random() < 0.15 else UnitCategory.NON_PUBLIC_ENTERPRISE
            employees = max(n, rng.randint(3, 49), round(n * rng.uniform(2, 8)))
            street.units.append(_U("", category, "", employees, n, org=spec.code))
        if k <= 4 and rng.random() < 0.3:  # a deregistered unit whose link stays (its history), within 5 units
            when = today - datetime.timedelta(days=rng.randint(30, 400))
            street.units.append(_U("", UnitCategory.NON_PUBLIC_ENTERPRISE, "", rng.randint(3, 20), 1, org=spec.code,
                                   status=UnitStatus.DEREGISTERED, ended_on=when))  # fmt: skip
    # 3. the rest, by the shares of a large city, dealt out over the subdistricts, without an org
    fixed = Counter(u.category for s in streets for u in s.units)
    n_total = max(UNIT_COUNTS[size], sum(fixed.values()))
    target = _quotas(n_total, CATEGORY_SHARES)
    rest = {c: max(0, target[c] - fixed[c]) for c in CATEGORY_SHARES}
    rest[UnitCategory.NON_PUBLIC_ENTERPRISE] += n_total - sum(fixed.values()) - sum(rest.values())
    rest[UnitCategory.NON_PUBLIC_ENTERPRISE] = max(0, rest[UnitCategory.NON_PUBLIC_ENTERPRISE])
    categories = [c for c in CATEGORY_SHARES for _ in range(rest[c])]
    rng.shuffle(categories)
    for i, category in enumerate(categories):
        streets[i % len(streets)].units.append(_U("", category, "", 0, 0))
    return _write(size, seed, rng, streets, names, today)


def _fill(rng: random.Random, street: _Street, names: set, codes: set, today: datetime.date, ids: _Ids,
          intake_kinds: Iterator[str]) -> list[tuple]:  # fmt: skip
    """Every drawn detail of the street's units; returns the UNIT_COLUMNS rows (ids already given)."""
    now, index, secret, intake = ids.now, ids.index, ids.secret, ids.intake
    region = syn.DISTRICT_REGIONS[street.district % len(syn.DISTRICT_REGIONS)][0]
    parks = [syn._place(rng, set(), rng.choice(PARK_WORDS))]
    free = [u for u in street.units if u.org is None and u.category in NEWORGS]
    required = set(map(id, syn._pick(rng, free, syn._share(len(free), REQUIRED_SHARE))))
    new = set(map(id, syn._pick(rng, free, syn._share(len(free), NEW_SHARE))))
    ended = set(map(id, syn._pick(rng, [u for u in free if id(u) not in new], syn._share(len(free), ENDED_SHARE))))
    rows = []
    for j, u in enumerate(street.units):
        sections, cum = INDUSTRY_TABLES[u.category]
        industry = rng.choices(sections, cum_weights=cum)[0]
        if not u.name:
            u.name = _name(rng, names, u.category, street.dname, industry)
        if not u.community:  # every community gets units first, then at random
            u.community = street.communities[j % len(street.communities)][0] if j < len(street.communities) else (
                rng.choice(street.communities)[0])  # fmt: skip
        if u.org is None:
            u.employees = _employees(rng, u.category)
            if id(u) in required:
                u.employees = max(u.employees, rng.randint(15, 120))
                u.party_members = rng.randint(3, min(8, u.employees))
            else:
                r = rng.random()
                u.party_members = min(u.employees, 0 if r < 0.7 else 1 if r < 0.88 else 2)
        if not u.premises:
            r = rng.random()
            if r < BUILDING_SHARE and street.building:
                u.premises, u.building = Premises.BUILDING, street.building
            elif r < BUILDING_SHARE + PARK_SHARE:
                u.premises, u.building = Premises.PARK, parks[0]
            else:
                u.premises = Premises.STREET
        age = int(rng.triangular(0, 25, 4))
        u.registered_on = today - datetime.timedelta(days=365 * age + rng.randint(30, 364))
        if id(u) in new:  # registered lately: on the authority's list, 待对接 (some overdue) or contacted
            u.new = next(intake_kinds)
            late = u.new == "pending_overdue"
            u.registered_on = today - datetime.timedelta(
                days=rng.randint(intake + 1, intake + 90) if late else rng.randint(1, intake)
            )
        if id(u) in ended:
            u.status = rng.choice([UnitStatus.DEREGISTERED, UnitStatus.DEREGISTERED, UnitStatus.REVOKED,
                                   UnitStatus.MOVED_OUT])  # fmt: skip
            u.ended_on = today - datetime.timedelta(days=rng.randint(5, 300))
        elif u.org is None and rng.random() < 0.005:
            u.status = UnitStatus.SUSPENDED
        if u.ended_on and u.registered_on >= u.ended_on:
            u.registered_on = u.ended_on - datetime.timedelta(days=rng.randint(200, 3000))
        u.code = _credit_code(rng, codes, _head(u.category, u.name), region, u.registered_on.year >= 2015)
        full = u.party_members - (1 if u.party_members >= 2 and rng.random() < 0.1 else 0)
        enterprise = u.category in (UnitCategory.NON_PUBLIC_ENTERPRISE, UnitCategory.STATE_ENTERPRISE)
        big = u.employees >= 50
        contact_name, phone = "", ""
        if rng.random() < 0.85:
            female = rng.random() < 0.45
            contact_name = syn._person_name(rng, female, today.year - rng.randint(25, 58))
            phone = f"{rng.choice(syn.MOBILE_PREFIXES)}{rng.randrange(100_000_000):08d}"
        road = f"{rng.choice(syn.PLACE_WORDS)}{rng.choice(syn.PLACE_WORDS)}{rng.choice(ROAD_WORDS)}"
        member_rep = (u.party_members > 0 and rng.random() < 0.4) if u.category in NEWORGS else None
        rows.append((
            u.id, now, now, u.name, u.code, u.category, ids.areas[u.community], u.employees, u.party_members, full,
            ids.orgs[u.org] if u.org else None, contact_name, secret(phone) if phone else "",
            index(phone) if phone else "", industry, _size(u.category, u.employees),
            member_rep if enterprise else None, member_rep, rng.random() < (0.8 if big else 0.15),
            rng.random() < (0.5 if big else 0.05), rng.random() < (0.6 if big else 0.08), u.premises, u.building,
            f"{street.name}{road}{rng.randint(1, 300)}号", u.status, u.registered_on, u.ended_on,
        ))  # fmt: skip
    return rows


class _Ids:
    """What every writer here shares: the trees' ids by code, one timestamp, the blind index, and how personal data
    go in — encrypted here for PostgreSQL's COPY (rows as database values), by the bulk writer elsewhere."""

    def __init__(self, today: datetime.date):
        self.areas = dict(Area.objects.values_list("code", "pk"))
        self.orgs = dict(Org.objects.values_list("code", "pk"))
        self.now = timezone.now()
        self.index = syn._blind_indexer()
        self.convert = not is_streaming()
        self.secret = (lambda v: v) if self.convert else encrypt
        self.intake = int(param("unit.intake_days", today))


def _write(size, seed, rng, streets: list[_Street], names: set, today: datetime.date) -> dict:
    ids = _Ids(today)
    area_ids, org_ids = ids.areas, ids.orgs
    next_id = (Unit.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    codes: set[str] = set()
    intake_kinds = itertools.cycle(INTAKE_KINDS)
    rows = []
    for street in streets:
        for u in street.units:
            u.id, next_id = next_id, next_id + 1
        rows += _fill(rng, street, names, codes, today, ids, intake_kinds)
    insert_rows(Unit, UNIT_COLUMNS, rows, convert=ids.convert)
    reset_sequences(Unit)
    out = {"units": len(rows)}
    out.update(_instructors(size, seed, streets, today, ids))
    out.update(_authority_entries(size, seed, streets, area_ids, today))
    out.update(_co_building(size, seed, streets, area_ids, org_ids, today))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Unit, Instructor, Visit):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    return out


def _instructors(size, seed, streets: list[_Street], today: datetime.date, ids: _Ids) -> dict:
    """党建工作指导员 / 联络员 for part of the uncovered operating 两新 units, with visits: most within
    `unit.visit_interval_days`, some overdue, a few assignments ended."""
    rng = random.Random(f"instructors:{size}:{seed}")
    interval = int(param("unit.visit_interval_days", today))
    now = ids.now
    next_id = (Instructor.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    instructors, visits = [], []
    for street in streets:
        sent_by = [f"{street.name}党工委", f"{street.name}综合党委", f"{street.dname}非公有制经济组织党委"]
        candidates = [
            u
            for u in street.units
            if u.org is None and u.category in NEWORGS and u.status == UnitStatus.OPERATING and not u.new
        ]
        # quotas, not coin flips: every subdistrict has some, and some of them overdue
        chosen = syn._pick(rng, candidates, syn._share(len(candidates), INSTRUCTOR_SHARE))
        overdue_ones = set(map(id, syn._pick(rng, chosen, syn._share(len(chosen), OVERDUE_VISIT_SHARE))))
        for u in chosen:
            kind = InstructorKind.INSTRUCTOR if rng.random() < 0.6 else InstructorKind.LIAISON
            name = syn._person_name(rng, rng.random() < 0.4, today.year - rng.randint(28, 62))
            phone = f"{rng.choice(syn.MOBILE_PREFIXES)}{rng.randrange(100_000_000):08d}"
            overdue = id(u) in overdue_ones
            last = today - datetime.timedelta(
                days=rng.randint(interval + 1, interval + 240) if overdue else rng.randint(1, interval - 1)
            )
            n_visits = rng.randint(1, 3)
            dates = [last - datetime.timedelta(days=k * rng.randint(30, interval)) for k in range(n_visits)]
            started = min(dates[-1], u.registered_on + datetime.timedelta(days=rng.randint(30, 400)))
            started = max(started, u.registered_on)
            dates = [d for d in dates if d >= started]
            ended_on, reason = None, ""
            if rng.random() < 0.04:  # ended: the unit has no work coverage now
                ended_on, reason = max(started, last) + datetime.timedelta(days=1), "工作调动"
                if ended_on > today:
                    ended_on, reason = None, ""
            instructors.append((next_id, now, now, u.id, kind, name, rng.choice(sent_by), ids.secret(phone), started,
                                ended_on, reason))  # fmt: skip
            for d in dates:
                visits.append((now, now, next_id, d, rng.choice(VISIT_CONTENT), rng.choice(NEXT_STEPS)))
            next_id += 1
    insert_rows(Instructor, INSTRUCTOR_COLUMNS, instructors, convert=ids.convert)
    reset_sequences(Instructor)
    insert_rows(Visit, VISIT_COLUMNS, visits, convert=ids.convert)
    return {"instructors": len(instructors), "visits": len(visits)}


def _authority_entries(size, seed, streets: list[_Street], area_ids: dict, today: datetime.date) -> dict:
    """The registration authorities' lists: new units 待对接 (some overdue by `unit.intake_days`, some contacted) and
    the deregistrations (closed; a few deregistered units of a joint branch still pending for handling)."""
    rng = random.Random(f"authority:{size}:{seed}")
    intake = int(param("unit.intake_days", today))
    entries = []
    for street in streets:
        for u in street.units:
            authority = Authority.CIVIL_AFFAIRS if u.category == UnitCategory.SOCIAL_ORGANIZATION else (
                Authority.MARKET_REGULATION)  # fmt: skip
            common = {"authority": authority, "credit_code": u.code, "name": u.name, "area_id": area_ids[u.community],
                      "unit_id": u.id}  # fmt: skip
            if u.new:
                changed = u.registered_on
                entry = AuthorityEntry(kind=ChangeKind.REGISTERED, changed_on=changed,
                                       due_on=changed + datetime.timedelta(days=intake), **common)  # fmt: skip
                if u.new == "connected":
                    entry.status = IntakeStatus.CONNECTED
                    entry.contacted_on = min(today, changed + datetime.timedelta(days=rng.randint(1, intake)))
                    entry.note = "已上门对接，登记党员情况"
                entries.append(entry)
            elif u.ended_on and u.status in (UnitStatus.DEREGISTERED, UnitStatus.REVOKED):
                handled = u.org is None or rng.random() < 0.5
                entries.append(AuthorityEntry(
                    kind=ChangeKind.DEREGISTERED, changed_on=u.ended_on,
                    status=IntakeStatus.CLOSED if handled else IntakeStatus.PENDING,
                    note="覆盖记录已关闭" if handled else "所在联合党支部待研究调整", **common,
                ))  # fmt: skip
    AuthorityEntry.objects.bulk_create(entries, batch_size=1000)
    return {"authority_entries": len(entries)}


def _co_building(size, seed, streets: list[_Street], area_ids: dict, org_ids: dict, today: datetime.date) -> dict:
    """Per subdistrict a 大工委; per community (a share at city size, always the first) a 联席会 with its units,
    meetings and decisions in every state; agreements (some up for renewal) and the three lists with projects. The
    first unit of each community's council (its "anchor") owns its first decision, signs its first agreement and
    gives a resource to its first project: the demo's unit liaison sees each kind of record. Written table by table
    (a few statements for the whole city, not a few per council)."""
    rng = random.Random(f"co-building:{size}:{seed}")
    renewal = int(param("unit.agreement_renewal_days", today))
    community_orgs = dict(Org.objects.filter(code__startswith="SQ").values_list("code", "pk"))
    turns: Counter = Counter()

    def turn(kinds, key):
        k = kinds[turns[key] % len(kinds)]
        turns[key] += 1
        return k

    plans = []  # (council, seats, decision owners, (community org id, name, area id) or None)
    for street in streets:
        operating = [u for u in street.units if u.status == UnitStatus.OPERATING and not u.new]
        by_community = defaultdict(list)
        for u in operating:
            by_community[u.community].append(u)
        big = sorted(operating, key=lambda u: (-u.employees, u.id))[: rng.randint(3, 6)]
        started = today - datetime.timedelta(days=rng.randint(100, 900))
        council = Council(
            org_id=org_ids[f"GW{street.code}"], kind=CouncilKind.WORKING_COMMITTEE, name=f"{street.name}“大工委”",
            term_started_on=started, term_ends_on=add_years(started, 3) - datetime.timedelta(days=1),
        )  # fmt: skip
        seats = [(None, community_orgs[f"SQ{c}"], "社区党组织书记") for c, _n in street.communities
                 if f"SQ{c}" in community_orgs] + [(u, None, "单位党组织负责人") for u in big]  # fmt: skip
        plans.append((council, seats, big, None))
        for c, (ccode, cname) in enumerate(street.communities):
            units = sorted(by_community[ccode], key=lambda u: (-u.employees, u.id))
            org_id = community_orgs.get(f"SQ{ccode}")
            if org_id is None or len(units) < 2 or (c > 0 and rng.random() >= COUNCIL_SHARE[size]):
                continue
            chosen = units[: rng.randint(3, 7)]
            started = today - datetime.timedelta(days=rng.randint(100, 900))
            council = Council(
                org_id=org_id, kind=CouncilKind.JOINT_COUNCIL, name=f"{cname}党建联席会",
                term_started_on=started, term_ends_on=add_years(started, 3) - datetime.timedelta(days=1),
            )  # fmt: skip
            seats = [(None, org_id, "社区党组织书记")] + [(u, None, "单位负责人") for u in chosen]
            plans.append((council, seats, chosen, (org_id, cname, area_ids[ccode])))
    Council.objects.bulk_create([p[0] for p in plans], batch_size=BATCH)
    made = _council_records(rng, plans, today, turn)
    made.update(_agreements(rng, plans, today, renewal, turn))
    made.update(_lists(rng, plans, today, turn))
    made["councils"] = len(plans)
    return made


BATCH = 1000


def _council_records(rng, plans, today, turn) -> dict:
    """The councils' members and meetings (with attendance) and decisions in every state (DECISION_KINDS)."""
    members, meetings = [], []
    for council, seats, _owners, _c in plans:
        members.append([
            CouncilMember(council=council, unit_id=u.id if u else None, org_id=org_id, title=title,
                          representative=syn._person_name(rng, rng.random() < 0.4, today.year - rng.randint(30, 58)),
                          started_on=council.term_started_on)
            for u, org_id, title in seats
        ])  # fmt: skip
        held_on = [today - datetime.timedelta(days=25 + 85 * i + rng.randint(0, 20)) for i in range(rng.randint(2, 4))]
        meetings.append([
            CouncilMeeting(council=council, held_on=max(held, council.term_started_on), place="社区党群服务中心",
                           agenda=rng.choice(COUNCIL_AGENDA), minutes=MINUTES)
            for held in held_on
        ])  # fmt: skip
    CouncilMember.objects.bulk_create([m for ms in members for m in ms], batch_size=BATCH)
    CouncilMeeting.objects.bulk_create([m for ms in meetings for m in ms], batch_size=BATCH)
    through = CouncilMeeting.attendees.through
    attendees, decisions = [], []
    for (council, _seats, owners, _c), seated, held in zip(plans, members, meetings, strict=True):
        attendees += [through(councilmeeting_id=m.pk, councilmember_id=s.pk) for m in held for s in seated
                      if rng.random() < 0.85]  # fmt: skip
        for i in range(rng.randint(2, 4)):
            decisions.append(_decision(rng, council, held, owners[0 if i == 0 else rng.randrange(len(owners))], today,
                                       turn(DECISION_KINDS, "decision")))  # fmt: skip
    through.objects.bulk_create(attendees, batch_size=BATCH)
    Decision.objects.bulk_create(decisions, batch_size=BATCH)
    return {"council_meetings": sum(map(len, meetings)), "decisions": len(decisions)}


def _decision(rng, council: Council, meetings: list[CouncilMeeting], owner: _U, today, kind: str) -> Decision:
    """A decision of one of DECISION_KINDS: due later (open, in progress), overdue (open or in progress), done on
    time or late, dropped with a reason; decided at one of the meetings (overdue and late ones at the oldest)."""
    meeting = meetings[-1] if kind in ("done_late", "overdue", "overdue_in_progress") else rng.choice(meetings)
    held = meeting.held_on
    d = Decision(council=council, meeting=meeting, title=rng.choice(DECISION_TITLES), owner_id=owner.id)
    if kind in ("open", "in_progress"):
        d.due_on = today + datetime.timedelta(days=rng.randint(5, 90))
    elif kind in ("overdue", "overdue_in_progress", "done_late"):
        span = max(2, (today - held).days - 1)
        d.due_on = held + datetime.timedelta(days=rng.randint(1, span - 1))
    else:
        d.due_on = held + datetime.timedelta(days=rng.randint(20, 90))
    d.status = {"open": DecisionStatus.OPEN, "overdue": DecisionStatus.OPEN, "dropped": DecisionStatus.DROPPED,
                "in_progress": DecisionStatus.IN_PROGRESS, "overdue_in_progress": DecisionStatus.IN_PROGRESS}.get(
        kind, DecisionStatus.DONE)  # fmt: skip
    if kind in ("in_progress", "overdue_in_progress"):
        d.status_note = rng.choice(PROGRESS_NOTES)
    elif kind == "done_on_time":
        latest = min((d.due_on - held).days, (today - held).days)
        d.closed_on = held + datetime.timedelta(days=rng.randint(1, max(1, latest)))
    elif kind == "done_late":
        d.closed_on = d.due_on + datetime.timedelta(days=rng.randint(1, max(1, (today - d.due_on).days)))
    elif kind == "dropped":
        d.closed_on = held + datetime.timedelta(days=rng.randint(1, max(1, (today - held).days)))
        d.status_note = rng.choice(DROP_REASONS)
    return d


def _agreements(rng, plans, today, renewal: int, turn) -> dict:
    """One or two agreements per community council (its anchor unit in the first), ending in AGREEMENT_KINDS' ways,
    with the yearly reviews of the years gone by."""
    made = []
    for _council, _seats, units, community in plans:
        if community is None:
            continue
        org_id, cname, _area = community
        for i in range(rng.randint(1, 2)):
            kind = turn(AGREEMENT_KINDS, "agreement")
            years = rng.randint(1, 3)
            if kind == "renewal_due":
                ends = today + datetime.timedelta(days=rng.randint(1, renewal))
            elif kind == "ended":
                ends = today - datetime.timedelta(days=rng.randint(1, 200))
            else:
                ends = today + datetime.timedelta(days=rng.randint(renewal + 1, 365 * years - 1))
            starts = add_years(ends, -years) + datetime.timedelta(days=1)
            parties = [units[0]] if i == 0 else syn._pick(rng, units, rng.randint(1, min(3, len(units))))
            pairing = rng.random() < 0.3
            agreement = Agreement(
                org_id=org_id, kind=AgreementKind.PAIRING if pairing else AgreementKind.AGREEMENT,
                title=f"{cname}与{parties[0].name}{'结对共建' if pairing else '共驻共建'}协议",
                number=f"共建〔{starts.year}〕{len(made) + 1}号", signed_on=starts - datetime.timedelta(days=7),
                starts_on=starts, ends_on=ends, org_commitments=ORG_PROMISES, unit_commitments=UNIT_PROMISES,
            )  # fmt: skip
            made.append((agreement, parties))
    Agreement.objects.bulk_create([a for a, _p in made], batch_size=BATCH)
    through = Agreement.units.through
    through.objects.bulk_create([through(agreement_id=a.pk, unit_id=u.id) for a, parties in made for u in parties],
                                batch_size=BATCH)  # fmt: skip
    AgreementReview.objects.bulk_create([
        AgreementReview(agreement=a, year=year, reviewed_on=datetime.date(year, 12, 20),
                        note="双方履行承诺情况良好，活动按计划开展。")
        for a, _p in made for year in range(a.starts_on.year, today.year)
        if datetime.date(year, 12, 20) <= min(a.ends_on, today)
    ], batch_size=BATCH)  # fmt: skip
    return {"agreements": len(made)}


def _lists(rng, plans, today, turn) -> dict:
    """Each community council's needs, its units' resources, and projects matching them (the last need stays
    open); the first need, a venue, is matched with the anchor unit's venue."""
    per_plan = []
    for _council, _seats, units, community in plans:
        if community is None:
            continue
        org_id, _cname, area_id = community
        resources = []
        for j, u in enumerate(units[: rng.randint(2, 3)]):
            category = ListCategory.VENUE if j == 0 else rng.choice(list(ListCategory))
            r = Resource(unit_id=u.id, category=category, title=RESOURCES[category],
                         available_from=today - datetime.timedelta(days=rng.randint(30, 300)))  # fmt: skip
            if category == ListCategory.VENUE:
                r.capacity, r.opening_hours = rng.choice([30, 50, 80, 120]), "工作日 18:00-21:00，周末全天"
            elif category == ListCategory.FUNDS:
                r.amount = rng.choice([5000, 10000, 20000, 50000])
            elif category == ListCategory.VOLUNTEERS:
                r.people = rng.randint(5, 40)
            resources.append(r)
        needs = []
        for j in range(rng.randint(2, 3)):
            category = ListCategory.VENUE if j == 0 else rng.choice(list(ListCategory))
            title, whom = NEEDS[category]
            start = today + datetime.timedelta(days=rng.randint(-120, 60))
            needs.append(Need(org_id=org_id, area_id=area_id, category=category, title=title, beneficiaries=whom,
                              wanted_from=start, wanted_until=start + datetime.timedelta(days=rng.randint(30, 180)),
                              people=rng.randint(10, 200)))  # fmt: skip
        per_plan.append((org_id, resources, needs))
    Resource.objects.bulk_create([r for _o, rs, _n in per_plan for r in rs], batch_size=BATCH)
    projects = []
    for org_id, resources, needs in per_plan:
        for need in needs[:-1]:
            status = turn(PROJECT_KINDS, "project")
            project = Project(org_id=org_id, title=f"{need.title}共建项目", status=status)
            if status == ProjectStatus.PLANNED:
                project.starts_on = today + datetime.timedelta(days=rng.randint(5, 60))
            else:
                project.starts_on = today - datetime.timedelta(days=rng.randint(20, 200))
                project.ends_on = project.starts_on + datetime.timedelta(days=rng.randint(10, 120))
                if status == ProjectStatus.RUNNING:
                    project.ends_on = max(project.ends_on, today + datetime.timedelta(days=10))
            if status == ProjectStatus.DONE:
                project.ends_on = min(project.ends_on, today)
                project.people_served = rng.randint(10, need.people or 50)
                project.outcome = "按计划完成，居民反映良好。"
            if status != ProjectStatus.CANCELLED:
                need.status = NeedStatus.MATCHED
            matched = [resources[0]] if need is needs[0] else syn._pick(rng, resources, rng.randint(1, 2))
            projects.append((project, need, matched))
    Need.objects.bulk_create([n for _o, _r, ns in per_plan for n in ns], batch_size=BATCH)
    for project, need, _m in projects:
        project.need_id = need.pk
    Project.objects.bulk_create([p for p, _n, _m in projects], batch_size=BATCH)
    through = Project.resources.through
    through.objects.bulk_create([through(project_id=p.pk, resource_id=r.pk) for p, _n, rs in projects for r in rs],
                                batch_size=BATCH)  # fmt: skip
    return {
        "projects": len(projects),
        "needs": sum(len(ns) for _o, _r, ns in per_plan),
        "resources": sum(len(rs) for _o, rs, _n in per_plan),
    }


def liaison_unit(community_org):
    """The demo's unit liaison's unit: the anchor of the community's council (its first decision's owner)."""
    d = Decision.objects.filter(council__org=community_org).order_by("pk").select_related("owner").first()
    return d.owner if d else None
