"""A deterministic synthetic city for demos, tests and benchmarks (`sqdj generate`, `sqdj demo`).

The same size and seed always give the same trees, codes, names and members. Nodes are written in bulk with
their materialized paths computed here (as treebeard's own bulk loader does), so even the larger sizes load
in seconds; generated seed data writes no change-log rows.

Members are made in two steps: `member_rows()` is pure Python (codes instead of database ids, ID and phone
numbers in the clear) and `generate()` writes them — with COPY on PostgreSQL, `bulk_create` batches elsewhere —
encrypting the personal data and computing the blind indexes and pinyin exactly as `Member.save()` does.

The units' party organizations (机关, schools, hospitals, state-owned and non-public enterprises, located in the
streets) hold the in-service members, who live in the district's communities and mostly registered there (报到);
each 街道党工委 guides the units of the district's line in its territory. The community orgs hold mostly retired
members. The membership ledger's rows are made by `member_events` and written by `write_ledger`, nowhere else.

Dates: birth dates, and the dates of joining and confirmation of full members, count back from a fixed
reference day (`REFERENCE_DAY`, or today if that is earlier), so ID numbers never change; probationary members
joined within the year before the day of generation (`today`), and a few recently confirmed full members one to
two years before it. Terms of office, leadership posts, elections and residents' committees count from `today`
too, so that whenever the city is generated most terms are current and a few are ending or over.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from sqdj.areas.models import Area
from sqdj.core import dates, idnumber
from sqdj.core.bulk import BulkWriter, insert_rows, is_streaming, reset_sequences
from sqdj.core.dates import add_months, add_years
from sqdj.core.pii import _index_key, encrypt
from sqdj.demo.services import generate_services
from sqdj.demo.volunteers import demo_round, generate_volunteers
from sqdj.leadership.models import Candidate, Election, Position, ResidentsCommittee, ResidentsSeat
from sqdj.leadership.terms import regular_term_end, term_years
from sqdj.members import standing
from sqdj.members.choices import EXIT_KINDS, EventKind, MemberType, Standing
from sqdj.members.models import (
    Member,
    MembershipEvent,
    Registration,
    id_number_suffix_text,
    name_pinyin,
    phone_suffix_text,
)
from sqdj.orgs.choices import BRANCH_TYPES, TERM_TYPES, GuidanceKind, Sector, default_approves_members, default_sector
from sqdj.orgs.models import GuidanceLink, Org
from sqdj.transfers.models import Outflow

# --------------------------------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Size:
    districts: int
    subdistricts: int  # per district
    communities: int  # per subdistrict
    branches: int  # per community (+0..2)
    members: tuple[int, int, int] = (8, 22, 60)  # members per branch: low, mode, high (triangular)
    total_members: int | None = None  # instead: this many, shared out over the branches
    city_root: bool = False  # a 市 / 市委 above the districts
    comprehensive_branches: bool = False  # 联合党支部 and a 流动党员党支部 under each 综合党委
    joint_branches: int = 0  # otherwise: this many 联合党支部 under each 综合党委 (small ones, 4–15 members)
    # units' party organizations located in each subdistrict (they hold the in-service members): of the district's
    # line (机关, 事业单位, 国有企业 in turn; see UNIT_KINDS) and non-public enterprise branches under the 综合党委
    units: int = 2
    enterprises: int = 1
    unit_members: tuple[int, int, int] = (12, 34, 70)  # members per unit branch: low, mode, high (triangular)


# Community branches hold fewer members than before the units' orgs existed (the in-service members moved to their
# units), so that each size's total stays about the same.
SIZES = {
    "small": Size(1, 3, 4, 3, members=(8, 14, 36), joint_branches=1),
    "medium": Size(3, 6, 8, 6, members=(8, 14, 36), joint_branches=1, units=6, enterprises=3),
    # ≈ 10 districts, 100 subdistricts, 1,300 communities, 10,000 branches (2,000 of them units'), 1,000,000 members
    "city": Size(
        10, 10, 13, 6, total_members=1_000_000, city_root=True, comprehensive_branches=True, units=8, enterprises=5
    ),
}

DISTRICT_NAMES = [
    "和平区",
    "河东区",
    "河西区",
    "南开区",
    "河北区",
    "红桥区",
    "东丽区",
    "西青区",
    "津南区",
    "北辰区",
    "武清区",
    "宝坻区",
]
# the real ID-card region codes of those districts (a second code for births before the county became a district)
DISTRICT_REGIONS = [
    ("120101",),
    ("120102",),
    ("120103",),
    ("120104",),
    ("120105",),
    ("120106",),
    ("120110",),
    ("120111",),
    ("120112",),
    ("120113",),
    ("120114", "120222"),
    ("120115", "120224"),
]
OTHER_REGIONS = [
    "130102", "130104", "130105", "130203", "130602", "130902", "131002", "370102", "370202", "410102",
    "410105", "220102", "230102", "150102", "210102", "320102", "340102", "620102", "110105", "310101",
]  # fmt: skip
CITY_NAME = "天津市"
PLACE_WORDS = list("安康和平新华兴隆长青春阳光明德惠民丰泽金湖银河朝阳东升文昌广福润泰锦绣紫荆翠柳桂馨")
STREET_SUFFIX = "街道"
COMMUNITY_SUFFIX = "社区"
ESTATE_WORDS = ["花园", "家园", "里", "新村", "苑", "公寓", "小区", "雅居"]
NUMERALS = "一二三四五六七八九十"
CITY_CODE = "1200"
FIRST_DISTRICT_ORG = f"DW{CITY_CODE}01"  # present in every size: the "already loaded" probe
HOLDER_TYPES = ("branch", "joint_branch", "mobile_branch", "temporary_branch")


def _numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")


def _branch_kind(b: int) -> str:
    return f"第{_numeral(b + 1)}党支部"


BRANCH_KINDS = [_branch_kind(b) for b in range(8)]


@dataclass
class Spec:
    code: str
    name: str
    type: str
    children: list
    area_code: str | None = None
    # for orgs that hold members: the community (area code) whose residents they are, the subdistrict, the district
    community: str | None = None
    street: str | None = None
    district: int = 0
    # a unit's party organization: its sector (else the default for its type), the unit its members work for, and
    # the 街道党工委 (code) that guides it when its line runs elsewhere (属地管理)
    sector: str | None = None
    unit: str = ""
    guide: str | None = None

    def add(self, child):
        self.children.append(child)
        return child


def _place(rng: random.Random, used: set, suffix: str) -> str:
    while True:
        name = rng.choice(PLACE_WORDS) + rng.choice(PLACE_WORDS) + suffix
        if name not in used:
            used.add(name)
            return name


def build_specs(size: str = "small", seed: int = 2026):
    """The trees as nested specs: (area roots, org roots)."""
    if size not in SIZES:
        raise ValueError(size)
    cfg = SIZES[size]
    n_districts, n_streets, n_communities, n_branches = cfg.districts, cfg.subdistricts, cfg.communities, cfg.branches
    rng = random.Random(f"{size}:{seed}")
    xrng = random.Random(f"extra:{size}:{seed}")  # what small and medium lack draws from its own stream
    urng = random.Random(f"unit-orgs:{size}:{seed}")  # the units' orgs too: the communities keep their names
    unit_names: set[str] = set()
    used: set[str] = set()
    area_roots, org_roots = [], []
    for d in range(n_districts):
        dcode = f"{CITY_CODE}{d + 1:02d}"
        dname = DISTRICT_NAMES[d % len(DISTRICT_NAMES)]
        district = Spec(dcode, dname, "district", [])
        area_roots.append(district)
        dorg = Spec(f"DW{dcode}", f"中共{dname}委员会", "district_committee", [], dcode)
        org_roots.append(dorg)
        district_units = []  # the district's line: added after its streets, so that their paths stay as they were
        for s in range(n_streets):
            scode = f"{dcode}{s + 1:03d}"
            sname = _place(rng, used, STREET_SUFFIX)
            street = district.add(Spec(scode, sname, "subdistrict", []))
            sorg = dorg.add(Spec(f"GW{scode}", f"中共{dname}{sname}工作委员会", "subdistrict_committee", [], scode))
            zorg = sorg.add(Spec(f"ZH{scode}", f"中共{dname}{sname}综合委员会", "comprehensive_committee", [], scode))
            if cfg.comprehensive_branches:
                # 两新组织 too small for a branch of their own share a 联合党支部; mobile members have a branch
                for j in range(xrng.randint(1, 3)):
                    zorg.add(
                        Spec(
                            f"LH{scode}-{j + 1:02d}",
                            f"中共{sname}非公有制企业第{_numeral(j + 1)}联合支部委员会",
                            "joint_branch",
                            [],
                            scode,
                            street=scode,
                            district=d,
                        )
                    )
                zorg.add(
                    Spec(
                        f"LD{scode}",
                        f"中共{sname}流动党员支部委员会",
                        "mobile_branch",
                        [],
                        scode,
                        street=scode,
                        district=d,
                    )
                )
            for j in range(cfg.joint_branches):
                # without touching `rng`, so that the communities keep the names and codes they always had
                zorg.add(
                    Spec(
                        f"LH{scode}-{j + 1:02d}",
                        f"中共{sname}非公有制企业第{_numeral(j + 1)}联合支部委员会",
                        "joint_branch",
                        [],
                        scode,
                        street=scode,
                        district=d,
                    )
                )
            ccodes = []
            for c in range(n_communities):
                ccode = f"{scode}{c + 1:03d}"
                ccodes.append(ccode)
                cname = _place(rng, used, COMMUNITY_SUFFIX)
                community = street.add(Spec(ccode, cname, "community", []))
                for g in range(2):
                    gcode = f"{ccode}{g + 1:02d}"
                    grid = community.add(Spec(gcode, f"{cname}第{g + 1}网格", "grid", []))
                    ecode = f"{gcode}01"
                    estate = grid.add(
                        Spec(
                            ecode,
                            rng.choice(PLACE_WORDS) + rng.choice(PLACE_WORDS) + rng.choice(ESTATE_WORDS),
                            "estate",
                            [],
                        )
                    )
                    for b in range(2):
                        estate.add(Spec(f"{ecode}{b + 1:02d}", f"{b + 1}号楼", "building", []))
                branches = n_branches + rng.randint(0, 2)
                # most communities hold a 总支 or 党委 with branches; every fifth is a single 支部
                ctype = "branch" if c % 5 == 4 else ("committee" if branches >= 5 else "general_branch")
                cword = {"committee": "委员会", "general_branch": "总支部委员会", "branch": "支部委员会"}[ctype]
                corg = sorg.add(Spec(f"SQ{ccode}", f"中共{sname}{cname}{cword}", ctype, [], ccode, ccode, scode, d))
                if ctype == "branch":
                    continue
                for b in range(branches):
                    borg = corg.add(
                        Spec(
                            f"ZB{ccode}-{b + 1:02d}",
                            f"中共{cname}{_branch_kind(b)}",
                            "branch",
                            [],
                            f"{ccode}{b % 2 + 1:02d}",
                            ccode,
                            scode,
                            d,
                        )
                    )
                    for g in range(rng.randint(1, 2)):
                        borg.add(
                            Spec(
                                f"XZ{ccode}-{b + 1:02d}-{g + 1}",
                                f"{cname}{_branch_kind(b)}第{g + 1}党小组",
                                "group",
                                [],
                            )
                        )
            _unit_orgs(cfg, urng, unit_names, (d, dname), street, sorg, zorg, ccodes, district_units)
        for unit in district_units:
            dorg.add(unit)
    if cfg.city_root:
        area_roots = [Spec(CITY_CODE, CITY_NAME, "city", area_roots)]
        org_roots = [Spec(f"SW{CITY_CODE}", f"中共{CITY_NAME}委员会", "city_committee", org_roots, CITY_CODE)]
    return area_roots, org_roots


STATIONS = [("市场监督管理局", "市场监督管理所"), ("司法局", "司法所"), ("税务局", "税务所"), ("公安分局", "派出所")]
# The units of the district's line located in a subdistrict, in turn: (sector, kind of unit, org type, branches below)
UNIT_KINDS = [
    ("government", "government", "branch", 0),  # a 区直机关 branch
    ("institution", "school", "branch", 0),
    ("institution", "hospital", "general_branch", 2),
    ("state_enterprise", "state_enterprise", "committee", 3),  # a state-owned group
]


def _unit_name(rng: random.Random, used: set, kind: str, dname: str) -> str:
    """The name of a unit of this kind (UNIT_KINDS; its members' 工作单位), unique in the city."""
    while True:
        place = rng.choice(PLACE_WORDS) + rng.choice(PLACE_WORDS)
        if kind == "government":  # the district's own stations in the streets: as many as the city needs
            bureau, station = rng.choice(STATIONS)
            name = f"{CITY_NAME}{dname}{bureau}{place}{station}"
        elif kind == "school":
            name = f"{CITY_NAME}{dname}第{rng.randint(1, 90)}中学"
        elif kind == "hospital":
            name = f"{CITY_NAME}{dname}{place}医院"
        elif kind == "state_enterprise":
            name = f"{CITY_NAME}{place}{rng.choice(INDUSTRIES)}集团有限公司"
        else:
            name = f"{CITY_NAME}{place}{rng.choice(INDUSTRIES)}有限公司"
        if name not in used:
            used.add(name)
            return name


def _unit_orgs(cfg: Size, rng, used: set, district: tuple[int, str], street: Spec, sorg: Spec, zorg: Spec,
               communities: list[str], district_units: list) -> None:  # fmt: skip
    """The units' party organizations located in `street`: non-public enterprise branches under its 综合党委 (in a
    商务楼宇 of the street), and units of the district's line (机关, schools, hospitals in a community's grid;
    state-owned groups in the 商务楼宇), guided by the 街道党工委 `sorg` (属地管理)."""
    d, dname = district
    scode = street.code
    building = street.add(Spec(f"{scode}901", _place(rng, set(), "大厦"), "office_building", []))
    for e in range(cfg.enterprises):
        unit = _unit_name(rng, used, "non_public_enterprise", dname)
        zorg.add(Spec(f"QY{scode}-{e + 1:02d}", f"中共{unit}支部委员会", "branch", [], building.code,
                      street=scode, district=d, sector="non_public_enterprise", unit=unit))  # fmt: skip
    first = (int(scode[-3:]) - 1) * cfg.units  # the kinds go round the district's streets
    for u in range(cfg.units):
        sector, kind, org_type, below = UNIT_KINDS[(first + u) % len(UNIT_KINDS)]
        unit = _unit_name(rng, used, kind, dname)
        where = building.code if sector == "state_enterprise" else f"{rng.choice(communities)}{rng.randint(1, 2):02d}"
        code = f"DZ{scode}-{u + 1:02d}"
        word = {"branch": "支部委员会", "general_branch": "总支部委员会", "committee": "委员会"}[org_type]
        if sector == "government":
            word = "机关" + word
        top = Spec(code, f"中共{unit}{word}", org_type, [], where, street=scode, district=d, sector=sector,
                   unit=unit, guide=sorg.code)  # fmt: skip
        for b in range(below):
            top.add(Spec(f"{code}-{b + 1:02d}", f"中共{unit}{_branch_kind(b)}", "branch", [], where, street=scode,
                         district=d, sector=sector, unit=unit))  # fmt: skip
        district_units.append(top)


def guidance_links(specs) -> list[tuple[str, str]]:
    """(guiding 街道党工委, guided unit org) by codes: each street guides the units of the district's line located in
    its territory (属地管理)."""
    return [(s.guide, s.code) for s in _walk(specs[1]) if s.guide]


def _walk(roots) -> Iterator[Spec]:
    """Depth first, parents before children: the order of the materialized paths."""
    for root in roots:
        yield root
        yield from _walk(root.children)


def org_approvals(specs) -> dict[str, bool]:
    """Whether each org, by code, may approve probationary members, as a new org gets it
    (orgs.choices.default_approves_members, from its type and its ancestors' types): bulk_create does not run
    Org.save(), and the transfers' approval path reads it (transfers.services.approvers)."""
    _area_roots, org_roots = specs
    out: dict[str, bool] = {}

    def walk(spec, ancestor_types):
        out[spec.code] = default_approves_members(spec.type, ancestor_types)
        for child in spec.children:
            walk(child, (*ancestor_types, spec.type))

    for root in org_roots:
        walk(root, ())
    return out


def org_sectors(specs) -> dict[str, str]:
    """The sector of every org, by code, as a new org gets it (orgs.choices.default_sector): the 综合党委 and its
    branches non-public enterprises, joint and mobile branches their own, the community orgs and their branches
    (located in their community) community; the units' orgs the sector of their unit (said, not guessed from where
    they are located). Written directly: bulk_create does not run Org.save()."""
    area_roots, org_roots = specs
    area_types = {a.code: a.type for a in _walk(area_roots)}
    out: dict[str, str] = {}

    def walk(spec, parent_sector):
        out[spec.code] = spec.sector or default_sector(spec.type, parent_sector, area_types.get(spec.area_code))
        for child in spec.children:
            walk(child, out[spec.code])

    for root in org_roots:
        walk(root, None)
    return out


def _flatten(model, roots, make):
    """Objects with paths computed like treebeard's (steplen 4, alphabet 0-9A-Z), parents first."""
    objs = []

    def walk(spec, parent_path, depth, index):
        path = model._get_path(parent_path, depth, index)
        obj = make(spec)
        obj.path, obj.depth, obj.numchild = path, depth, len(spec.children)
        objs.append(obj)
        for i, child in enumerate(spec.children, start=1):
            walk(child, path, depth + 1, i)

    start = 1
    last = model.objects.order_by("-path").filter(depth=1).first()
    if last is not None:
        start = model._str2int(last.path) + 1
    for i, root in enumerate(roots, start=start):
        walk(root, "", 1, i)
    return objs


# ------------------------------------------------------------------------------------------------- members

REFERENCE_DAY = datetime.date(2026, 7, 1)

# (surname, weight ≈ share of the population in per mille)
SURNAMES = [
    ("王", 71), ("李", 70), ("张", 68), ("刘", 54), ("陈", 45), ("杨", 31), ("赵", 23), ("黄", 22), ("周", 21),
    ("吴", 20), ("徐", 17), ("孙", 15), ("胡", 13), ("朱", 12), ("高", 12), ("林", 12), ("何", 12), ("郭", 12),
    ("马", 11), ("罗", 9), ("梁", 8), ("宋", 8), ("郑", 8), ("谢", 7), ("韩", 7), ("唐", 6), ("冯", 6), ("于", 6),
    ("董", 6), ("肖", 6), ("程", 5), ("曹", 5), ("袁", 5), ("邓", 5), ("许", 5), ("傅", 4), ("沈", 4), ("曾", 4),
    ("彭", 4), ("吕", 4), ("苏", 4), ("卢", 4), ("蒋", 4), ("蔡", 4), ("贾", 4), ("丁", 3), ("魏", 3), ("薛", 3),
    ("叶", 3), ("闫", 3), ("余", 3), ("潘", 3), ("杜", 3), ("戴", 3), ("夏", 2), ("钟", 2), ("汪", 2), ("田", 2),
    ("任", 2), ("姜", 2), ("范", 2), ("方", 2), ("石", 2), ("姚", 2), ("谭", 2), ("廖", 2), ("邹", 2), ("熊", 2),
    ("金", 2), ("陆", 2), ("郝", 2), ("孔", 2), ("白", 2), ("崔", 2), ("康", 2), ("毛", 2), ("邱", 2), ("秦", 2),
    ("江", 2), ("史", 2), ("顾", 1), ("侯", 1), ("邵", 1), ("孟", 1), ("龙", 1), ("万", 1), ("段", 1), ("雷", 1),
    ("钱", 1), ("汤", 1), ("尹", 1), ("黎", 1), ("易", 1), ("常", 1), ("武", 1), ("乔", 1), ("贺", 1), ("赖", 1),
    ("龚", 1), ("文", 1), ("庞", 1), ("樊", 1), ("兰", 1), ("殷", 1), ("施", 1), ("陶", 1), ("洪", 1), ("翟", 1),
    ("安", 1), ("颜", 1), ("倪", 1), ("严", 1), ("牛", 1), ("温", 1), ("季", 1), ("俞", 1), ("章", 1), ("鲁", 1),
    ("葛", 1), ("韦", 1), ("申", 1), ("尤", 1), ("毕", 1), ("聂", 1), ("焦", 1), ("向", 1), ("柳", 1), ("邢", 1),
    ("路", 1), ("岳", 1), ("齐", 1), ("穆", 1), ("欧阳", 0.3), ("司马", 0.1), ("上官", 0.1), ("诸葛", 0.1),
]  # fmt: skip

# Given names as the generations gave them: (born up to year, male names, female names)
GIVEN_NAMES = [
    (
        1945,
        "振华 国栋 德明 广才 福生 永贵 树森 宝山 玉堂 文斌 长庚 德胜 保国 金生 庆丰 兆祥 志远 海清 凤山 殿臣 "
        "俊卿 荣华 恩普 子明 鸿儒",
        "秀英 桂英 玉兰 淑珍 秀兰 凤英 桂兰 素珍 玉珍 淑兰 秀珍 凤兰 玉梅 桂芝 淑英 秀云 兰英 翠英 玉芬 金凤 "
        "淑贞 桂珍 秀琴 玉洁 惠芳",
    ),
    (
        1965,
        "建国 国庆 建华 卫东 援朝 建军 志强 国强 跃进 卫国 国华 胜利 建平 向东 学军 建设 爱国 新民 立新 永红 "
        "振国 国平 建民 红军 庆生",
        "秀芳 丽华 红梅 桂芳 淑华 玉华 凤霞 秀华 建华 红霞 爱华 卫红 丽娟 素英 春兰 秀梅 建英 国英 美华 志红 "
        "淑芬 秀荣 玉霞 桂荣 凤琴",
    ),
    (
        1985,
        "伟 勇 军 强 磊 涛 斌 刚 超 鹏 海涛 建伟 志刚 立军 晓东 宏伟 志勇 春雷 永刚 明亮 海波 东升 文涛 建波 "
        "俊杰 学东 振宇 国辉",
        "丽 静 敏 燕 艳 芳 娟 霞 丽娟 晓红 海燕 春燕 雪梅 晓燕 丽萍 晓丽 红艳 美玲 秀丽 晓梅 丽君 晓静 红英 "
        "丽丽 莉莉 晓琳",
    ),
    (
        2010,
        "浩 宇 博 阳 帅 浩然 子豪 宇轩 思远 浩宇 家豪 天宇 博文 明轩 子轩 志鹏 晨阳 一鸣 嘉伟 文博 泽宇 皓轩 "
        "宇航 梓豪 俊熙",
        "婷 雪 琳 洁 悦 欣怡 梓涵 雨欣 诗琪 思雨 佳怡 梦琪 雨萱 婉婷 晓雯 佳琪 子涵 欣然 思涵 雅琪 紫涵 诗涵 "
        "可馨 若曦 雨桐",
    ),
]
# for more variety a quarter of the names are put together from two common characters
GIVEN_FIRST = {"male": "志建国文明永晓海德立俊家宏子浩宇天振春少", "female": "秀丽晓春雪玉美淑海红佳雨欣思文静翠慧金月"}
GIVEN_SECOND = {"male": "强华军平伟明辉刚杰峰涛斌龙林波鹏勇飞成东", "female": "英兰华芳梅霞燕玲娟红萍琴云莉婷洁敏丹颖"}

# ≈ 6 % ethnic minorities, the groups most present in a northern city
MINORITIES = [
    ("回族", 20), ("满族", 20), ("蒙古族", 7), ("朝鲜族", 4), ("土家族", 2), ("壮族", 2), ("苗族", 1), ("藏族", 0.5),
    ("维吾尔族", 0.5), ("彝族", 0.5), ("锡伯族", 0.5), ("白族", 0.5), ("侗族", 0.5),
]  # fmt: skip
MINORITY_SHARE = 0.06

# categories of the members of community orgs (the units' orgs hold in-service members only, so that about 45 % of
# all are in service, 35 % retired); for probationary members (5 %) a separate, younger mix
CATEGORY_SHARES = {"employed": 12, "retired": 55, "veteran_retired": 1.5, "unemployed": 7, "mobile": 8,
                   "resident": 16.5}  # fmt: skip
PROBATIONARY_SHARE = 0.05
PROBATIONARY_CATEGORIES = {"employed": 40, "mobile": 20, "resident": 30, "unemployed": 10}
FULL_CATEGORIES = {
    c: (w / 100 - PROBATIONARY_SHARE * PROBATIONARY_CATEGORIES.get(c, 0) / 100) / (1 - PROBATIONARY_SHARE)
    for c, w in CATEGORY_SHARES.items()
}
# age at the reference day: (low, high, mode) of a triangular distribution
AGES = {
    "employed": (22, 60, 40),
    "retired": (55, 94, 67),
    "veteran_retired": (91, 94, 92),  # 离休: in revolutionary work before October 1949
    "unemployed": (35, 60, 50),
    "mobile": (20, 55, 32),
    "resident": (25, 90, 55),
}
# age at joining the party: (low, high, mode)
JOIN_AGES = {
    "employed": (18, 45, 25),
    "retired": (18, 50, 27),
    "veteran_retired": (18, 22, 19),
    "unemployed": (18, 45, 26),
    "mobile": (18, 40, 23),
    "resident": (18, 55, 30),
}
EDUCATIONS = ("postgraduate", "bachelor", "associate", "vocational", "high_school", "junior_or_below")
# education by age band (upper age bound, weights in the order of EDUCATIONS)
EDUCATION_BY_AGE = [
    (35, (14, 52, 22, 6, 4, 2)),
    (50, (9, 40, 26, 10, 10, 5)),
    (60, (4, 25, 26, 17, 18, 10)),
    (75, (2, 14, 18, 20, 24, 22)),
    (200, (1, 8, 10, 18, 25, 38)),
]
FEMALE_BY_AGE = [(35, 0.42), (50, 0.33), (60, 0.29), (75, 0.24), (200, 0.18)]
PHONE_SHARE = {"employed": 0.97, "mobile": 0.98, "unemployed": 0.93, "resident": 0.9, "retired": 0.88,
               "veteran_retired": 0.6}  # fmt: skip
MOBILE_PREFIXES = ("130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 176 177 178 180 "
                   "181 182 183 185 186 187 188 189 198 199").split()  # fmt: skip
RECENT_SHARE = 0.04  # full members confirmed in the last year or two (counted back from `today`)
HOME_SHARE = {"mobile": 0.3}  # members with a home area in the territory; 0.72 for the others
MOVED_IN_SHARE = 0.05  # branches with one member transferred in from another province (the ledger's 转入)
MOVED_FROM = ["河北省沧州市", "山东省德州市", "河南省周口市", "黑龙江省哈尔滨市", "北京市朝阳区"]
UNIT_HOME_STREET = 0.4  # units' members living in the subdistrict where the unit is (else elsewhere in the district)
REGISTRATION_SHARE = 0.85  # units' full members registered with their residence community (在职党员到社区报到)
POSTS = ["政策宣传", "环境整治", "治安巡逻", "助老服务", "矛盾调解", "文明劝导", "垃圾分类督导", "关爱青少年"]
SKILLS = ["法律咨询", "医疗保健", "教育辅导", "水电维修", "文艺特长", "心理疏导", "电脑网络", "财务会计", ""]
UNIT_TEMPLATES = [
    "{city}{p}{i}有限公司", "{city}{p}{i}股份有限公司", "{city}{p}{i}集团有限公司", "{district}{p}{i}有限公司",
    "{district}人民政府{o}", "{district}{o}", "{city}第{n}中学", "{district}第{n}小学", "{city}第{n}中心医院",
    "{district}人民医院", "{district}{p}街道办事处", "{city}{p}{i}研究所", "中国{b}天津分行",
    "{city}{p}物业管理有限公司",
]  # fmt: skip
INDUSTRIES = "电子 机械 建设 物流 医药 科技 食品 纺织 化工 商贸 软件 环保 汽车配件".split()
OFFICES = "教育局 卫生健康委员会 民政局 住房和城乡建设委员会 财政局 市场监督管理局 税务局 司法局".split()
BANKS = "工商银行 建设银行 农业银行 银行".split()


def _weights(pairs):
    return [p[0] for p in pairs], list(_cumulative([p[1] for p in pairs]))


def _cumulative(ws):
    total = 0.0
    for w in ws:
        total += w
        yield total


SURNAME_POP, SURNAME_CUM = _weights(SURNAMES)
MINORITY_POP, MINORITY_CUM = _weights(MINORITIES)
FULL_CAT_POP, FULL_CAT_CUM = _weights(list(FULL_CATEGORIES.items()))
PROB_CAT_POP, PROB_CAT_CUM = _weights(list(PROBATIONARY_CATEGORIES.items()))
EDU_CUM = [(upper, list(_cumulative(ws))) for upper, ws in EDUCATION_BY_AGE]
GIVEN_SPLIT = [(upper, male.split(), female.split()) for upper, male, female in GIVEN_NAMES]


@cache
def _region_valid(code: str, year: int) -> bool:
    """Whether the code table used by the validation knows `code` for people born in `year` (no warning)."""
    return idnumber.region_known(idnumber.compose(code, datetime.date(year, 1, 1), 1))


def _person_name(rng, female: bool, birth_year: int) -> str:
    surname = rng.choices(SURNAME_POP, cum_weights=SURNAME_CUM)[0]
    sex = "female" if female else "male"
    if rng.random() < 0.25:
        given = rng.choice(GIVEN_FIRST[sex]) + rng.choice(GIVEN_SECOND[sex])
    else:
        male, fem = next(((m, f) for upper, m, f in GIVEN_SPLIT if birth_year <= upper), GIVEN_SPLIT[-1][1:])
        given = rng.choice(fem if female else male)
    return surname + given


@dataclass
class MemberRow:
    """One generated member, by codes: `org` and `home_area` are codes, `id_number` and `phone` in the clear."""

    id: int
    name: str
    sex: str
    ethnicity: str
    id_number: str
    birth_date: datetime.date
    education: str
    member_type: str
    joined_on: datetime.date
    confirmed_on: datetime.date | None
    category: str
    org: str
    home_area: str | None
    phone: str
    work_unit: str
    registration: tuple | None = None  # (community code, registered on, posts of interest, skills)
    moved_in: tuple | None = None  # (transferred in on, from where): joined the party elsewhere (member_events)
    work_status: str = "other"  # the category is derived from it (and 流动 from the outflow written for the member)


# the seeds' categories as work statuses: 流动党员 away from home mostly work there; 居民 is none of the four
WORK_STATUS_OF = {"employed": "employed", "retired": "retired", "veteran_retired": "veteran_retired",
                  "unemployed": "unemployed", "mobile": "employed", "resident": "other"}  # fmt: skip
OUTFLOW_DESTINATIONS = ["广东省深圳市南山区", "上海市浦东新区", "江苏省苏州市工业园区", "北京市海淀区",
                        "浙江省杭州市滨江区"]  # fmt: skip
OUTFLOW_COLUMNS = ("created", "last_updated", "member_id", "left_on", "destination", "destination_org", "contact",
                   "last_contact_on", "mobile_card_number", "lost_contact_since", "ended_on", "end_reason",
                   "incomplete")  # fmt: skip


HOLDER_WEIGHTS = {"joint_branch": 0.4, "mobile_branch": 0.6}  # the city: of a community branch's members
UNIT_WEIGHT = 1.8  # the city: a unit's branch holds this many times a community branch's members on average
JOINT_SMALL = (4, 15, 6)  # members of a small joint branch: low, high, mode (triangular)
JOINT_SMALL_SHARE = 0.25  # in the city, the share of joint branches that are small
JOINT_PATTERN = (4, 11, 8, 5, 14, 9)  # small and medium: the members of the joint branches in turn (+0..1)


@dataclass
class _Holder:
    spec: Spec
    count: int


class _MemberMaker:
    """Makes the members of one branch after another; keeps what must be unique across the city."""

    def __init__(self, size: str, seed: int, area_roots, today: datetime.date):
        self.size, self.seed = size, seed
        self.today = today
        self.ref = min(REFERENCE_DAY, today)
        self.used_ids: set[int] = set()
        self.rng_units = random.Random(f"units:{size}:{seed}")
        self.areas_of: dict[str, dict[str, list[str]]] = {}  # community code → {area type: [area codes]}
        self.streets: dict[str, list[str]] = {}  # street code → community codes
        self.districts: dict[str, list[str]] = {}  # district code → community codes
        for spec in _walk(area_roots):
            if spec.type == "subdistrict":
                self.streets[spec.code] = [c.code for c in spec.children if c.type == "community"]
                self.districts.setdefault(spec.code[:6], []).extend(self.streets[spec.code])
            elif spec.type == "community":
                by_type = self.areas_of[spec.code] = {}
                for a in _walk([spec]):
                    by_type.setdefault(a.type, []).append(a.code)
        self.units: dict[int, list[str]] = {}

    def _unit_pool(self, district: int) -> list[str]:
        pool = self.units.get(district)
        if pool is None:
            rng = self.rng_units
            dname = DISTRICT_NAMES[district % len(DISTRICT_NAMES)]
            pool = []
            for _ in range(60):
                t = rng.choice(UNIT_TEMPLATES)
                pool.append(
                    t.format(
                        city=CITY_NAME,
                        district=CITY_NAME + dname,
                        p=rng.choice(PLACE_WORDS) + rng.choice(PLACE_WORDS),
                        i=rng.choice(INDUSTRIES),
                        o=rng.choice(OFFICES),
                        n=rng.randint(1, 60),
                        b=rng.choice(BANKS),
                    )
                )
            pool = self.units[district] = pool
        return pool

    def _area_in(self, rng, community: str) -> str:
        areas = self.areas_of[community]
        r = rng.random()
        want = "building" if r < 0.55 else "estate" if r < 0.75 else "grid" if r < 0.9 else "community"
        return rng.choice(areas.get(want) or areas["community"])

    def _id_number(self, rng, district: int, birth: datetime.date, female: bool, foreign: float) -> str:
        r = rng.random()
        if r < foreign:
            prefs = (rng.choice(OTHER_REGIONS),)
        elif r < foreign + 0.12:
            prefs = DISTRICT_REGIONS[rng.randrange(len(DISTRICT_REGIONS))]
        else:
            prefs = DISTRICT_REGIONS[district % len(DISTRICT_REGIONS)]
        region = next((c for c in (*prefs, "120101") if _region_valid(c, birth.year)), "120101")
        head = f"{region}{birth:%Y%m%d}"
        n = rng.randrange(500) * 2 + (0 if female else 1)
        for _ in range(500):
            key = int(f"{head}{n:03d}")
            if key not in self.used_ids:
                break
            n = (n + 2) % 1000
        else:
            raise RuntimeError(f"no free sequence number for {head}")
        self.used_ids.add(key)
        body = f"{head}{n:03d}"
        return body + idnumber.check_digit(body)

    def _name(self, rng, female: bool, birth_year: int) -> str:
        return _person_name(rng, female, birth_year)

    def members(self, holder: _Holder, first_id: int) -> list[MemberRow]:
        spec = holder.spec
        rng = random.Random(f"members:{self.size}:{self.seed}:{spec.code}")
        ref, today = self.ref, self.today
        rows = []
        joint = spec.type == "joint_branch"
        mobile_branch = spec.type == "mobile_branch"
        unit = bool(spec.unit)  # a unit's org: its members work there and live in the district's communities
        units = [spec.unit] if unit else self._unit_pool(spec.district)
        if joint:
            units = rng.sample(units, rng.randint(2, 5))
        for i in range(holder.count):
            probationary = rng.random() < PROBATIONARY_SHARE
            if joint or unit:
                category = "employed"
            elif mobile_branch:
                category = "mobile"
            elif probationary:
                category = rng.choices(PROB_CAT_POP, cum_weights=PROB_CAT_CUM)[0]
            else:
                category = rng.choices(FULL_CAT_POP, cum_weights=FULL_CAT_CUM)[0]
            if probationary:
                age = int(rng.triangular(20, 42, 27))
            else:
                low, high, mode = AGES[category]
                age = max(21, int(rng.triangular(low, high + 1, mode)))
            birth = add_years(ref, -age) - datetime.timedelta(days=rng.randrange(365))
            female_p = 0.12 if category == "veteran_retired" else next(p for upper, p in FEMALE_BY_AGE if age <= upper)
            female = rng.random() < female_p
            if probationary:
                joined = today - datetime.timedelta(days=rng.randint(20, 350))
                confirmed = None
            else:
                low, high, mode = JOIN_AGES[category]
                high = max(low + 1, min(high, age - 2))
                join_age = int(rng.triangular(low, high, min(max(mode, low), high)))
                joined = add_years(birth, join_age) + datetime.timedelta(days=rng.randrange(300))
                latest = ref - datetime.timedelta(days=380)
                if joined > latest:
                    joined = latest - datetime.timedelta(days=rng.randrange(60))
                confirmed = min(add_months(joined, 12) + datetime.timedelta(days=rng.randrange(45)), ref)
            band = age + (15 if category in ("mobile", "unemployed") else 0)
            edu_cum = next(cum for upper, cum in EDU_CUM if band <= upper)
            education = rng.choices(EDUCATIONS, cum_weights=edu_cum)[0]
            ethnicity = "汉族"
            if rng.random() < MINORITY_SHARE:
                ethnicity = rng.choices(MINORITY_POP, cum_weights=MINORITY_CUM)[0]
            foreign = 0.6 if category == "mobile" else 0.08
            id_number = self._id_number(rng, spec.district, birth, female, foreign)
            phone = ""
            if rng.random() < PHONE_SHARE[category]:
                if age > 75 and rng.random() < 0.4:
                    phone = f"022-{rng.randint(2000, 8999)}{rng.randrange(10000):04d}"
                else:
                    phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(100_000_000):08d}"
            work_unit = ""
            if category == "employed":
                work_unit = rng.choice(units)
            elif category == "resident" and rng.random() < 0.2:
                work_unit = "个体工商户"
            home = None
            registration = None
            if unit:
                near = rng.random() < UNIT_HOME_STREET
                where = rng.choice(self.streets[spec.street] if near else self.districts[spec.street[:6]])
                home = self._area_in(rng, where)
                if not probationary and rng.random() < REGISTRATION_SHARE:
                    start = max(joined, datetime.date(2015, 1, 1))
                    on = start + datetime.timedelta(days=rng.randint(0, max(0, (ref - start).days)))
                    registration = (where, on, rng.choice(POSTS), rng.choice(SKILLS))
            elif spec.community and rng.random() < HOME_SHARE.get(category, 0.72):
                home = self._area_in(rng, spec.community)
            elif joint and rng.random() < 0.5:
                home = self._area_in(rng, rng.choice(self.streets[spec.street]))
            rows.append(
                MemberRow(
                    id=first_id + i,
                    name=self._name(rng, female, birth.year),
                    sex="female" if female else "male",
                    ethnicity=ethnicity,
                    id_number=id_number,
                    birth_date=birth,
                    education=education,
                    member_type="probationary" if probationary else "full",
                    joined_on=joined,
                    confirmed_on=confirmed,
                    category=category,
                    org=spec.code,
                    home_area=home,
                    phone=phone,
                    work_unit=work_unit,
                    registration=registration,
                    work_status=WORK_STATUS_OF[category],
                )
            )
        self._recently_confirmed(spec, rows)
        self._moved_in(spec, rows)
        return rows

    def _moved_in(self, spec: Spec, rows: list[MemberRow]):
        """A few full members who joined the party elsewhere and were transferred in (their ledger starts there),
        from a stream of their own so that every other member stays as before."""
        rng = random.Random(f"moved-in:{self.size}:{self.seed}:{spec.code}")
        if not rows or rng.random() >= MOVED_IN_SHARE:
            return
        m = rows[rng.randrange(len(rows))]
        latest = self.ref - datetime.timedelta(days=30)
        if m.member_type != "full" or m.confirmed_on >= latest:
            return
        on = m.confirmed_on + datetime.timedelta(days=rng.randint(1, (latest - m.confirmed_on).days))
        m.moved_in = (on, rng.choice(MOVED_FROM))

    def _recently_confirmed(self, spec: Spec, rows: list[MemberRow]):
        """Members who joined one to two years before `today` and are full members by now (as many as a year's
        recruits): from a stream of their own, so that every other member stays exactly as before."""
        rng = random.Random(f"recent:{self.size}:{self.seed}:{spec.code}")
        today = self.today
        k = int(len(rows) * RECENT_SHARE + rng.random())  # RECENT_SHARE of them on average; O(k), not O(rows)
        for i in sorted(rng.sample(range(len(rows)), k)):
            m = rows[i]
            if m.member_type != "full" or m.registration:
                continue
            joined = today - datetime.timedelta(days=rng.randint(380, 700))
            if (joined - m.birth_date).days < 365.25 * 21:
                continue
            m.joined_on = joined
            m.confirmed_on = min(add_months(joined, 12) + datetime.timedelta(days=rng.randrange(30)), today)


def _holders(size: str, seed: int, org_roots) -> list[_Holder]:
    """The orgs that hold members, in path order, with how many each holds."""
    cfg = SIZES[size]
    specs = [s for s in _walk(org_roots) if s.type in HOLDER_TYPES]
    rng = random.Random(f"counts:{size}:{seed}")
    # joint branches gather the few members of small units: some have fewer than 7 full members (no committee);
    # their sizes come from a stream of their own, so that the other branches keep theirs
    jrng = random.Random(f"joint-counts:{size}:{seed}")
    urng = random.Random(f"unit-counts:{size}:{seed}")  # the units' branches: a stream of their own too
    if cfg.total_members is None:
        low, mode, high = cfg.members
        holders, joint = [], 0
        for s in specs:
            if s.type == "joint_branch" and not cfg.comprehensive_branches:
                # a fixed pattern, so that even the small city has a joint branch under 7 members
                holders.append(_Holder(s, JOINT_PATTERN[joint % len(JOINT_PATTERN)] + jrng.randint(0, 1)))
                joint += 1
            elif s.unit:
                ulow, umode, uhigh = cfg.unit_members
                holders.append(_Holder(s, min(uhigh, max(ulow, round(urng.triangular(ulow, uhigh, umode))))))
            else:
                holders.append(_Holder(s, min(high, max(low, round(rng.triangular(low, high, mode))))))
        return holders
    # share the total out: units' branches weigh most (≈ 30 % of the members), then community branches, joint and
    # mobile branches less
    weights = []
    for s in specs:
        w = rng.triangular(40, 170, 90)
        weights.append(w * (UNIT_WEIGHT if s.unit else HOLDER_WEIGHTS.get(s.type, 1.0)))
    fixed = {
        i: round(jrng.triangular(*JOINT_SMALL))
        for i, s in enumerate(specs)
        if s.type == "joint_branch" and jrng.random() < JOINT_SMALL_SHARE
    }
    total = cfg.total_members - sum(fixed.values())
    scale = total / sum(w for i, w in enumerate(weights) if i not in fixed)
    counts = [fixed[i] if i in fixed else int(w * scale) for i, w in enumerate(weights)]
    rest = sorted((i for i in range(len(specs)) if i not in fixed), key=lambda i: (counts[i] - weights[i] * scale, i))
    for i in rest[: cfg.total_members - sum(counts)]:
        counts[i] += 1
    return [_Holder(s, n) for s, n in zip(specs, counts, strict=True)]


def member_rows(
    size: str = "small", seed: int = 2026, *, today: datetime.date | None = None, first_id: int = 1, specs=None
) -> Iterator[list[MemberRow]]:
    """The members of the synthetic city, one list per branch, ids counting from `first_id` (no database)."""
    area_roots, org_roots = specs or build_specs(size, seed)
    maker = _MemberMaker(size, seed, area_roots, today or dates.today())
    next_id = first_id
    for holder in _holders(size, seed, org_roots):
        rows = maker.members(holder, next_id)
        next_id += len(rows)
        yield rows


@cache
def _pinyin(name: str) -> tuple[str, str]:
    """(pinyin, initials) as `Member.save()` computes them, once per name (the model's own cache is bounded)."""
    return name_pinyin(name)


def _blind_indexer() -> Callable[[str], str]:
    """`pii.blind_index`, without its per-call lookups."""
    key = _index_key()

    def index(value: str) -> str:
        return base64.b32encode(hmac.digest(key, value.encode(), hashlib.sha256)).decode().rstrip("=").lower()

    return index


# ------------------------------------------------------------------------------------------------ leadership
# Terms, leadership teams, elections and residents' committees: mostly as the rulebook wants them, with a few
# deviations of each kind so that the 组织体检 checks have something to find. Quotas (not coin flips) give the
# deviations, so that even the small city has at least one of each.

TERM_EXPIRED_SHARE = 0.03  # terms ended (by the regular end) before the day of generation
TERM_EXPIRING_SHARE = 0.075  # terms ending within the reminder period (6 months)
TERM_EXTENDED_SHARE = 0.3  # of the expired terms: postponed with the superior's approval (≤ 12 months)
JOINT_OVER_SHARE = 0.25  # joint branches covering more than 5 units
NO_COMMITTEE_SHARE = 0.03  # branches with ≥7 full members but no committee
SMALL_COMMITTEE_SHARE = 0.3  # branches with fewer than 7 full members that have a committee all the same
YOUNG_SECRETARY_SHARE = 0.03  # branch secretaries with under a year of party age
ELECTION_SHARE = 0.4  # orgs whose last general election is recorded, with its candidates
ONE_SHOULDER_SHARE = 0.7  # communities whose party secretary chairs the residents' committee (一肩挑)
SHORTLIST = 12  # candidates for posts kept per org while the members stream past
PORTFOLIOS = ("organization", "discipline", "propaganda", "youth", "women", "united_front")
HIGHER_EDUCATION = ("postgraduate", "bachelor", "associate")  # 大专及以上
# residents' committee members who are not party members: education weights in the order of EDUCATIONS
RESIDENT_EDUCATION = (2, 18, 28, 20, 22, 10)


def _share(n: int, share: float) -> int:
    """How many of `n` make `share`: rounded half up, at least one when there are any."""
    return min(n, max(1, int(share * n + 0.5))) if n else 0


def _pick(rng: random.Random, items: list, n: int) -> list:
    """`n` of `items` at random, in the order of `items` (deterministic for the rng's seed)."""
    chosen = set(rng.sample(range(len(items)), min(n, len(items))))
    return [x for i, x in enumerate(items) if i in chosen]


@dataclass
class OrgTerm:
    """What the org rows get besides the tree: the current term, a postponement, the units of a joint branch."""

    started_on: datetime.date | None = None
    extended_to: datetime.date | None = None
    approval: str = ""
    units_covered: int | None = None


def _parents(org_roots) -> dict[str, Spec]:
    return {c.code: s for s in _walk(org_roots) for c in s.children}


def org_terms(size: str, seed: int, specs, today: datetime.date) -> dict[str, OrgTerm]:
    """The term of every org with one (orgs.choices.TERM_TYPES), by code: most current, ~7.5 % ending within the
    reminder period, ~3 % ended (some of those postponed with approval). Term lengths are the rulebook's
    (orgs.terms), so an org's regular end is exactly where the checks will put it."""

    _area_roots, org_roots = specs
    parents = _parents(org_roots)
    sectors = org_sectors(specs)
    term_specs = [s for s in _walk(org_roots) if s.type in TERM_TYPES]
    rng = random.Random(f"terms:{size}:{seed}")
    order = list(range(len(term_specs)))
    rng.shuffle(order)
    n_expired = _share(len(order), TERM_EXPIRED_SHARE)
    n_expiring = _share(len(order), TERM_EXPIRING_SHARE)
    kind = {}
    for rank, i in enumerate(order):
        kind[i] = "expired" if rank < n_expired else "expiring" if rank < n_expired + n_expiring else "current"
    expired = [i for i in range(len(term_specs)) if kind[i] == "expired"]
    extended = set(_pick(rng, expired, _share(len(expired), TERM_EXTENDED_SHARE) if len(expired) > 1 else 0))
    joints = [s.code for s in term_specs if s.type == "joint_branch"]
    over = set(_pick(rng, joints, _share(len(joints), JOINT_OVER_SHARE)))
    reminder_from = add_months(today, 6)  # a term ending before this day is within the reminder period
    out = {}
    for i, s in enumerate(term_specs):
        r = random.Random(f"term:{size}:{seed}:{s.code}")
        probe = Org(type=s.type, sector=sectors[s.code], term_started_on=today)  # the term goes by the sector
        years = term_years(probe, today)
        span = (add_months(today, 12 * years) - today).days
        soon = (reminder_from - today).days
        if kind[i] == "expired":
            end = today - datetime.timedelta(days=r.randint(1, 300))
        elif kind[i] == "expiring":
            end = today + datetime.timedelta(days=r.randint(1, soon - 1))
        else:  # started at least a month ago, ending after the reminder period
            end = today + datetime.timedelta(days=r.randint(soon + 1, span - 30))
        term = out[s.code] = OrgTerm(started_on=add_months(end, -12 * years))
        if i in extended:
            probe.term_started_on = term.started_on
            regular_end = regular_term_end(probe, today)
            term.extended_to = add_months(regular_end, r.randint(6, 12)) - datetime.timedelta(days=1)
            approved = regular_end - datetime.timedelta(days=r.randint(20, 60))
            term.approval = (
                f"{parents[s.code].name}《关于同意{s.name}延期换届的批复》（{approved.year}年{approved.month}月"
                f"{approved.day}日）"
            )
        if s.type == "joint_branch":
            # the units its members work for (the same draw as _MemberMaker.members), or more than 5 of them
            units = random.Random(f"members:{size}:{seed}:{s.code}").randint(2, 5)
            term.units_covered = r.randint(6, 9) if s.code in over else units
    return out


@dataclass
class _Cand:
    """A full member as a candidate for a post."""

    id: int
    confirmed_on: datetime.date
    birth_date: datetime.date
    education: str


@dataclass
class _Unit:
    """A term org as the leadership sees it while the members stream past."""

    spec: Spec
    start: datetime.date | None
    full: int = 0  # full members of the org and below
    voters: int = 0  # of those, full members by the term's start (entitled to vote at the election)
    pool: list = None  # (key, _Cand): the best-placed candidates, confirmed by the term's start
    latest: _Cand | None = None  # the most recently confirmed full member (of a branch)

    def __post_init__(self):
        self.pool = []


@dataclass
class Leadership:
    """What `LeadershipMaker.finish()` makes, by codes and member ids (no database ids)."""

    positions: list  # (org code, member id, role, portfolio, started on, ended on, election index or None)
    elections: list  # (org code, held on, seats, eligible voters, voters present, approval)
    candidates: list  # (election index, member id, votes, elected)
    committees: list  # (area code, name, term started on)
    seats: list  # (committee index, role, member id or None, person name, birth date, education, started on)


class LeadershipMaker:
    """Fed the members of each branch as they are made (`add`), then makes the posts (`finish`)."""

    def __init__(self, size: str, seed: int, specs, terms: dict[str, datetime.date | None], today: datetime.date):
        self.size, self.seed, self.today = size, seed, today
        self.ref = min(REFERENCE_DAY, today)
        self.area_roots, org_roots = specs
        self.branch_types = {str(t) for t in BRANCH_TYPES}
        self.parents = _parents(org_roots)
        self.units: dict[str, _Unit] = {
            s.code: _Unit(s, terms.get(s.code)) for s in _walk(org_roots) if s.type in TERM_TYPES
        }
        # the term orgs a holder's members count for: itself and the term orgs above it
        self.chain: dict[str, list[_Unit]] = {}
        for s in _walk(org_roots):
            above = self.chain.get(self.parents[s.code].code, []) if s.code in self.parents else []
            self.chain[s.code] = above + ([self.units[s.code]] if s.code in self.units else [])

    def _weight(self, m) -> float:
        """How likely a member is put forward for a post: people in their forties (the seeds: 45.6 years)."""
        age = (self.ref - m.birth_date).days / 365.25
        w = max(0.03, 1 - abs(age - 46) / 20) if age <= 68 else 0.03
        # members in their forties mostly have 大专 or more (three in four); the seeds report 48 % of the cadres
        return w * (1.0 if m.education in HIGHER_EDUCATION else 2.5)

    def add(self, code: str, rows: list[MemberRow]):
        r = random.Random(f"lead:{self.size}:{self.seed}:{code}")
        full = [m for m in rows if m.member_type == "full"]
        # weighted sampling without replacement (key u ** (1 / w), the largest first) over a random subset: the
        # city has a million members, and a shortlist of a dozen needs no more
        some = full if len(full) <= 4 * SHORTLIST else r.sample(full, 4 * SHORTLIST)
        keyed = sorted(((r.random() ** (1 / self._weight(m)), m) for m in some), key=lambda km: (-km[0], km[1].id))
        for unit in self.chain.get(code, []):
            unit.full += len(full)
            if unit.start is None:
                continue
            start = unit.start
            unit.voters += sum(1 for m in full if m.confirmed_on <= start)
            ready = [(k, m) for k, m in keyed if m.confirmed_on <= start]
            # a parent takes fewer from each branch: it has several
            take = SHORTLIST if unit.spec.code == code else SHORTLIST // 2
            unit.pool += [(k, _Cand(m.id, m.confirmed_on, m.birth_date, m.education)) for k, m in ready[:take]]
        own = self.units.get(code)
        if own is not None and full:
            m = max(full, key=lambda m: (m.confirmed_on, m.id))
            own.latest = _Cand(m.id, m.confirmed_on, m.birth_date, m.education)

    def finish(self) -> Leadership:
        out = Leadership([], [], [], [], [])
        today = self.today
        rng = random.Random(f"leadership:{self.size}:{self.seed}")
        units = [u for u in self.units.values() if u.start is not None]
        branches = [u for u in units if u.spec.type in self.branch_types]
        big = [u.spec.code for u in branches if u.full >= 7]
        small = [u.spec.code for u in branches if 0 < u.full < 7]
        no_committee = set(_pick(rng, big, _share(len(big), NO_COMMITTEE_SHARE)))
        small_committee = set(_pick(rng, small, _share(len(small), SMALL_COMMITTEE_SHARE)))
        young_ok = [u.spec.code for u in branches if u.latest and add_months(u.latest.confirmed_on, 12) > today]
        young = set(_pick(rng, young_ok, min(len(young_ok), _share(len(branches), YOUNG_SECRETARY_SHARE))))
        secretaries: dict[str, tuple[int, datetime.date]] = {}  # org code → the current secretary, since
        held: dict[str, list[tuple[int, str]]] = {}  # org code → (member id, role) of the current posts
        taken: set[int] = set()  # secretaries of a branch are not also put up for its parent's secretary
        for unit in reversed(units):  # branches before the orgs above them
            code, start = unit.spec.code, unit.start
            r = random.Random(f"posts:{self.size}:{self.seed}:{code}")
            pool = [c for _k, c in sorted(unit.pool, key=lambda kc: (-kc[0], kc[1].id))]
            if unit.spec.type in self.branch_types:
                committee = (unit.full >= 7 and code not in no_committee) or code in small_committee
                size = (r.choice((3, 3, 4, 5, 5)) if unit.full >= 7 else 3) if committee else 1
                deputy = (size >= 4 and r.random() < 0.5) or (
                    size == 1 and code not in no_committee and r.random() < 0.15
                )
            else:  # a 党委 or 总支 over several branches: 5 to 7, with a deputy
                pool = [c for c in pool if c.id not in taken] or pool
                size, deputy = r.randint(5, 7), True
            if not pool and code not in young:
                continue  # no full member to hold a post (e.g. a comprehensive committee with nothing below)
            secretary = next((c for c in pool if add_months(c.confirmed_on, 12) <= start), pool[0] if pool else None)
            later = None  # a secretary who took over during the term
            if code in young:
                later = unit.latest
                since = min(today, max(start, later.confirmed_on + datetime.timedelta(days=r.randint(7, 40))))
                if secretary is None:  # nobody was a full member at the term's start: a secretary since then
                    start, pool = since, [later]
                if since == start or secretary is None or secretary.id == later.id:
                    secretary, later = later, None
            skip = {secretary.id, later.id if later else None}
            team = [secretary] + [c for c in pool if c.id not in skip]
            team = team[: size + (1 if deputy and size == 1 else 0)]
            roles = [("secretary", "")]
            if deputy:
                roles.append(("deputy_secretary", ""))
            roles += [("committee_member", p) for p in PORTFOLIOS]
            elected = list(zip(team, roles, strict=False))
            election = None
            skip |= {c.id for c in team}
            extras = [c for c in pool if c.id not in skip]
            n_extra = max(1, -(-len(elected) // 5))  # ≥ 20 % more candidates than seats
            if r.random() < ELECTION_SHARE and len(extras) >= n_extra and unit.voters >= len(elected) + n_extra:
                election = len(out.elections)
                voters = unit.voters
                present = min(voters, max(voters * 4 // 5 + 1, round(voters * r.uniform(0.85, 0.98))))
                parent = self.parents.get(code)
                out.elections.append((code, start, len(elected), voters, present, f"{parent.name}批复同意"))
                for c, _role in elected:
                    out.candidates.append((election, c.id, r.randint(present // 2 + 1, present), True))
                for c in extras[:n_extra]:
                    out.candidates.append((election, c.id, r.randint(0, present // 2), False))
            posts = held[code] = []
            for c, (role, portfolio) in elected:
                ended = None
                if later is not None and role == "secretary":
                    ended = since - datetime.timedelta(days=1)
                else:
                    posts.append((c.id, role))
                out.positions.append((code, c.id, role, portfolio, start, ended, election))
            if later is not None:
                out.positions.append((code, later.id, "secretary", "", since, None, None))
                posts.insert(0, (later.id, "secretary"))
            sid = posts[0][0] if posts and posts[0][1] == "secretary" else None
            if sid is not None:
                secretaries[code] = (sid, since if later is not None else start)
                taken.add(sid)
        self._residents_committees(out, secretaries, held)
        return out

    def _residents_committees(self, out: Leadership, secretaries, held):
        """One 居委会 per community: its chair is the community org's secretary in ~70 % of communities."""
        communities = [s for s in _walk(self.area_roots) if s.type == "community"]
        rng = random.Random(f"residents:{self.size}:{self.seed}")
        with_secretary = [s.code for s in communities if f"SQ{s.code}" in secretaries]
        one_shoulder = set(_pick(rng, with_secretary, _share(len(with_secretary), ONE_SHOULDER_SHARE)))
        for area in communities:
            unit = self.units.get(f"SQ{area.code}")
            if unit is not None and unit.start is not None:
                self._residents_committee(out, area, unit, secretaries, held, area.code in one_shoulder)

    def _residents_committee(self, out: Leadership, area: Spec, unit: _Unit, secretaries, held, one_shoulder: bool):
        org = unit.spec.code
        r = random.Random(f"residents:{self.size}:{self.seed}:{area.code}")
        start = min(self.today, unit.start + datetime.timedelta(days=r.randint(0, 45)))
        index = len(out.committees)
        out.committees.append((area.code, f"{area.name}居民委员会", start))
        used: set[int] = set()
        holders = [mid for mid, role in held.get(org, []) if role != "secretary"]  # 交叉任职 candidates
        plain = [c.id for _k, c in unit.pool if c.id not in {m for m, _r in held.get(org, [])}]

        def seat(role, member=None, since=start):
            if member is None:
                female = r.random() < 0.55
                age = int(r.triangular(28, 60, 42))
                birth = add_years(self.ref, -age) - datetime.timedelta(days=r.randrange(365))
                education = r.choices(EDUCATIONS, weights=RESIDENT_EDUCATION)[0]
                name = _person_name(r, female, birth.year)
                out.seats.append((index, role, None, name, birth, education, since))
            else:
                used.add(member)
                out.seats.append((index, role, member, "", None, "", since))

        def someone(cross: float, member: float):
            x = r.random()
            free = [m for m in holders if m not in used]
            if x < cross and free:
                return r.choice(free)
            free = [m for m in plain if m not in used]
            if x < cross + member and free:
                return r.choice(free)
            return None

        if one_shoulder:
            sid, since = secretaries[org]
            seat("chair", sid, max(start, since))
        else:
            seat("chair", someone(0.1, 0.3))
        for _ in range(r.randint(1, 2)):
            seat("vice_chair", someone(0.35, 0.15))
        for _ in range(r.randint(2, 4)):
            seat("member", someone(0.25, 0.15))


# --------------------------------------------------------------------------------------------------- writing

MEMBER_COLUMNS = (
    "id", "created", "last_updated", "name", "name_pinyin", "name_initials", "sex", "ethnicity", "id_number",
    "id_number_index", "birth_date", "education", "member_type", "joined_on", "confirmed_on", "category", "org_id",
    "home_area_id", "phone", "phone_index", "work_unit", "standing", "work_status", "id_number_suffix_index",
    "phone_suffix_index",
)  # fmt: skip
EVENT_COLUMNS = ("member_id", "kind", "date", "org_id", "note", "created", "created_by_id")
REGISTRATION_COLUMNS = (
    "created", "last_updated", "member_id", "community_id", "registered_on", "posts_of_interest", "skills", "active",
)  # fmt: skip


class _Writer:
    """Writes members in batches through the bulk writer (core.bulk; any database): the personal data encrypt on the
    way in, as the ORM would encrypt them."""

    def __init__(self, expected: int):
        self.expected = expected

    def write(self, members, registrations):
        """`members`: MEMBER_COLUMNS tuples; `registrations`: REGISTRATION_COLUMNS tuples (the ledger: write_ledger)."""
        insert_rows(Member, MEMBER_COLUMNS, members)
        insert_rows(Registration, REGISTRATION_COLUMNS, registrations)

    def close(self):
        """All members written (the ledger follows)."""

    def finish(self):
        """After the ledger: what the load put off."""

    def abort(self, exc):
        pass


class _CopyWriter(_Writer):
    """PostgreSQL: one COPY … FROM STDIN for all members (core.bulk's writer, fed batch by batch); personal data are
    encrypted here. For a large load (the city) the members' and ledger's secondary indexes and foreign keys are
    dropped first and rebuilt at the end, in the same transaction: one sort per index and one join per foreign key
    instead of a million random index insertions and deferred trigger checks."""

    BULK_FROM = 100_000
    DROPPING = (Member, MembershipEvent)  # members and their ledger

    def __init__(self, expected: int):
        super().__init__(expected)
        self.encrypt = encrypt
        self.registrations = []
        self.dropped: list[str] = []
        if expected >= self.BULK_FROM:
            self._drop_indexes()
        self.members = BulkWriter(Member, MEMBER_COLUMNS, convert=False)

    def _drop_indexes(self):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            # the trees just written have deferred foreign-key checks pending, which ALTER TABLE does not allow
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in (model._meta.db_table for model in self.DROPPING):
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY conname",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                    self.dropped.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
                cursor.execute(
                    "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                    "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
                    "ORDER BY i.relname",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'DROP INDEX "{name}"')
                    self.dropped.append(definition)

    def _encrypted(self, members):
        encrypt = self.encrypt
        for r in members:
            r = list(r)
            r[M_ID_NUMBER] = encrypt(r[M_ID_NUMBER])
            if r[M_PHONE]:
                r[M_PHONE] = encrypt(r[M_PHONE])
            yield r

    def write(self, members, registrations):
        self.members.write(self._encrypted(members))
        self.registrations += registrations

    def abort(self, exc):
        self.members.abort(exc)  # sends CopyFail

    def close(self):
        self.members.close()
        insert_rows(Registration, REGISTRATION_COLUMNS, self.registrations, convert=False)

    def finish(self):
        with connection.cursor() as cursor:
            for sql in self.dropped:  # indexes first, then the constraints (foreign keys use them)
                if not sql.startswith("ALTER"):
                    cursor.execute(sql)
            for sql in self.dropped:
                if sql.startswith("ALTER"):
                    cursor.execute(sql)
        reset_sequences(Member)


M_ID_NUMBER, M_PHONE = (MEMBER_COLUMNS.index(c) for c in ("id_number", "phone"))


def member_events(m: MemberRow, org_id: int, now) -> list[tuple]:
    """The ledger rows (EVENT_COLUMNS) of one generated member besides the "joined" row every member gets: the one
    place that says which membership events the synthetic members have. A kind of event added to the ledger gets
    its few members here (and the member fields it implies, e.g. a standing, in `_MemberMaker.members`); they are
    written by `write_ledger` with the rest."""
    out = []
    if m.moved_in:  # joined elsewhere: the ledger here starts with the transfer (write_ledger drops its "joined")
        on, origin = m.moved_in
        out.append((m.id, "transferred_in", on, org_id, f"由{origin}转入", now, None))
    return out


def write_ledger(first_id: int, now, events: list[tuple]) -> int:
    """Every membership-ledger row of the members generated from `first_id` on, written here and nowhere else: the
    "joined" row of each member (one INSERT … SELECT over the members just written: a million rows never pass
    through Python) but of those whose ledger here starts with a transfer in, and `events`, what `member_events`
    made member by member. A registration is no ledger row (it changes no count). Returns the rows written."""
    event, member = MembershipEvent._meta.db_table, Member._meta.db_table
    moved = sorted({e[0] for e in events if e[1] == "transferred_in"})
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{event}" (member_id, kind, date, org_id, note, created) '
            f"SELECT id, 'joined', joined_on, org_id, '', %s FROM \"{member}\" WHERE id >= %s ORDER BY id",
            [now, first_id],
        )
        joined = cursor.rowcount
        for i in range(0, len(moved), 500):  # a few hundred in the city: one statement, one scan
            chunk = moved[i : i + 500]
            cursor.execute(
                f'DELETE FROM "{event}" WHERE kind = %s AND member_id IN ({", ".join(["%s"] * len(chunk))})',
                ["joined", *chunk],
            )
            joined -= cursor.rowcount
    insert_rows(MembershipEvent, EVENT_COLUMNS, events)
    return joined + len(events)


def _write_members(size, seed, specs, *, today, progress, started, leader=None) -> tuple[int, int]:
    """All members of the city, their "joined" ledger events and their community registrations; each branch's
    members are shown to `leader` (a LeadershipMaker) on the way."""

    area_roots, org_roots = specs
    org_ids = dict(Org.objects.values_list("code", "pk"))
    area_ids = dict(Area.objects.values_list("code", "pk"))
    first_id = (Member.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    total = sum(h.count for h in _holders(size, seed, org_roots))
    writer = (_CopyWriter if is_streaming() else _Writer)(total)
    index = _blind_indexer()

    def suffix(phone):  # the search by a phone's last 4 digits (members.models.phone_suffix_index)
        text = phone_suffix_text(phone)
        return index(text) if text else ""

    now = timezone.now()
    members, registrations, events = [], [], []
    outflows: list[tuple] = []
    done = n_regs = 0
    last_report = time.monotonic()

    def flush():
        nonlocal last_report
        writer.write(members, registrations)
        members.clear()
        registrations.clear()
        if progress and (time.monotonic() - last_report > 5 or done == total):
            last_report = time.monotonic()
            progress("members", done, total, last_report - started)

    try:
        for rows in member_rows(size, seed, today=today, first_id=first_id, specs=specs):
            if leader is not None and rows:
                leader.add(rows[0].org, rows)
            for m in rows:
                pinyin, initials = _pinyin(m.name)
                org_id = org_ids[m.org]
                members.append(
                    (m.id, now, now, m.name, pinyin, initials, m.sex, m.ethnicity, m.id_number, index(m.id_number),
                     m.birth_date, m.education, m.member_type, m.joined_on, m.confirmed_on, m.category,
                     org_id, area_ids[m.home_area] if m.home_area else None, m.phone,
                     index(m.phone) if m.phone else "", m.work_unit, "active", m.work_status,
                     index(id_number_suffix_text(m.id_number)), suffix(m.phone))
                )  # fmt: skip
                if m.category == "mobile":  # 流动 is an open outflow: each gets one, where and since when
                    outflows.append(_outflow_row(m, today, now))
                if m.registration:
                    community, on, posts, skills = m.registration
                    registrations.append((now, now, m.id, area_ids[community], on, posts, skills, True))
                    n_regs += 1
                events += member_events(m, org_id, now)
            done += len(rows)
            if len(members) >= 20_000:
                flush()
        flush()
    except BaseException as exc:
        writer.abort(exc)  # end a COPY in progress, so that the transaction can roll back
        raise
    writer.close()
    if progress and isinstance(writer, _CopyWriter):
        progress("ledger", done, total, time.monotonic() - started)
    write_ledger(first_id, now, events)
    writer.finish()
    insert_rows(Outflow, OUTFLOW_COLUMNS, outflows)
    return done, n_regs


def _outflow_row(m: MemberRow, today: datetime.date, now) -> tuple:
    rng = random.Random(f"outflow:{m.id_number}")
    left = max(m.joined_on, today - datetime.timedelta(days=rng.randint(200, 1500)))
    last = min(today, left + datetime.timedelta(days=rng.randint(30, 700)))
    return (now, now, m.id, left, rng.choice(OUTFLOW_DESTINATIONS), "", "", last, "", None, None, "", False)


def _leadership_columns():
    return {
        Election: ("id", "created", "last_updated", "org_id", "kind", "held_on", "seats", "eligible_voters",
                   "voters_basis", "voters_present", "approval", "note"),
        Candidate: ("created", "last_updated", "election_id", "member_id", "votes", "elected"),
        Position: ("created", "last_updated", "org_id", "member_id", "role", "portfolio", "started_on", "ended_on",
                   "election_id"),
        ResidentsCommittee: ("id", "created", "last_updated", "area_id", "name", "term_started_on"),
        ResidentsSeat: ("created", "last_updated", "committee_id", "role", "member_id", "person_name", "birth_date",
                        "education", "started_on", "ended_on"),
    }  # fmt: skip


def _write_leadership(made: Leadership) -> dict:
    """Positions, elections with their candidates, residents' committees with their seats (no change-log rows)."""

    columns = _leadership_columns()
    now = timezone.now()
    org_ids = dict(Org.objects.values_list("code", "pk"))
    area_ids = dict(Area.objects.filter(type="community").values_list("code", "pk"))
    first_election = (Election.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    first_committee = (ResidentsCommittee.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    insert_rows(Election, columns[Election], [
        # the members' assembly: `voters` is counted as the service counts it (members.standing.voters on the day;
        # no member is suspended or under 留党察看 yet when the elections are made)
        (first_election + i, now, now, org_ids[code], "regular", held, seats, voters, "roll", present, approval, "")
        for i, (code, held, seats, voters, present, approval) in enumerate(made.elections)
    ])  # fmt: skip
    insert_rows(Candidate, columns[Candidate], [
        (now, now, first_election + e, member, votes, elected) for e, member, votes, elected in made.candidates
    ])  # fmt: skip
    insert_rows(Position, columns[Position], [
        (now, now, org_ids[code], member, role, portfolio, started, ended, None if e is None else first_election + e)
        for code, member, role, portfolio, started, ended, e in made.positions
    ])  # fmt: skip
    insert_rows(ResidentsCommittee, columns[ResidentsCommittee], [
        (first_committee + i, now, now, area_ids[code], name, started)
        for i, (code, name, started) in enumerate(made.committees)
    ])  # fmt: skip
    insert_rows(ResidentsSeat, columns[ResidentsSeat], [
        (now, now, first_committee + c, role, member, name, birth, education, started, None)
        for c, role, member, name, birth, education, started in made.seats
    ])  # fmt: skip
    reset_sequences(Election, ResidentsCommittee)  # ids given above
    return {
        "positions": len(made.positions),
        "elections": len(made.elections),
        "residents_committees": len(made.committees),
    }


def _analyze(progress, started):
    """Fresh planner statistics after a bulk load (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return
    if progress:
        progress("analyze", 0, 0, time.monotonic() - started)

    with connection.cursor() as cursor:
        for model in (Area, Org, Member, MembershipEvent, Registration, *_leadership_columns()):
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


@transaction.atomic
def generate(
    size: str = "small",
    seed: int = 2026,
    stdout=None,
    *,
    today: datetime.date | None = None,
    progress: Callable[[str, int, int, float], None] | None = None,
) -> dict:
    """Load the synthetic city once; a second call with the same data present changes nothing.

    `progress(stage, done, total, seconds)` is called now and then during the long stages: "orgs" (trees
    written), "members" (done of total), "ledger" (ledger events, indexes and constraints), "analyze".
    """

    started = time.monotonic()
    specs = area_roots, org_roots = build_specs(size, seed)
    today = today or dates.today()

    if Org.objects.filter(code=FIRST_DISTRICT_ORG).exists():
        result = {"created": False, "areas": Area.objects.count(), "orgs": Org.objects.count()}
        # a database loaded before the synthetic city had members gets them, once
        holder_codes = [s.code for s in _walk(org_roots) if s.type in HOLDER_TYPES]
        if not Member.objects.exists() and _tree_matches(holder_codes):
            leader = _leadership_maker(size, seed, specs, today)
            members, regs = _write_members(
                size, seed, specs, today=today, progress=progress, started=started, leader=leader
            )
            result.update(_write_leadership(leader.finish()))
            _analyze(progress, started)
            result.update(members_added=True, members=members, registrations=regs)
        if _tree_matches(holder_codes):  # a city loaded before the units app gets its units, once
            result.update(_units(size, seed, specs, today))
            result.update(generate_volunteers(size, seed, today))  # … and its volunteer service
            result.update(generate_services(size, seed, today))  # … and its service to residents
            result.update(demo_round(size, today))
        result.setdefault("members", Member.objects.count())
        result["seconds"] = round(time.monotonic() - started, 2)
        return result
    areas = _flatten(Area, area_roots, lambda s: Area(code=s.code, name=s.name, type=s.type))
    Area.objects.bulk_create(areas, batch_size=2000)
    area_ids = dict(Area.objects.values_list("code", "pk"))
    sectors, approvals = org_sectors(specs), org_approvals(specs)
    orgs = _flatten(
        Org,
        org_roots,
        lambda s: Org(
            code=s.code,
            name=s.name,
            type=s.type,
            sector=sectors[s.code],
            approves_members=approvals[s.code],
            area_id=area_ids.get(s.area_code),
        ),
    )
    rng = random.Random(f"dates:{size}:{seed}")
    terms = org_terms(size, seed, specs, today)
    for org in orgs:
        org.founded_on = datetime.date(rng.randint(1985, 2015), rng.randint(1, 12), rng.randint(1, 28))
        term = terms.get(org.code)
        if term is not None:
            org.term_started_on, org.term_extended_to = term.started_on, term.extended_to
            org.term_extension_approval, org.units_covered = term.approval, term.units_covered
    Org.objects.bulk_create(orgs, batch_size=2000)
    links = _write_guidance(specs, today)
    if progress:
        progress("orgs", len(orgs), len(orgs), time.monotonic() - started)
    leader = _leadership_maker(size, seed, specs, today)
    members, regs = _write_members(size, seed, specs, today=today, progress=progress, started=started, leader=leader)
    leadership = _write_leadership(leader.finish())
    ledger = _ledger_examples(today)
    units = _units(size, seed, specs, today)
    volunteers = generate_volunteers(size, seed, today)
    volunteers.update(generate_services(size, seed, today))
    volunteers.update(demo_round(size, today))
    _analyze(progress, started)
    return {
        "created": True,
        "ledger_examples": ledger,
        "areas": len(areas),
        "orgs": len(orgs),
        "guidance_links": links,
        "members": members,
        "registrations": regs,
        **leadership,
        **units,
        **volunteers,
        "seconds": round(time.monotonic() - started, 2),
    }


# A few members with each kind of the count ledger that has a service (members.standing): suspended, one of
# them restored, died, each way out of the party; and one 留党察看 (a dated state, no count change). Days before
# `today`; the members are the first full members of the first community org, so the same city gets the same.
LEDGER_EXAMPLES = (
    ("suspend", None, 400),
    ("suspend", None, 300),
    ("restore", None, 30),  # the second of the suspended
    ("end", EventKind.DIED, 200),
    *(("end", kind, 150) for kind in EXIT_KINDS),
    ("discipline", None, 100),
)


def _ledger_examples(today: datetime.date) -> int:
    """Through the services (the standing, the ledger row and the dated state agree as they do in use), as the
    system (no acting user); returns the ledger rows written."""
    first = Org.objects.filter(sector=Sector.COMMUNITY).order_by("path").first()
    if first is None:
        return 0
    oldest = today - datetime.timedelta(days=max(days for _a, _k, days in LEDGER_EXAMPLES) + 1)
    pool = list(
        Member.objects.filter(
            org__path__startswith=first.path,
            standing=Standing.ACTIVE,
            member_type=MemberType.FULL,
            joined_on__lt=oldest,
        ).order_by("pk")[: len(LEDGER_EXAMPLES)]
    )
    before = MembershipEvent.objects.count()
    suspended = []
    for (action, kind, days), member in zip(LEDGER_EXAMPLES, pool, strict=False):
        on = today - datetime.timedelta(days=days)
        if action == "suspend":
            standing.do_suspend(member, acting_user=None, date=on, decision_number="示例〔停〕号")
            suspended.append(member)
        elif action == "restore" and suspended:
            standing.do_restore(suspended[-1], acting_user=None, date=on, decision_number="示例〔恢〕号")
        elif action == "end":
            standing.do_end_membership(member, acting_user=None, kind=kind, date=on, decision_number="示例〔处〕号")
        elif action == "discipline":
            standing.do_probation_discipline(member, acting_user=None, starts_on=on, years=1)
    return MembershipEvent.objects.count() - before


GUIDANCE_COLUMNS = ("created", "last_updated", "guide_id", "org_id", "kind", "started_on", "note")


def _write_guidance(specs, today: datetime.date) -> int:
    """The 属地管理 links of `guidance_links` (no change-log rows, like the rest of the seed data)."""
    org_ids = dict(Org.objects.values_list("code", "pk"))
    now = timezone.now()
    rows = []
    for guide, org in guidance_links(specs):
        started = add_years(today, -random.Random(f"guidance:{org}").randint(1, 6))
        rows.append((now, now, org_ids[guide], org_ids[org], GuidanceKind.TERRITORIAL, started, ""))
    insert_rows(GuidanceLink, GUIDANCE_COLUMNS, rows)
    return len(rows)


def _units(size, seed, specs, today) -> dict:
    """The units, their coverage and co-building records (demo.units: it builds on this module's trees)."""
    from sqdj.demo.units import generate_units

    return generate_units(size, seed, specs, today)


def _leadership_maker(size, seed, specs, today) -> LeadershipMaker:
    """A LeadershipMaker for the terms the orgs in the database have (written just now, or earlier)."""
    terms = dict(Org.objects.filter(type__in=sorted(TERM_TYPES)).values_list("code", "term_started_on"))
    return LeadershipMaker(size, seed, specs, terms, today)


def _tree_matches(holder_codes: list[str]) -> bool:
    """The branches in the database are exactly this size's (so that its members can be added)."""
    if Org.objects.filter(type__in=HOLDER_TYPES).count() != len(holder_codes):
        return False
    present = 0
    for i in range(0, len(holder_codes), 500):
        present += Org.objects.filter(code__in=holder_codes[i : i + 500]).count()
    return present == len(holder_codes)
