"""The three lists' rules (units.lists): a need's status follows its projects, the transitions, the territory of
a project's resources, the suggested matches criterion by criterion, the units' liaisons' view of projects, and
the to-do of needs waiting for a project (both sides of the date edge, its count equal to its list)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from sqdj.accounts.services import do_grant_role
from sqdj.core import dates
from sqdj.core.models import ObjectChange
from sqdj.units import lists
from sqdj.units.list_workbench import KEY, todos
from sqdj.units.models import Need, Project, Resource

from .test_lists_world import D, lists_world, unit


def codes(exc: ValidationError, field: str) -> list[str]:
    return [e.code for e in exc.error_dict.get(field, [])]


class NeedAndProjectRulesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = lists_world()

    def test_a_project_matches_its_need_and_cancelling_it_reopens_the_need(self):
        w = self.world
        self.assertEqual(Need.objects.get(pk=w.need2.pk).status, "matched")
        p = lists.do_create_project(acting_user=w.admin1, org=w.community1, need=w.need1, title="老年活动室")
        self.assertEqual(Need.objects.get(pk=w.need1.pk).status, "matched")
        lists.do_update_project(p, acting_user=w.admin1, status="cancelled")
        self.assertEqual(Need.objects.get(pk=w.need1.pk).status, "open")

    def test_matched_only_through_a_project_and_transitions_kept(self):
        w = self.world
        with self.assertRaises(ValidationError) as cm:
            lists.do_update_need(w.need1, acting_user=w.admin1, status="matched")
        self.assertEqual(codes(cm.exception, "status"), ["matched_by_project"])
        need = lists.do_update_need(w.need1, acting_user=w.admin1, status="closed")
        self.assertEqual(need.status, "closed")
        with self.assertRaises(ValidationError) as cm:
            lists.do_create_project(acting_user=w.admin1, org=w.community1, need=need, title="迟到的项目")
        self.assertEqual(codes(cm.exception, "need"), ["need_closed"])

    def test_project_status_follows_its_table(self):
        w = self.world
        with self.assertRaises(ValidationError) as cm:
            lists.do_update_project(w.proj1, acting_user=w.admin1, status="done")  # planned → done skips running
        self.assertEqual(codes(cm.exception, "status"), ["transition"])
        p = lists.do_update_project(w.proj1, acting_user=w.admin1, status="running")
        p = lists.do_update_project(p, acting_user=w.admin1, status="done", people_served=30, outcome="圆满完成")
        self.assertEqual((p.status, p.people_served), ("done", 30))

    def test_need_of_another_org_is_refused(self):
        with self.assertRaises(ValidationError) as cm:
            lists.do_create_project(acting_user=None, org=self.world.community1, need=self.world.need2, title="错配")
        self.assertEqual(codes(cm.exception, "need"), ["need_of_other_org"])

    def test_resource_outside_the_territory_writes_nothing_on_update_either(self):
        w = self.world
        before = (list(w.proj1.resources.all()), ObjectChange.objects.count())
        with self.assertRaises(ValidationError) as cm:
            lists.do_update_project(w.proj1, acting_user=None, resources=[w.res1, w.res2], title="改名")
        self.assertEqual(codes(cm.exception, "resources"), ["resource_outside_territory"])
        self.assertIn("资源所属单位不在本社区范围内", cm.exception.error_dict["resources"][0].messages[0])
        self.assertEqual((list(w.proj1.resources.all()), ObjectChange.objects.count()), before)
        self.assertEqual(Project.objects.get(pk=w.proj1.pk).title, "甲社区周末课堂")

    def test_a_resource_of_a_unit_in_a_grid_below_the_community_is_within(self):
        w = self.world
        res = lists.do_create_resource(acting_user=w.admin1, unit=w.unit1b, category="skills", title="图书整理")
        p = lists.do_create_project(acting_user=w.admin1, org=w.community1, title="读书角", resources=[res])
        self.assertEqual(list(p.resources.all()), [res])

    def test_an_ended_unit_offers_nothing(self):
        w = self.world
        gone = unit("已注销公司", "91110000000000009A", w.community_area1, status="deregistered")
        with self.assertRaises(ValidationError) as cm:
            lists.do_create_resource(acting_user=w.admin1, unit=gone, category="venue", title="旧仓库")
        self.assertEqual(codes(cm.exception, "unit"), ["unit_ended"])


class SuggestionTests(TestCase):
    """need1: a venue in 甲社区 wanted 2026-01-01 – 2026-12-31; res1: 甲公司会议室 (30 people, from 2026-03-01)."""

    @classmethod
    def setUpTestData(cls):
        cls.world = w = lists_world()
        do_grant_role(w.admin1, role="subdistrict_admin", org=w.street, descendants=True)  # sees 乙社区's units too

    def offer(self, **over):
        data = {"unit": self.world.unit1, "category": "venue", "title": "候选资源", "capacity": 10, **over}
        return lists.do_create_resource(acting_user=None, **data)

    def suggested(self, need=None):
        return [s.resource for s in lists.suggestions(need or self.world.need1, self.world.admin1)]

    def test_the_same_category_only(self):
        other = self.offer(category="funds")
        self.assertIn(self.world.res1, self.suggested())
        self.assertNotIn(other, self.suggested())

    def test_offered_ones_only(self):
        withdrawn = self.offer(active=False)
        self.assertNotIn(withdrawn, self.suggested())

    def test_units_in_the_communitys_territory_only(self):
        self.assertNotIn(self.world.res2, self.suggested())  # 乙社区's unit, visible to the user
        in_grid = self.offer(unit=self.world.unit1b)
        self.assertIn(in_grid, self.suggested())

    def test_not_of_ended_units(self):
        res = self.offer()
        type(res.unit).objects.filter(pk=res.unit_id).update(status="moved_out")
        self.assertNotIn(res, self.suggested())

    def test_availability_must_overlap_the_wanted_window(self):
        before = self.offer(available_from=D(2025, 1, 1), available_until=D(2025, 12, 31))
        after = self.offer(available_from=D(2027, 1, 1))
        touching = self.offer(available_from=D(2025, 6, 1), available_until=D(2026, 1, 1))  # the first day
        last_day = self.offer(available_from=D(2026, 12, 31))
        open_ended = self.offer()
        shown = self.suggested()
        self.assertNotIn(before, shown)
        self.assertNotIn(after, shown)
        for r in (touching, last_day, open_ended):
            self.assertIn(r, shown)

    def test_a_need_without_a_window_overlaps_everything(self):
        w = self.world
        need = lists.do_create_need(acting_user=None, org=w.community1, category="venue", title="随时",
                                    beneficiaries="居民")  # fmt: skip
        long_ago = self.offer(available_until=D(2001, 1, 1))
        self.assertIn(long_ago, self.suggested(need))

    def test_the_same_area_first_then_the_largest_capacity(self):
        w = self.world
        big_in_grid = self.offer(unit=w.unit1b, capacity=500)
        big_here = self.offer(capacity=100)
        no_capacity = self.offer(capacity=None)
        self.assertEqual(self.suggested(), [big_here, w.res1, no_capacity, big_in_grid])

    def test_resources_already_in_a_project_of_the_need_are_left_out(self):
        w = self.world
        lists.do_create_project(acting_user=None, org=w.community1, need=w.need1, title="已承接", resources=[w.res1])
        self.assertNotIn(w.res1, self.suggested())

    def test_only_what_the_user_may_see(self):
        w = self.world
        self.assertEqual([s.resource for s in lists.suggestions(w.need1, w.nobody)], [])


class LiaisonTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = lists_world()

    def test_scope_self_q_shows_the_projects_of_the_liaisons_unit(self):
        w = self.world
        self.assertEqual(set(Project.objects.restrict(w.liaison, "view")), {w.proj1})
        self.assertEqual(set(Resource.objects.restrict(w.liaison, "view")), {w.res1})
        self.assertFalse(Project.objects.restrict(w.liaison, "change").exists())

    def test_the_liaison_opens_the_project_page_not_the_others(self):
        w = self.world
        self.client.force_login(w.liaison)
        self.assertEqual(self.client.get(w.proj1.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(w.proj2.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(w.proj1.get_absolute_url() + "edit/").status_code, 403)

    def test_an_ended_liaison_sees_nothing(self):
        w = self.world
        w.liaison.unit_contacts.update(ended_on=dates.today())
        self.assertFalse(Project.objects.restrict(w.liaison, "view").exists())


class WaitingNeedsTodoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = w = lists_world()
        today = dates.today()
        day = datetime.timedelta(days=1)

        def need(title, wanted_from, org=None):
            return lists.do_create_need(acting_user=None, org=org or w.community1, category="funds", title=title,
                                        beneficiaries="居民", wanted_from=wanted_from)  # fmt: skip

        w.yesterday = need("昨天起需要", today - day)
        w.today = need("今天起需要", today)
        w.taken = need("已有项目", today - 5 * day)
        lists.do_create_project(acting_user=None, org=w.community1, need=w.taken, title="承接项目")
        w.closed = need("已关闭", today - 5 * day)
        lists.do_update_need(w.closed, acting_user=None, status="closed")
        w.other = need("乙社区的", today - day, org=w.community2)

    def collect(self, user):
        return [t for source in todos for t in source.collect(user)]

    def test_past_wanted_from_open_and_without_a_project(self):
        w = self.world
        (todo,) = self.collect(w.admin1)
        # need1 wanted from 2026-01-01 has no project either: past as well
        expected = {w.yesterday.pk, w.need1.pk} if w.need1.wanted_from < dates.today() else {w.yesterday.pk}
        self.assertEqual(set(lists.needs_waiting(w.admin1).values_list("pk", flat=True)), expected)
        self.assertEqual(todo.count, len(expected))
        self.assertEqual(todo.key, KEY)

    def test_the_list_holds_as_many_rows_as_the_count(self):
        w = self.world
        (todo,) = self.collect(w.admin1)
        self.client.force_login(w.admin1)
        r = self.client.get(todo.url)
        self.assertEqual(todo.url, reverse("todo_list") + f"?list={KEY}")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["total"], todo.count)
        self.assertContains(r, w.yesterday.title)
        self.assertNotContains(r, w.today.title)

    def test_only_for_those_who_may_change_the_org(self):
        w = self.world
        self.assertEqual(self.collect(w.viewer1), [])
        self.assertEqual(self.collect(w.liaison), [])
        self.assertEqual(self.collect(w.nobody), [])
