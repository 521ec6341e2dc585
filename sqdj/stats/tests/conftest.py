"""A hand-built world whose statistics are counted by hand in the tests.

build_world(): 区委 DWT01 (area 测试区) → 街道党工委 GWT01001 (测试街道) → 党总支 SQT1 (甲社区) → 党支部 ZBT1 (甲社区)
→ 党小组 XZT1; 党总支 SQT2 (乙社区) → 党支部 ZBT2 (乙社区). Added here: 丙社区 with a grid where 党支部 ZBT3 (under
the 街道党工委) is located, founded on 2025-06-20; 丁社区 with no party organization; and fourteen members:

 seq name org  born        sex eth  education        category         type (joined / confirmed)       note
 1   A    ZBT1 1995-06-15  F   汉   postgraduate     employed         full (2015-07-01 / 2016-07-01)  30 on AS_OF
 2   B    ZBT1 1994-06-15  M   回族 bachelor         employed         full                            31 on AS_OF
 3   C    ZBT1 1994-06-16  F   汉   associate        retired          full                            31 the day after
 4   D    SQT1 1990-06-15  M   汉   vocational       unemployed       full                            35
 5   E    SQT1 1989-06-15  M   汉   high_school      mobile           full                            36
 6   F    ZBT2 1989-06-16  F   汉   junior_or_below  resident         full                            36 the day after
 7   G    ZBT2 1965-06-15  M   汉   bachelor         veteran_retired  full                            60
 8   H    ZBT2 1964-06-15  M   汉   bachelor         retired          full                            61
 9   I    GWT. 1964-06-16  F   汉   high_school      resident         full                            61 the day after
 10  P    ZBT1 1980-01-01  M   汉   bachelor         employed         full (2024-07-01 / 2025-07-01)  full from LATER
 11  Q    ZBT2 1985-03-03  F   汉   bachelor         employed         probationary (2025-01-10)
 12  R    SQT1 1975-08-08  M   汉   bachelor         resident         probationary (2025-06-16)       joins after AS_OF
 13  S    ZBT1 1970-02-02  M   汉   bachelor         retired          full                            deceased
 14  T    ZBT2 1988-09-09  M   汉   postgraduate     employed         full                            registered: 甲社区

AS_OF = 2025-06-15 and LATER = 2025-07-01.
"""

from __future__ import annotations

import datetime

import pytest

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.areas.services import do_create_area
from sqdj.members.models import Member
from sqdj.members.services import do_create_member, do_register
from sqdj.orgs.services import do_create_org
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.members import member_data
from sqdj.transfers.mobile_services import do_record_outflow

AS_OF = datetime.date(2025, 6, 15)
LATER = datetime.date(2025, 7, 1)
D = datetime.date

JOINED, CONFIRMED = D(2015, 7, 1), D(2016, 7, 1)

MEMBERS = [
    # seq, name, org attribute of the world, birth, female, ethnicity, education, category, extra fields
    (1, "A", "branch1", D(1995, 6, 15), True, "汉族", "postgraduate", "employed", {}),
    (2, "B", "branch1", D(1994, 6, 15), False, "回族", "bachelor", "employed", {}),
    (3, "C", "branch1", D(1994, 6, 16), True, "汉族", "associate", "retired", {}),
    (4, "D", "community1", D(1990, 6, 15), False, "汉族", "vocational", "unemployed", {}),
    (5, "E", "community1", D(1989, 6, 15), False, "汉族", "high_school", "mobile", {}),
    (6, "F", "branch2", D(1989, 6, 16), True, "汉族", "junior_or_below", "resident", {}),
    (7, "G", "branch2", D(1965, 6, 15), False, "汉族", "bachelor", "veteran_retired", {}),
    (8, "H", "branch2", D(1964, 6, 15), False, "汉族", "bachelor", "retired", {}),
    (9, "I", "street", D(1964, 6, 16), True, "汉族", "high_school", "resident", {}),
    (10, "P", "branch1", D(1980, 1, 1), False, "汉族", "bachelor", "employed",
     {"joined_on": D(2024, 7, 1), "confirmed_on": D(2025, 7, 1)}),
    (11, "Q", "branch2", D(1985, 3, 3), True, "汉族", "bachelor", "employed",
     {"member_type": "probationary", "joined_on": D(2025, 1, 10), "confirmed_on": None}),
    (12, "R", "community1", D(1975, 8, 8), False, "汉族", "bachelor", "resident",
     {"member_type": "probationary", "joined_on": D(2025, 6, 16), "confirmed_on": None}),
    (13, "S", "branch1", D(1970, 2, 2), False, "汉族", "bachelor", "retired", {}),
    (14, "T", "branch2", D(1988, 9, 9), False, "汉族", "postgraduate", "employed", {}),
]  # fmt: skip


def add_member(org, seq, *, name="测试党员", birth=None, female=False, **over):
    birth = birth or D(1980, 5, 5)
    over = {"joined_on": JOINED, "confirmed_on": CONFIRMED, **over}
    data = member_data(org, seq=seq, name=name, birth=birth, female=female, **over)  # a category: its work status
    return do_create_member(acting_user=None, **data)


@pytest.fixture
def world(db):
    w = build_world()
    ca3 = do_create_area(acting_user=None, parent=w.street_area, code="T01001003", name="丙社区", type="community")
    grid3 = do_create_area(acting_user=None, parent=ca3, code="T01001003001", name="丙社区第一网格", type="grid")
    do_create_area(acting_user=None, parent=w.street_area, code="T01001004", name="丁社区", type="community")
    w.branch3 = do_create_org(
        acting_user=None,
        parent=w.street,
        code="ZBT3",
        name="中共丙社区网格党支部",
        type="branch",
        area=grid3,
        founded_on=D(2025, 6, 20),
    )
    w.members = {}
    for seq, name, org, birth, female, ethnicity, education, category, extra in MEMBERS:
        w.members[name] = add_member(
            getattr(w, org),
            seq,
            name=f"党员{name}",
            birth=birth,
            female=female,
            ethnicity=ethnicity,
            education=education,
            category=category,
            **extra,
        )
    Member.objects.filter(pk=w.members["S"].pk).update(standing="deceased")
    # 流动 is an open outflow (the category is derived): E is away
    do_record_outflow(w.members["E"], acting_user=None, left_on=D(2020, 1, 1), destination="广东省深圳市")
    do_register(w.members["T"], acting_user=None, community=w.community_area1, registered_on=D(2020, 3, 1))
    # sees 甲社区's own 党总支 and the members it holds, not its branches
    w.c1_only = do_create_user("c1only", password=PASSWORD, validate=False)
    do_grant_role(w.c1_only, role="viewer", org=w.community1, descendants=False)
    return w
