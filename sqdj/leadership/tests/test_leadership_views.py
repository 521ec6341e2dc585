"""Pages of the leadership models (scope contract of ScopedViewTests), the 领导班子 section of the org page,
the candidates' rows of the election form and the term extension form."""

from __future__ import annotations

import datetime
import re

from django.test import TestCase
from django.urls import reverse
from django.utils.translation import gettext

from sqdj.accounts.services import do_grant_role
from sqdj.areas.services import do_create_area
from sqdj.core.models import ObjectChange
from sqdj.leadership import services
from sqdj.leadership.models import Election, Position, ResidentsCommittee, ResidentsSeat
from sqdj.leadership.views import ElectionViews, PositionViews, ResidentsCommitteeViews, ResidentsSeatViews
from sqdj.members.services import do_create_member
from sqdj.orgs.models import Org
from sqdj.orgs.services import do_create_org
from sqdj.testing import ScopedViewTests, build_world, changes_for
from sqdj.testing.members import member_data

D = datetime.date


def all_errors(form) -> list[str]:
    return [str(e) for errs in form.errors.values() for e in errs]


def leadership_world():
    """build_world + members in both communities, a team in each, a residents' committee in each community, and
    a third community 丙社区 (with its org) that admin1 also administers but where nothing exists yet."""
    w = build_world()
    seq = iter(range(1, 1000))

    def member(org, name, **over):
        return do_create_member(acting_user=None, **member_data(org, seq=next(seq), name=name, **over))

    w.a, w.b, w.c, w.d = (member(w.branch1, n) for n in ("张一", "李二", "王三", "赵四"))
    w.x, w.y, w.z = (member(w.branch2, n) for n in ("郑外", "冯外", "陈外"))
    w.p = member(w.branch1, "吴预备", member_type="probationary", confirmed_on=None, joined_on=D(2025, 12, 1))
    w.ca3 = do_create_area(acting_user=None, parent=w.street_area, code="T01001003", name="丙社区", type="community")
    w.community3 = do_create_org(
        acting_user=None, parent=w.street, code="SQT3", name="中共丙社区支部委员会", type="branch", area=w.ca3
    )
    do_grant_role(w.admin1, role="community_admin", org=w.community3, descendants=True)
    w.pos1 = services.do_create_position(
        acting_user=None, org=w.community1, member=w.a, role="secretary", started_on=D(2024, 1, 1)
    )
    w.pos1b = services.do_create_position(
        acting_user=None, org=w.community1, member=w.c, role="committee_member", started_on=D(2024, 1, 1)
    )
    w.pos2 = services.do_create_position(
        acting_user=None, org=w.community2, member=w.x, role="secretary", started_on=D(2024, 1, 1)
    )
    w.el1 = services.do_create_election(
        acting_user=None, org=w.community1, held_on=D(2024, 1, 1), seats=2, voters_present=4,
        candidates=[{"member": m, "votes": 3, "elected": m != w.b} for m in (w.a, w.b, w.c)],
    )  # fmt: skip
    w.el2 = services.do_create_election(
        acting_user=None, org=w.community2, held_on=D(2024, 1, 1), seats=2, voters_present=3,
        candidates=[{"member": m, "votes": 2, "elected": m != w.z} for m in (w.x, w.y, w.z)],
    )  # fmt: skip
    w.rc1 = services.do_create_residents_committee(acting_user=None, area=w.community_area1, name="甲社区居委会")
    w.rc2 = services.do_create_residents_committee(acting_user=None, area=w.community_area2, name="乙社区居委会")
    w.seat1 = services.do_create_residents_seat(
        acting_user=None, committee=w.rc1, role="chair", member=w.a, started_on=D(2024, 1, 1)
    )
    w.seat1b = services.do_create_residents_seat(
        acting_user=None, committee=w.rc1, role="member", member=w.c, started_on=D(2024, 1, 1)
    )
    w.seat2 = services.do_create_residents_seat(
        acting_user=None, committee=w.rc2, role="chair", person_name="陈群众", started_on=D(2024, 1, 1)
    )
    return w


class LeadershipViewTests(ScopedViewTests):
    """The shared contract, for models named by their holder or their org and date rather than by a code."""

    @classmethod
    def setUpTestData(cls):
        cls.world = leadership_world()

    def label(self, obj) -> str:
        raise NotImplementedError

    def in_scope(self):
        obj = self.object_in_scope()
        obj.name = self.label(obj)  # what the list shows (ScopedViewTests looks for `name`)
        return obj

    def out_of_scope(self):
        obj = self.object_out_of_scope()
        obj.name = self.label(obj)
        return obj

    def marker(self, obj):
        return self.label(obj)

    def search_term(self, obj):
        return self.label(obj)[1:]  # the search box shows what was typed: not the whole label

    def test_export_holds_only_the_scope(self):
        """No export for these lists yet: `?export=` shows the list page, still the scope only."""
        self.login(self.world.admin1)
        r = self.client.get(self.url("list"), {"export": "csv"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r["Content-Type"].startswith("text/html"))
        self.assertContains(r, self.marker(self.in_scope()))
        self.assertNotContains(r, self.marker(self.out_of_scope()))


class PositionViewTests(LeadershipViewTests, TestCase):
    views = PositionViews

    def object_in_scope(self):
        return self.world.pos1

    def object_out_of_scope(self):
        return self.world.pos2

    def label(self, obj):
        return obj.member.name

    def create_data(self):
        w = self.world
        return {"org": w.community1.pk, "member": w.b.pk, "role": "deputy_secretary", "portfolio": "",
                "started_on": "2024-01-01", "ended_on": "", "election": w.el1.pk}  # fmt: skip

    def created(self):
        return Position.objects.get(member=self.world.b, role="deputy_secretary")

    def update_data(self, obj):
        return {"org": obj.org_id, "member": obj.member_id, "role": obj.role, "portfolio": "organization",
                "started_on": obj.started_on.isoformat(), "ended_on": "", "election": ""}  # fmt: skip

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "org": self.world.community2.pk}

    def test_add_page_offers_the_orgs_members_and_asks_for_the_org_first(self):
        self.login(self.world.admin1)
        r = self.client.get(self.url("add"))
        self.assertContains(r, 'id="choose-parent"')
        self.assertNotContains(r, 'name="member"')
        r = self.client.get(self.url("add"), {"org": self.world.community1.pk})
        self.assertContains(r, 'id="parented-form"')
        options = re.findall(
            r'<option value="(\d+)"', r.content.decode().split('name="member"')[1].split("</select>")[0]
        )
        self.assertEqual(
            set(map(int, options)),
            {self.world.a.pk, self.world.b.pk, self.world.c.pk, self.world.d.pk, self.world.p.pk},
        )

    def test_second_secretary_is_refused_with_the_message_and_nothing_saved(self):
        self.login(self.world.admin1)
        before = ObjectChange.objects.count()
        data = {**self.create_data(), "role": "secretary", "election": ""}
        r = self.client.post(self.url("add"), data)
        self.assertEqual(r.status_code, 200)
        self.assertIn(self.world.a.name, " ".join(r.context["form"].errors["started_on"]))
        self.assertEqual(ObjectChange.objects.count(), before)
        r = self.client.post(self.url("add"), {**data, "role": "deputy_secretary", "started_on": "2024-02-01",
                                               "ended_on": "2024-01-31"})  # fmt: skip
        self.assertIn(gettext("A position cannot end before it starts."), all_errors(r.context["form"]))
        self.assertEqual(ObjectChange.objects.count(), before)


def candidate_rows(rows, initial=0) -> dict:
    data = {"candidates-TOTAL_FORMS": str(len(rows)), "candidates-INITIAL_FORMS": str(initial),
            "candidates-MIN_NUM_FORMS": "0", "candidates-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for i, (member, votes, elected) in enumerate(rows):
        data[f"candidates-{i}-member"] = member.pk if member else ""
        data[f"candidates-{i}-votes"] = "" if votes is None else str(votes)
        if elected:
            data[f"candidates-{i}-elected"] = "on"
    return data


class ElectionViewTests(LeadershipViewTests, TestCase):
    views = ElectionViews

    def object_in_scope(self):
        return self.world.el1

    def object_out_of_scope(self):
        return self.world.el2

    def label(self, obj):
        return obj.org.name

    def search_term(self, obj):
        return obj.org.code

    def fields(self, **over):
        d = {"org": self.world.community1.pk, "kind": "regular", "office": "committee", "held_on": "2025-03-01",
             "seats": "3", "voters_present": "4", "approval": "街道党工委批复",
             "note": ""}  # fmt: skip
        d.update(over)
        return d

    def create_data(self):
        w = self.world
        return {**self.fields(), **candidate_rows([(w.a, 4, True), (w.b, 4, True), (w.c, 3, True), (w.d, 1, False),
                                                  (None, None, False)])}  # fmt: skip

    def created(self):
        return Election.objects.get(held_on=D(2025, 3, 1))

    def update_data(self, obj):
        rows = [(c.member, c.votes, c.elected) for c in obj.candidates.all()]
        return {**self.fields(org=obj.org_id, held_on=obj.held_on.isoformat(), seats=str(obj.seats), note="改"),
                **candidate_rows([*rows, (None, None, False)], initial=len(rows))}  # fmt: skip

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "org": self.world.community2.pk}

    def test_create_writes_one_change_row(self):
        """One row for the election, one per candidate, and one for the org whose new term it starts."""
        self.login(self.world.admin1)
        before = ObjectChange.objects.count()
        r = self.client.post(self.url("add"), self.create_data())
        self.assertEqual(r.status_code, 302, r.context and r.context["form"].errors)
        election = self.created()
        self.assertEqual(election.candidates.count(), 4)
        self.assertEqual(ObjectChange.objects.count(), before + 1 + 4 + 1)
        self.assertEqual(Org.objects.get(pk=self.world.community1.pk).term_started_on, D(2025, 3, 1))

    def test_too_few_candidates_shows_the_rule_and_saves_nothing(self):
        self.login(self.world.admin1)
        w = self.world
        before = ObjectChange.objects.count()
        data = {**self.fields(), **candidate_rows([(w.a, 30, True), (w.b, 25, True), (w.c, 24, True)])}
        r = self.client.post(self.url("add"), data)
        self.assertEqual(r.status_code, 200)
        errors = r.context["form"].non_field_errors()
        self.assertTrue(errors)
        self.assertIn("4", errors[0])  # 3 seats need at least 4 candidates
        self.assertEqual(ObjectChange.objects.count(), before)
        self.assertFalse(Election.objects.filter(held_on=D(2025, 3, 1)).exists())
        self.assertEqual(Org.objects.get(pk=w.community1.pk).term_started_on, D(2024, 1, 1))  # unchanged
        data = {**self.fields(), **candidate_rows([(w.a, 30, True), (w.b, 25, True), (w.c, 24, True), (w.p, 1, False)])}
        r = self.client.post(self.url("add"), data)
        self.assertIn(w.p.name, " ".join(r.context["form"].non_field_errors()))
        self.assertEqual(ObjectChange.objects.count(), before)

    def test_edit_form_lists_the_candidates_and_detail_shows_them(self):
        self.login(self.world.admin1)
        r = self.client.get(self.url("edit", self.world.el1.pk))
        self.assertContains(r, 'id="candidates"')
        self.assertEqual(r.context["form"].candidates.initial_form_count(), 3)
        r = self.client.get(self.url("", self.world.el1.pk))
        for m in (self.world.a, self.world.b, self.world.c):
            self.assertContains(r, m.name)


class ResidentsCommitteeViewTests(LeadershipViewTests, TestCase):
    views = ResidentsCommitteeViews

    def object_in_scope(self):
        return self.world.rc1

    def object_out_of_scope(self):
        return self.world.rc2

    def label(self, obj):
        return obj.name

    def create_data(self):
        return {"area": self.world.ca3.pk, "name": "", "term_started_on": "2024-01-01"}

    def created(self):
        return ResidentsCommittee.objects.get(area=self.world.ca3)

    def update_data(self, obj):
        return {"area": obj.area_id, "name": obj.name + "（改）", "term_started_on": "2024-01-01"}

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "area": self.world.community_area2.pk}

    def test_detail_lists_the_seats(self):
        self.login(self.world.admin1)
        r = self.client.get(self.url("", self.world.rc1.pk))
        self.assertContains(r, 'id="seats"')
        self.assertContains(r, self.world.a.name)
        self.assertContains(r, reverse("leadership:residentsseat_add") + f"?committee={self.world.rc1.pk}")


class ResidentsSeatViewTests(LeadershipViewTests, TestCase):
    views = ResidentsSeatViews

    def object_in_scope(self):
        return self.world.seat1b

    def object_out_of_scope(self):
        return self.world.seat2

    def label(self, obj):
        return obj.holder_name

    def create_data(self):
        return {"committee": self.world.rc1.pk, "role": "member", "member": "", "person_name": "孙群众",
                "birth_date": "1975-01-01", "education": "high_school", "started_on": "2024-01-01",
                "ended_on": ""}  # fmt: skip

    def created(self):
        return ResidentsSeat.objects.get(person_name="孙群众")

    def update_data(self, obj):
        return {"committee": obj.committee_id, "role": obj.role, "member": obj.member_id or "", "person_name": "",
                "birth_date": "", "education": "", "started_on": obj.started_on.isoformat(),
                "ended_on": "2026-01-01"}  # fmt: skip

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "committee": self.world.rc2.pk}

    def test_seat_without_a_holder_is_refused(self):
        self.login(self.world.admin1)
        before = ObjectChange.objects.count()
        r = self.client.post(self.url("add"), {**self.create_data(), "person_name": ""})
        self.assertEqual(r.status_code, 200)
        self.assertIn(gettext("Choose a party member or enter the person's name."), all_errors(r.context["form"]))
        self.assertEqual(ObjectChange.objects.count(), before)


class OrgLeadershipSectionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = leadership_world()

    def page(self, org, user=None):
        self.client.force_login(user or self.world.admin1)
        r = self.client.get(org.get_absolute_url())
        self.assertEqual(r.status_code, 200)
        return r

    def test_section_shows_team_term_elections_flags_and_cadres(self):
        w = self.world
        r = self.page(w.community1)
        html = r.content.decode()
        self.assertIn('id="leadership"', html)
        self.assertEqual([p.member for p in r.context["positions"]], [w.a, w.c])  # secretary first
        self.assertIn('id="flag-one-shoulder"', html)  # 张一 is secretary and chair
        self.assertEqual(r.context["cross_appointed"], [w.a, w.c])
        self.assertIn(w.el1.get_absolute_url(), html)
        self.assertEqual(r.context["term"]["start"], D(2024, 1, 1))  # the general election started it
        self.assertEqual(r.context["term"]["regular_end"], D(2029, 1, 1))  # a community org: 5 years
        self.assertEqual(r.context["cadres"]["together"]["count"], 1)
        self.assertIn('data-group="together"', html)
        for name in ("position_add", "election_add"):
            self.assertIn(f"{reverse('leadership:' + name)}?org={w.community1.pk}", html)
        self.assertIn(reverse("leadership:org_extend_term", args=[w.community1.pk]), html)

    def test_viewer_gets_no_edit_links_and_other_community_is_not_one_shoulder(self):
        w = self.world
        html = self.page(w.community1, w.viewer1).content.decode()
        self.assertNotIn(reverse("leadership:position_add"), html)
        self.assertNotIn(reverse("leadership:org_extend_term", args=[w.community1.pk]), html)
        r = self.page(w.community2, w.superuser)
        self.assertIs(r.context["one_shoulder"], False)
        self.assertContains(r, 'id="flag-not-one-shoulder"')

    def test_community_without_committee_offers_to_add_one(self):
        r = self.page(self.world.community3)
        self.assertIsNone(r.context["residents_committee"])
        self.assertContains(r, reverse("leadership:residentscommittee_add") + f"?area={self.world.ca3.pk}")

    def test_extend_term_form(self):
        w = self.world
        url = reverse("leadership:org_extend_term", args=[w.community1.pk])
        self.client.force_login(w.viewer1)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(w.admin1)
        self.assertEqual(
            self.client.get(reverse("leadership:org_extend_term", args=[w.community2.pk])).status_code, 404
        )
        before = changes_for(w.community1)
        r = self.client.post(url, {"term_extended_to": "2030-01-01", "term_extension_approval": "批复"})
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].errors["term_extended_to"])  # more than 12 months past 2029-01-01
        self.assertEqual(changes_for(w.community1), before)
        r = self.client.post(url, {"term_extended_to": "2029-06-30", "term_extension_approval": "街道党工委批复"})
        self.assertEqual(r.status_code, 302)
        org = Org.objects.get(pk=w.community1.pk)
        self.assertEqual((org.term_extended_to, org.term_extension_approval), (D(2029, 6, 30), "街道党工委批复"))
        self.assertEqual(changes_for(w.community1), before + 1)
        self.assertContains(self.client.get(org.get_absolute_url()), 'id="extension"')
