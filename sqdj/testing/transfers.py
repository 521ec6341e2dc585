"""Test data for transfers: the shared small world plus a second subdistrict, and a user at each step."""

from __future__ import annotations

from dataclasses import dataclass

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.areas.services import do_create_area
from sqdj.members.services import do_create_member
from sqdj.orgs.services import do_create_org
from sqdj.testing import PASSWORD, World, build_world
from sqdj.testing.members import member_data


@dataclass
class TransferWorld:
    world: World
    street2: object  # 街道 S2 (a sibling of S, in the same district)
    community3: object  # 丙社区's org under S2
    branch3: object  # 丙社区第一党支部
    sender: object  # branch_admin of branch1 (S → C1 → B1)
    street_admin: object  # subdistrict_admin of S
    district_admin: object  # district_admin of D: approves and accepts moves across subdistricts
    receiver: object  # branch_admin of branch3 (S2 → C3 → B3)
    member: object  # a member of branch1


def build_transfer_world() -> TransferWorld:
    w = build_world()
    sa2 = do_create_area(acting_user=None, parent=w.district_area, code="T01002", name="测试二街道", type="subdistrict")
    ca3 = do_create_area(acting_user=None, parent=sa2, code="T01002001", name="丙社区", type="community")
    s2 = do_create_org(
        acting_user=None, parent=w.district, code="GWT01002", name="中共测试二街道工作委员会",
        type="subdistrict_committee", area=sa2,
    )  # fmt: skip
    c3 = do_create_org(acting_user=None, parent=s2, code="SQT3", name="中共丙社区委员会", type="committee", area=ca3)
    b3 = do_create_org(acting_user=None, parent=c3, code="ZBT3", name="中共丙社区第一党支部", type="branch", area=ca3)
    users = {}
    for name, role, org in (
        ("sender", "branch_admin", w.branch1),
        ("street_admin", "subdistrict_admin", w.street),
        ("district_admin", "district_admin", w.district),
        ("receiver", "branch_admin", b3),
    ):
        users[name] = do_create_user(name, password=PASSWORD, validate=False)
        do_grant_role(users[name], role=role, org=org, descendants=True)
    member = do_create_member(acting_user=None, **member_data(w.branch1, seq=7, name="李流转"))
    return TransferWorld(w, s2, c3, b3, member=member, **users)
