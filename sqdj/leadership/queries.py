"""Facts derived from the leadership records, never typed in (ux.md: "the system already knows it").

- 一肩挑 (`one_shoulder`): a community org's secretary is also the chair of that community's residents' committee;
- 交叉任职 (`cross_appointed`): people holding both a position of the org and a seat on the residents' committee;
- the cadre structure (`cadre_structure`) of a subtree: how many secretaries and residents' committee chairs,
  their average age and their share with 大专及以上 education (the seeds' "51.6 → 45.6 years, 48%").

A "community org" here is an org located in an area of type community (社区). Everything is as on a given day
(positions and seats with both ends included).
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from sqdj.core import dates
from sqdj.core.dates import age_on
from sqdj.core.scope import EVERYTHING
from sqdj.members.choices import COLLEGE_OR_ABOVE
from sqdj.members.models import Member
from sqdj.orgs.services import community_of

from .choices import PositionRole, ResidentsSeatRole
from .models import Position, ResidentsCommittee, ResidentsSeat


def _visible(queryset, user):
    """`user` None: no scope (internal use); the shell's EVERYTHING: no scope; otherwise through restrict()."""
    if user is None or user is EVERYTHING:
        return queryset
    return queryset.restrict(user, "view")


def held_on_q(on: datetime.date) -> Q:
    return Q(started_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gte=on))


def residents_committee(org, user=None):
    area = community_of(org)
    if area is None:
        return None
    return _visible(ResidentsCommittee.objects.filter(area=area), user).first()


def secretary(org, on: datetime.date, user=None):
    """The org's secretary position on `on` (None if vacant)."""
    qs = Position.objects.filter(held_on_q(on), org=org, role=PositionRole.SECRETARY).select_related("member")
    return _visible(qs, user).order_by("-started_on").first()


def chair(committee, on: datetime.date, user=None):
    qs = ResidentsSeat.objects.filter(held_on_q(on), committee=committee, role=ResidentsSeatRole.CHAIR)
    return _visible(qs.select_related("member"), user).order_by("-started_on").first()


def one_shoulder(org, on: datetime.date | None = None, user=None) -> bool | None:
    """一肩挑: whether the org's secretary on `on` is the chair of its community's residents' committee.
    None when it does not apply: not a community org, or the community has no residents' committee recorded."""
    on = on or dates.today()
    committee = residents_committee(org, user)
    if committee is None:
        return None
    sec, ch = secretary(org, on, user), chair(committee, on, user)
    return bool(sec and ch and ch.member_id == sec.member_id)


def cross_appointed(org, on: datetime.date | None = None, user=None) -> list:
    """交叉任职: the members holding a position of the org on `on` who also hold a seat on its community's
    residents' committee then (by name); empty when it does not apply."""
    on = on or dates.today()
    committee = residents_committee(org, user)
    if committee is None:
        return []
    in_org = _visible(Position.objects.filter(held_on_q(on), org=org), user).values("member_id")
    on_committee = _visible(
        ResidentsSeat.objects.filter(held_on_q(on), committee=committee, member__isnull=False), user
    ).values("member_id")
    return list(Member.objects.filter(pk__in=in_org).filter(pk__in=on_committee).order_by("name", "pk"))


def _figures(people: list[tuple], on: datetime.date) -> dict:
    """count, average age (whole years at `on`, averaged, 1 decimal) and the share with college education
    (percent, 1 decimal) of (birth_date, education) pairs; a missing figure leaves that person out of its
    average or share, not out of the count."""
    ages = [age_on(b, on) for b, _e in people if b is not None]
    known = [e for _b, e in people if e]
    college = sum(1 for e in known if e in COLLEGE_OR_ABOVE)
    one = Decimal("0.1")
    return {
        "count": len(people),
        "average_age": (Decimal(sum(ages)) / len(ages)).quantize(one, ROUND_HALF_UP) if ages else None,
        "college": college,
        "college_share": (Decimal(100 * college) / len(known)).quantize(one, ROUND_HALF_UP) if known else None,
    }


def cadre_structure(org, *, user, on: datetime.date | None = None) -> dict:
    """The secretaries of the orgs in `org`'s subtree and the chairs of the residents' committees of the
    communities under `org.area`, as `user` may see them (`EVERYTHING` at the shell), on `on` (default today):
    {"secretaries": figures, "chairs": figures, "together": figures}, figures = count, average_age,
    college, college_share (see `_figures`). "together" counts a person holding both posts (一肩挑) once.
    Two queries whatever the size of the subtree."""
    on = on or dates.today()
    secretaries = list(
        _visible(Position.objects.all(), user)
        .filter(held_on_q(on), org__path__startswith=org.path, role=PositionRole.SECRETARY)
        .order_by()
        .values_list("member_id", "member__birth_date", "member__education")
    )
    chairs = []
    if org.area_id is not None:
        area_path = org.area.path
        chairs = list(
            _visible(ResidentsSeat.objects.all(), user)
            .filter(held_on_q(on), committee__area__path__startswith=area_path, role=ResidentsSeatRole.CHAIR)
            .order_by()
            .values_list("member_id", "member__birth_date", "member__education", "birth_date", "education")
        )
    sec_people = {("m", m): (b, e) for m, b, e in secretaries}  # one person holding two secretaryships: once
    chair_people = {}
    for i, (m, mb, me, b, e) in enumerate(chairs):
        chair_people[("m", m) if m is not None else ("p", i)] = (mb, me) if m is not None else (b, e)
    together = {**sec_people, **chair_people}
    return {
        "secretaries": _figures(list(sec_people.values()), on),
        "chairs": _figures(list(chair_people.values()), on),
        "together": _figures(list(together.values()), on),
    }
