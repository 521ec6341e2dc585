"""Valid test data for members: ID numbers with real region codes and correct check digits."""

from __future__ import annotations

import datetime

from sqdj.core import idnumber
from sqdj.members.services import do_create_member
from sqdj.testing import build_world

REGIONS = ["120101", "120102", "120103", "120104", "120105", "120106", "110105", "310101"]


def make_id_number(birth: datetime.date, seq: int = 1, region: str = "120101", female: bool = False) -> str:
    """An 18-character ID: region, birth date, a 3-digit sequence (odd for men, even for women), check digit."""
    return idnumber.compose(region, birth, (seq * 2 + (0 if female else 1)) % 1000)


def member_data(org, *, seq=1, name="张三丰", birth=datetime.date(1970, 5, 4), female=False, **over) -> dict:
    """Keyword arguments for `do_create_member` describing a valid full member."""
    data = {
        "name": name,
        "sex": "female" if female else "male",
        "ethnicity": "汉族",
        "id_number": make_id_number(birth, seq, female=female),
        "birth_date": birth,
        "education": "bachelor",
        "member_type": "full",
        "joined_on": datetime.date(1995, 7, 1),
        "confirmed_on": datetime.date(1996, 7, 1),
        "work_status": "employed",
        "org": org,
        "home_area": None,
        "phone": f"1381234{seq:04d}",
        "work_unit": "天津市某单位",
    }
    if "category" in over:  # tests written before the work status: the category is derived from it now
        category = over.pop("category")
        over.setdefault("work_status", {"resident": "other", "mobile": "other"}.get(category, category))
    data.update(over)
    return data


def world_with_members():
    """build_world() and three members to search for: m1, m2 in branch1 (admin1's scope), out in branch2."""
    w = build_world()
    w.m1 = do_create_member(acting_user=None, **member_data(w.branch1, seq=1, name="张三丰"))
    w.m2 = do_create_member(acting_user=None, **member_data(w.branch1, seq=2, name="王二小"))
    w.out = do_create_member(acting_user=None, **member_data(w.branch2, seq=3, name="李四光"))
    return w
