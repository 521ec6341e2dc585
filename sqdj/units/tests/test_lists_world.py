"""The shared world of the three lists' tests: build_world plus units, a need, a resource and a project in each
community, a grid below community 1 and a unit liaison of unit 1."""

from __future__ import annotations

import datetime

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.areas.services import do_create_area
from sqdj.core import dates
from sqdj.testing import PASSWORD, build_world
from sqdj.units import lists
from sqdj.units.models import Unit, UnitContact

D = datetime.date


def unit(name, code, area, **over):
    data = {"name": name, "credit_code": code, "category": "non_public_enterprise", "area": area, "employees": 20,
            "party_members": 1, **over}  # fmt: skip
    return Unit.objects.create(**data)


def lists_world():
    w = build_world()
    w.grid1 = do_create_area(acting_user=None, parent=w.community_area1, code="T01001001001", name="甲一网格",
                             type="grid")  # fmt: skip
    w.unit1 = unit("甲科技有限公司", "91110000000000001A", w.community_area1)
    w.unit1b = unit("甲网格书店", "91110000000000002A", w.grid1)
    w.unit2 = unit("乙物流有限公司", "91110000000000003A", w.community_area2)
    w.need1 = lists.do_create_need(
        acting_user=None, org=w.community1, category="venue", title="老年活动场地", beneficiaries="社区老年人",
        wanted_from=D(2026, 1, 1), wanted_until=D(2026, 12, 31), people=40,
    )  # fmt: skip
    w.need2 = lists.do_create_need(
        acting_user=None, org=w.community2, category="venue", title="乙社区四点半课堂", beneficiaries="小学生",
        people=20,
    )  # fmt: skip
    w.res1 = lists.do_create_resource(
        acting_user=None, unit=w.unit1, category="venue", title="甲公司会议室", capacity=30,
        opening_hours="周六 9:00-17:00", available_from=D(2026, 3, 1),
    )  # fmt: skip
    w.res2 = lists.do_create_resource(
        acting_user=None, unit=w.unit2, category="venue", title="乙公司礼堂", capacity=200,
    )  # fmt: skip
    w.proj1 = lists.do_create_project(acting_user=None, org=w.community1, title="甲社区周末课堂", resources=[w.res1])
    w.proj2 = lists.do_create_project(
        acting_user=None, org=w.community2, need=w.need2, title="乙社区四点半课堂项目", resources=[w.res2]
    )
    w.liaison = do_create_user("liaison1", password=PASSWORD, validate=False)
    do_grant_role(w.liaison, role="unit_contact", org=w.community1)
    UnitContact.objects.create(unit=w.unit1, user=w.liaison, started_on=dates.today())
    return w
