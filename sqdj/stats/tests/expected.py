"""The statistics of the world in conftest.py, counted by hand (whole objects, compared for equality)."""

from __future__ import annotations

NEWORGS_NONE = {"neworgs": 0, "neworgs_with_org": 0, "neworgs_3plus_members_without_org": 0}
# the additive key of the units app (interfaces.md §3): the world has no unit
UNITS_NONE = {
    "total": 0,
    "by_category": {"党政机关": 0, "事业单位": 0, "国有企业": 0, "非公有制企业": 0, "社会组织": 0, "其他": 0},
    "org_coverage": 0,
    "work_coverage": 0,
}

# the additive key of the services app (interfaces.md §3): the world has no work order
WORKORDERS_NONE = {"total": 0, "unplaced": 0, "responded_in_time": 0, "resolved": 0, "resolved_on_time": 0, "rated": 0,
                   "satisfied": 0}  # fmt: skip
# … and its residents' requests, wishes and households: none in the world either
REQUESTS_NONE = {"total": 0, "closed": 0, "closed_on_time": 0, "satisfied": 0, "rated": 0, "wishes_fulfilled": 0,
                 "households_helped": 0}  # fmt: skip


def volunteers(as_of: str, in_service: int, registered: int, here: int) -> dict:
    """The additive key of the volunteers app (issue 16): in-service members on the current roll and those
    registered (报到) on `as_of` (the unit side), registrations with the territory's communities (T, held by ZBT2, in
    甲社区); no service records in this world, so the months of the year so far are all zero."""
    year, month = int(as_of[:4]), int(as_of[5:7])
    return {
        "in_service": in_service,
        "registered": registered,
        "registration_rate": round(100 * registered / in_service, 1) if in_service else 0.0,
        "registrations_here": here,
        "unit_registrations": 0,
        "active": 0,
        "records": 0,
        "hours": 0.0,
        "hours_by_month": {f"{year}-{m:02d}": 0.0 for m in range(1, month + 1)},
    }


SECTOR_WORDS = [
    "社区", "街道", "机关", "事业单位", "国有企业", "非公有制企业", "社会组织",
    "商务楼宇", "园区", "村", "联合", "流动", "其他",
]  # fmt: skip


def sectors(**counts):
    """`organizations.by_sector`: every sector word, zero unless given (issue 13)."""
    return {word: counts.get(word, 0) for word in SECTOR_WORDS}


def members(total, full, probationary, female, ethnic_minority, college_or_above, category, age, education):
    return {
        "total": total,
        "full": full,
        "probationary": probationary,
        "female": female,
        "ethnic_minority": ethnic_minority,
        "college_or_above": college_or_above,
        "by_category": dict(zip(["在职党员", "退休职工党员", "离休干部党员", "下岗失业党员", "流动党员", "居民党员"],
                                category, strict=True)),
        # issue 13: in this world the work status is the category's, and 其他 for E (流动) and the 居民
        "by_work_status": dict(zip(["在职", "退休", "离休", "下岗失业", "无固定职业", "学生", "其他"],
                                   [*category[:4], 0, 0, category[4] + category[5]], strict=True)),
        "by_age_band": dict(zip(["30岁及以下", "31至35岁", "36至40岁", "41至45岁", "46至50岁", "51至55岁", "56至60岁",
                                 "61岁及以上"], age, strict=True)),
        "by_education": dict(zip(["研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下"], education,
                                 strict=True)),
    }  # fmt: skip


# The superuser, the 区委 DWT01, on 2025-06-15. Counted: A–I, P, Q, T (12); R joins the next day, S is deceased.
# Full: A–I and T (10); P is confirmed only on 2025-07-01, Q is probationary. Women: A C F I Q. Minority: B.
# College or above: A B C G H P Q T. Ages: A 30, C 30 (birthday tomorrow) | B 31, D 35, F 35 (birthday tomorrow)
# | E 36, Q 40, T 36 | P 45 | G 60, I 60 (birthday tomorrow) | H 61.
# Organizations: ZBT3 is founded on 2025-06-20, so not yet; communities: 甲 乙 丙 丁, with an org: 甲 乙 (丙's comes
# on 2025-06-20).
DISTRICT_AS_OF = {
    "org": {"code": "DWT01", "name": "中共测试区委员会"},
    "as_of": "2025-06-15",
    "organizations": {
        "total": 7,
        "by_type": {"区委": 1, "街道党工委": 1, "党总支": 2, "党支部": 2, "党小组": 1},
        "by_sector": sectors(机关=1, 街道=1, 社区=5),
    },
    "members": members(12, 10, 2, 5, 1, 8, [5, 2, 1, 1, 1, 2], [2, 3, 3, 1, 0, 0, 2, 1], [2, 5, 1, 1, 2, 1]),
    "coverage": {"communities": 4, "communities_with_org": 2, **NEWORGS_NONE},
    "units": UNITS_NONE,
    "workorders": WORKORDERS_NONE,
    "requests": REQUESTS_NONE,
    "volunteers": volunteers("2025-06-15", 5, 1, 1),
}

# The same on 2025-07-01: R counts (probationary), P is full; everyone had their birthday: C 31, F 36, I 61; R 49.
DISTRICT_LATER = {
    "org": {"code": "DWT01", "name": "中共测试区委员会"},
    "as_of": "2025-07-01",
    "organizations": {
        "total": 8,
        "by_type": {"区委": 1, "街道党工委": 1, "党总支": 2, "党支部": 3, "党小组": 1},
        "by_sector": sectors(机关=1, 街道=1, 社区=6),
    },
    "members": members(13, 11, 2, 5, 1, 9, [5, 2, 1, 1, 1, 3], [1, 3, 4, 1, 1, 0, 1, 2], [2, 6, 1, 1, 2, 1]),
    "coverage": {"communities": 4, "communities_with_org": 3, **NEWORGS_NONE},
    "units": UNITS_NONE,
    "workorders": WORKORDERS_NONE,
    "requests": REQUESTS_NONE,
    "volunteers": volunteers("2025-07-01", 5, 1, 1),
}

# admin1 (community admin of 甲社区 and below), SQT1, 2025-06-15: members held in SQT1's subtree: A B C P (ZBT1) and
# D E (SQT1); R not yet, S deceased; T is visible to admin1 (registered in 甲社区) but held by ZBT2: not counted.
COMMUNITY1_ADMIN = {
    "org": {"code": "SQT1", "name": "中共甲社区总支部委员会"},
    "as_of": "2025-06-15",
    "organizations": {"total": 3, "by_type": {"党总支": 1, "党支部": 1, "党小组": 1}, "by_sector": sectors(社区=3)},
    "members": members(6, 5, 1, 2, 1, 4, [3, 1, 0, 1, 1, 0], [2, 2, 1, 1, 0, 0, 0, 0], [1, 2, 1, 1, 1, 0]),
    "coverage": {"communities": 1, "communities_with_org": 1, **NEWORGS_NONE},
    "units": UNITS_NONE,
    "workorders": WORKORDERS_NONE,
    "requests": REQUESTS_NONE,
    "volunteers": volunteers("2025-06-15", 3, 0, 1),
}

# c1only (viewer of SQT1 itself, not below): SQT1 and its own members D and E.
COMMUNITY1_ONLY = {
    "org": {"code": "SQT1", "name": "中共甲社区总支部委员会"},
    "as_of": "2025-06-15",
    "organizations": {"total": 1, "by_type": {"党总支": 1}, "by_sector": sectors(社区=1)},
    "members": members(2, 2, 0, 0, 0, 0, [0, 0, 0, 1, 1, 0], [0, 1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 0]),
    "coverage": {"communities": 1, "communities_with_org": 1, **NEWORGS_NONE},
    "units": UNITS_NONE,
    "workorders": WORKORDERS_NONE,
    "requests": REQUESTS_NONE,
    "volunteers": volunteers("2025-06-15", 0, 0, 1),
}
