"""Issue 15 item 9: the synthetic city's units — deterministic, valid, by the shares of a large city, the 联合党支部
linked to as many units as they say they cover, instructors with visits, councils with decisions in every state,
agreements, the three lists, the authorities' lists, and the demo's unit liaison who sees only their unit's part."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from stdnum.cn import uscc

from sqdj.accounts.models import RoleAssignment, User
from sqdj.accounts.roles import Role
from sqdj.core.models import ObjectChange
from sqdj.core.rules import param
from sqdj.demo import synthetic
from sqdj.demo import units as demo_units
from sqdj.demo.accounts import demo_accounts, ensure_demo_users
from sqdj.members.models import Member
from sqdj.orgs.models import Org
from sqdj.testing.fixtures import generated_once
from sqdj.units.choices import ENDED_STATUSES, NEWORG_CATEGORIES, DecisionStatus, IntakeStatus
from sqdj.units.coverage import existing_on
from sqdj.units.models import (
    Agreement,
    AuthorityEntry,
    Council,
    Decision,
    Instructor,
    Need,
    Project,
    Resource,
    Unit,
    UnitContact,
    Visit,
)

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture(scope="module")
def _small_city(django_db_setup, django_db_blocker):
    def make():
        result = synthetic.generate("small", today=TODAY)
        ensure_demo_users()
        return result

    yield from generated_once(django_db_blocker, make)


@pytest.fixture
def city(_small_city, db):
    return _small_city


def test_every_unit_is_valid(city):
    units = list(Unit.objects.select_related("area", "org"))
    assert len(units) == city["units"]
    assert len({u.credit_code for u in units}) == len({u.name for u in units}) == len(units)
    for u in units:
        assert uscc.is_valid(u.credit_code), u.credit_code
        assert u.party_members <= u.employees and (u.full_members is None or u.full_members <= u.party_members)
        assert u.area.type == "community", u.area.code  # located in a community; a building is said by premises
        assert u.industry and u.registered_on <= TODAY
        assert (u.ended_on is not None) == (u.status in ENDED_STATUSES)
        if u.premises in ("building", "park"):
            assert u.building
        if u.contact_phone:
            assert u.contact_phone_index  # searchable like a member's phone
    # skewed small: most have fewer than 50 employees, most have 0-2 party members, some 3 or more
    assert sum(u.employees < 50 for u in units) > len(units) / 2
    assert sum(u.party_members <= 2 for u in units if u.org is None) > 0.7 * sum(u.org is None for u in units)
    assert Unit.objects.filter(party_members__gte=3).exists()
    assert not ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Unit)).exists()


def test_the_units_own_orgs_are_the_generators_and_named_after_them(city):
    own = Unit.objects.exclude(org__type="joint_branch").exclude(org=None).select_related("org")
    assert own.count() == 9  # 3 streets × (2 units of the district's line + 1 enterprise branch)
    for u in own:
        assert u.org.name.startswith(f"中共{u.name}") and u.org.sector == u.category
        held = Member.objects.filter(org__path__startswith=u.org.path, standing="active").count()
        assert u.party_members == held


def test_joint_branches_link_as_many_operating_units_as_they_cover(city):
    joints = list(Org.objects.filter(type="joint_branch"))
    assert joints
    for jb in joints:
        linked = Unit.objects.filter(org=jb)
        operating = linked.filter(existing_on(TODAY))  # as the check org.joint_branch_units counts them
        assert operating.count() == jb.units_covered, jb.code
        assert linked.count() <= 5 or operating.count() > 5  # a deregistered unit never pushes one over
        assert set(linked.values_list("category", flat=True)) <= set(NEWORG_CATEGORIES)
        members = Member.objects.filter(org=jb, standing="active").count()
        assert sum(operating.values_list("party_members", flat=True)) == members
    assert any(jb.units_covered > 5 for jb in joints)  # over the limit: the check's case


def test_coverage_cases(city):
    neworgs = Unit.objects.filter(category__in=NEWORG_CATEGORIES)
    required = neworgs.filter(party_members__gte=3, org=None)  # 应建未建
    assert required.count() >= 3  # at least one per subdistrict
    assert Unit.objects.filter(org__isnull=False, status__in=ENDED_STATUSES).exists()  # deregistered, org kept
    instructed = Instructor.objects.select_related("unit")
    assert instructed.count() == city["instructors"] > 0
    for i in instructed:
        assert i.unit.org_id is None and i.unit.category in NEWORG_CATEGORIES and i.started_on >= i.unit.registered_on
    interval = param("unit.visit_interval_days", TODAY)
    last = {
        i: d for i, d in Instructor.objects.filter(ended_on=None).annotate(d=Max("visits__visited_on")).values_list(
            "pk", "d")
    }  # fmt: skip
    overdue = [i for i, d in last.items() if d is None or (TODAY - d).days > interval]
    assert overdue and len(overdue) < len(last)  # both sides of the interval
    assert all(v.visited_on >= v.instructor.started_on for v in Visit.objects.select_related("instructor"))


def test_council_decisions_in_every_state(city):
    streets = Org.objects.filter(type="subdistrict_committee")
    assert Council.objects.filter(kind="working_committee").count() == streets.count()
    assert set(Council.objects.filter(kind="working_committee").values_list("org", flat=True)) == set(
        streets.values_list("pk", flat=True)
    )
    assert Council.objects.filter(kind="joint_council", org__sector="community").exists()
    decisions = list(Decision.objects.select_related("meeting", "owner"))
    kinds = Counter()
    for d in decisions:
        assert d.meeting.council_id == d.council_id and d.meeting.held_on <= d.due_on
        assert d.council.members.filter(unit=d.owner).exists()  # the owner unit sits on the council
        if d.status in (DecisionStatus.OPEN, DecisionStatus.IN_PROGRESS):
            assert d.closed_on is None
            kinds[(d.status, "overdue" if d.due_on < TODAY else "due")] += 1
        else:
            assert d.meeting.held_on <= d.closed_on <= TODAY
            if d.status == DecisionStatus.DROPPED:
                assert d.status_note
                kinds["dropped"] += 1
            else:
                kinds["on time" if d.closed_on <= d.due_on else "late"] += 1
    assert set(kinds) == {
        ("open", "due"), ("open", "overdue"), ("in_progress", "due"), ("in_progress", "overdue"),
        "dropped", "on time", "late",
    }  # fmt: skip


def test_agreements_and_the_three_lists(city):
    renewal = param("unit.agreement_renewal_days", TODAY)
    agreements = list(Agreement.objects.prefetch_related("units"))
    assert agreements
    ending = [a for a in agreements if 0 <= (a.ends_on - TODAY).days <= renewal]
    assert ending and any(a.ends_on < TODAY for a in agreements) and any(
        (a.ends_on - TODAY).days > renewal for a in agreements)  # fmt: skip
    for a in agreements:
        assert a.starts_on <= a.ends_on and a.units.exists()
        assert all(u.area.path.startswith(a.org.area.path) for u in a.units.all())
    assert Resource.objects.filter(category="venue", capacity__gt=0).exclude(opening_hours="").exists()
    for p in Project.objects.select_related("need", "org__area"):
        assert p.resources.exists() and p.need.org_id == p.org_id
        for r in p.resources.select_related("unit__area"):
            assert r.unit.area.path.startswith(p.org.area.path)  # never a resource outside the community
        if p.status == "done":
            assert p.people_served and p.outcome and p.ends_on <= TODAY
    statuses = set(Project.objects.values_list("status", flat=True))
    assert {"planned", "running", "done", "cancelled"} <= statuses
    assert Need.objects.filter(status="matched").exists() and Need.objects.filter(status="open").exists()


def test_authority_lists(city):
    intake = param("unit.intake_days", TODAY)
    pending = AuthorityEntry.objects.filter(kind="registered", status=IntakeStatus.PENDING)
    assert pending.filter(due_on__lt=TODAY).exists() and pending.filter(due_on__gte=TODAY).exists()
    assert AuthorityEntry.objects.filter(kind="registered", status=IntakeStatus.CONNECTED).exists()
    for e in AuthorityEntry.objects.select_related("unit"):
        assert e.credit_code == e.unit.credit_code and e.area_id == e.unit.area_id
        if e.kind == "registered":
            assert e.due_on == e.changed_on + datetime.timedelta(days=intake) and e.unit.registered_on == e.changed_on
            assert not e.unit.instructors.exists()
        else:
            assert e.unit.status in ENDED_STATUSES and e.changed_on == e.unit.ended_on
    assert AuthorityEntry.objects.filter(kind="deregistered").exists()


def test_the_unit_liaison_sees_only_their_units_part(city):
    user = User.objects.get(username="danwei")
    (contact,) = UnitContact.objects.filter(user=user, ended_on=None)
    sq_org = dict((u, org) for u, _d, _r, org in demo_accounts())["sq_admin"]
    assert contact.unit == demo_units.liaison_unit(sq_org) and contact.unit.area.path.startswith(sq_org.area.path)
    assert RoleAssignment.objects.filter(user=user, role=Role.UNIT_CONTACT).count() == 1
    assert list(Unit.objects.restrict(user, "view")) == [contact.unit]
    assert not Unit.objects.restrict(user, "change").exists()
    # its council's decisions it owns, its agreement and its project are there to see; no member at all
    assert Decision.objects.restrict(user, "view").filter(owner=contact.unit).exists()
    assert Agreement.objects.restrict(user, "view").exists()
    assert Project.objects.restrict(user, "view").exists()
    assert Council.objects.restrict(user, "view").exists()
    assert not Member.objects.restrict(user, "view").exists()
    assert not Org.objects.restrict(user, "view").exists()
