"""A deterministic synthetic city for demos, tests and benchmarks (`sqdj generate`, `sqdj demo`).

The same size and seed always give the same trees, codes and names. Nodes are written in bulk with
their materialized paths computed here (as treebeard's own bulk loader does), so even the larger
sizes load in seconds; generated seed data writes no change-log rows.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

SIZES = {
    # districts, subdistricts per district, communities per subdistrict, branches per community
    "small": (1, 3, 4, 3),
    "medium": (3, 6, 8, 6),
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
PLACE_WORDS = list("安康和平新华兴隆长青春阳光明德惠民丰泽金湖银河朝阳东升文昌广福润泰锦绣紫荆翠柳桂馨")
STREET_SUFFIX = "街道"
COMMUNITY_SUFFIX = "社区"
ESTATE_WORDS = ["花园", "家园", "里", "新村", "苑", "公寓", "小区", "雅居"]
BRANCH_KINDS = [
    "第一党支部",
    "第二党支部",
    "第三党支部",
    "第四党支部",
    "第五党支部",
    "第六党支部",
    "第七党支部",
    "第八党支部",
]
CITY_CODE = "1200"


@dataclass
class Spec:
    code: str
    name: str
    type: str
    children: list
    area_code: str | None = None

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
    n_districts, n_streets, n_communities, n_branches = SIZES[size]
    rng = random.Random(f"{size}:{seed}")
    used: set[str] = set()
    area_roots, org_roots = [], []
    for d in range(n_districts):
        dcode = f"{CITY_CODE}{d + 1:02d}"
        dname = DISTRICT_NAMES[d % len(DISTRICT_NAMES)]
        district = Spec(dcode, dname, "district", [])
        area_roots.append(district)
        dorg = Spec(f"DW{dcode}", f"中共{dname}委员会", "district_committee", [], dcode)
        org_roots.append(dorg)
        for s in range(n_streets):
            scode = f"{dcode}{s + 1:03d}"
            sname = _place(rng, used, STREET_SUFFIX)
            street = district.add(Spec(scode, sname, "subdistrict", []))
            sorg = dorg.add(Spec(f"GW{scode}", f"中共{dname}{sname}工作委员会", "subdistrict_committee", [], scode))
            sorg.add(Spec(f"ZH{scode}", f"中共{dname}{sname}综合委员会", "comprehensive_committee", [], scode))
            for c in range(n_communities):
                ccode = f"{scode}{c + 1:03d}"
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
                corg = sorg.add(Spec(f"SQ{ccode}", f"中共{sname}{cname}{cword}", ctype, [], ccode))
                if ctype == "branch":
                    continue
                for b in range(branches):
                    borg = corg.add(
                        Spec(
                            f"ZB{ccode}-{b + 1:02d}",
                            f"中共{cname}{BRANCH_KINDS[b % 8]}",
                            "branch",
                            [],
                            f"{ccode}{b % 2 + 1:02d}",
                        )
                    )
                    for g in range(rng.randint(1, 2)):
                        borg.add(
                            Spec(
                                f"XZ{ccode}-{b + 1:02d}-{g + 1}",
                                f"{cname}{BRANCH_KINDS[b % 8]}第{g + 1}党小组",
                                "group",
                                [],
                            )
                        )
    return area_roots, org_roots


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


@transaction.atomic
def generate(size: str = "small", seed: int = 2026, stdout=None) -> dict:
    """Load the synthetic city once; a second call with the same data present changes nothing."""
    from sqdj.areas.models import Area
    from sqdj.orgs.models import Org

    area_roots, org_roots = build_specs(size, seed)
    if Org.objects.filter(code=org_roots[0].code).exists():
        return {"created": False, "areas": Area.objects.count(), "orgs": Org.objects.count()}
    areas = _flatten(Area, area_roots, lambda s: Area(code=s.code, name=s.name, type=s.type))
    Area.objects.bulk_create(areas, batch_size=2000)
    area_ids = dict(Area.objects.values_list("code", "pk"))
    orgs = _flatten(
        Org, org_roots, lambda s: Org(code=s.code, name=s.name, type=s.type, area_id=area_ids.get(s.area_code))
    )
    rng = random.Random(f"dates:{size}:{seed}")
    for org in orgs:
        org.founded_on = datetime.date(rng.randint(1985, 2015), rng.randint(1, 12), rng.randint(1, 28))
        org.term_started_on = datetime.date(rng.randint(2021, 2025), rng.choice([3, 6, 9]), 1)
    Org.objects.bulk_create(orgs, batch_size=2000)
    return {"created": True, "areas": len(areas), "orgs": len(orgs)}
