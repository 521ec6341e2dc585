"""core.paging: a scope read path by path gives the rows, in the order, that the plain OR of the paths gives; a page
past the middle is read from the end; counts are exact up to the limit, then PostgreSQL's estimate."""

from __future__ import annotations

import datetime
import importlib

import django_filters
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from sqdj.core.filtersets import BaseFilterSet
from sqdj.core.paging import LAST, ScopedPaginator, cheap_count, estimate_rows, exact_count, page_rows
from sqdj.members.choices import Category
from sqdj.members.models import Member
from sqdj.members.services import do_create_member, do_register
from sqdj.testing import build_world
from sqdj.testing.api import api_client
from sqdj.testing.members import member_data

ORDER = ("org__path", "name")
NAMES = ["赵一", "钱二", "孙三", "李四", "周五", "吴六", "郑七", "王八", "冯九", "陈十", "褚十一", "卫十二"]


def paths_read_apart() -> bool:
    """Whether this database reads the scope's paths as a UNION ALL (PostgreSQL; SQLite reads the OR as it is)."""
    return connection.features.supports_slicing_ordering_in_compound


class ScopePathsTests(TestCase):
    """admin1 (community 甲) sees branch 1's members through the org tree, and branch 2's members registered with
    甲社区 through the territory: two paths. One member of branch 1 is registered with 甲 too (on both paths)."""

    @classmethod
    def setUpTestData(cls):
        cls.world = w = build_world()
        made = []
        for i, name in enumerate(NAMES):
            org = w.branch1 if i % 2 == 0 else w.branch2
            made.append(do_create_member(acting_user=None, **member_data(org, seq=20 + i, name=name)))
        day = datetime.date(2024, 3, 1)
        for m in made[1:8:2] + [made[0]]:  # four of branch 2, and one of branch 1 (already in scope by its org)
            Member.objects.filter(pk=m.pk).update(category=Category.EMPLOYED)
            m.refresh_from_db()
            do_register(m, acting_user=None, community=w.community_area1, registered_on=day)
        cls.expected_pks = sorted(
            [m.pk for m in made if m.org_id == w.branch1.pk] + [m.pk for m in made[1:8:2]],
            key=lambda pk: next((m.org.path, m.name, m.pk) for m in made if m.pk == pk),
        )

    def scoped(self):
        return Member.objects.select_related("org").restrict(self.world.admin1, "view").order_by(*ORDER)

    def test_the_scope_has_two_paths(self):
        qs = self.scoped()
        self.assertEqual(len(qs.scope_paths), 2)
        self.assertEqual([m.pk for m in qs], self.expected_pks)  # the plain OR: the reference

    def test_every_page_forwards_and_backwards_is_the_plain_orders_slice(self):
        qs = self.scoped()
        expected = self.expected_pks
        n = len(expected)
        counted = cheap_count(qs)
        self.assertEqual((counted.value, counted.exact), (n, True))
        for limit in (1, 3, 4, n):
            for offset in range(n + 1):
                with self.subTest(limit=limit, offset=offset):
                    rows = page_rows(qs, offset, limit, counted)
                    self.assertEqual([m.pk for m in rows], expected[offset : offset + limit])
                    from_end = page_rows(qs, offset, limit, counted, from_end=True)
                    self.assertEqual([m.pk for m in from_end], expected[max(0, n - offset - limit) : n - offset])

    def test_other_orders_and_filters(self):
        for order in (("-birth_date", "name"), ("name",), ("-org__path", "-name")):
            qs = self.scoped().filter(sex="male").order_by(*order)
            expected = [m.pk for m in qs]
            counted = cheap_count(qs)
            for offset in range(len(expected)):
                with self.subTest(order=order, offset=offset):
                    self.assertEqual([m.pk for m in page_rows(qs, offset, 2, counted)], expected[offset : offset + 2])

    def test_a_member_on_both_paths_appears_once(self):
        pks = [m.pk for m in page_rows(self.scoped(), 0, 100, cheap_count(self.scoped()))]
        self.assertEqual(len(pks), len(set(pks)))
        self.assertEqual(sorted(pks), sorted(self.expected_pks))

    def test_paths_are_read_apart_where_the_database_can(self):
        qs = self.scoped()
        with CaptureQueriesContext(connection) as q:
            page_rows(qs, 0, 3, cheap_count(qs))
        union = [x["sql"] for x in q.captured_queries if "UNION ALL" in x["sql"]]
        self.assertEqual(len(union), 1 if paths_read_apart() else 0)
        if paths_read_apart():
            # each path alone, without the OR of the two (which would keep the planner from an index walk)
            self.assertEqual(union[0].count(" OR "), 0)

    def test_a_page_is_two_statements_whatever_the_sizes(self):
        """One count and one read, whether the paths are counted or estimated, small or large, empty or not: the
        query baselines of tests/test_query_counts.py, taken on small data, hold at city scale."""
        cases = {
            "counted": {},
            "estimated": {"SQDJ_LIST_EXACT_COUNT": 1, "SQDJ_LIST_TRUST_ESTIMATE": 1},
            "counted past the limit": {"SQDJ_LIST_EXACT_COUNT": 1, "SQDJ_LIST_TRUST_ESTIMATE": 10**9},
        }
        filters = {"both paths": False, "the registrations path empty": True}  # (branch 2's registered members)
        for case, values in cases.items():
            for which, branch1_only in filters.items():
                for offset, from_end in ((0, False), (3, False), (0, True)):
                    with self.subTest(case=case, paths=which, offset=offset, from_end=from_end):
                        qs = self.scoped().filter(org=self.world.branch1) if branch1_only else self.scoped()
                        cache.clear()  # an estimate is kept a while (the next test): here, the first reading
                        with override_settings(**values), CaptureQueriesContext(connection) as q:
                            rows = page_rows(qs, offset, 2, cheap_count(qs), from_end=from_end)
                        self.assertEqual(len(q.captured_queries), 2, [x["sql"][:80] for x in q.captured_queries])
                        self.assertTrue(rows)

    def test_a_list_that_matches_nothing(self):
        for name, empty in (("none()", self.scoped().none()), ("pk__in=[]", self.scoped().filter(pk__in=[]))):
            with self.subTest(name):
                counted = cheap_count(empty)
                self.assertEqual((counted.value, counted.exact), (0, True))
                self.assertEqual(page_rows(empty, 0, 5, counted), [])
                self.assertEqual(exact_count(empty).value, 0)
        self.client.force_login(self.world.admin1)
        body = api_client(self.world.admin1).get("/api/v1/members/?org=NO-SUCH-ORG").json()
        self.assertEqual((body["count"], body["results"]), (0, []))
        self.assertEqual(self.client.get("/members/?org=NO-SUCH-ORG").status_code, 200)

    def test_an_exact_count_is_one_statement(self):
        qs = self.scoped()
        with CaptureQueriesContext(connection) as q:
            counted = exact_count(qs)
        self.assertEqual((counted.value, counted.exact, len(q.captured_queries)), (len(self.expected_pks), True, 1))
        self.assertEqual(sum(counted.paths), counted.value)

    def test_without_scope_union_drops_only_the_union(self):
        qs = self.scoped().filter(sex="male")
        base = qs.without_scope_union()
        self.assertIsNotNone(base)
        self.assertGreater(base.count(), qs.count())  # the union is gone …
        self.assertTrue(all(m.sex == "male" for m in base))  # … and the filter after it stays
        self.assertIsNone(Member.objects.filter(sex="male").without_scope_union())  # never restricted

    def test_the_last_page_of_the_paginator(self):
        qs = self.scoped()
        paginator = ScopedPaginator(qs, 5)
        n = len(self.expected_pks)
        last = paginator.page(LAST)
        self.assertEqual(last.number, paginator.num_pages)
        self.assertEqual([m.pk for m in last.object_list], self.expected_pks[(paginator.num_pages - 1) * 5 : n])
        self.assertEqual(paginator.page(LAST).object_list, paginator.page(paginator.num_pages).object_list)

    def test_a_list_is_paged_the_plain_way(self):
        paginator = ScopedPaginator(list(range(12)), 5)
        self.assertEqual(list(paginator.page(LAST).object_list), [10, 11])
        self.assertEqual(paginator.count, 12)


@override_settings(SQDJ_LIST_EXACT_COUNT=2, SQDJ_LIST_TRUST_ESTIMATE=2)
class EstimatedCountTests(TestCase):
    """Beyond the trust threshold PostgreSQL's estimate stands in for the count (marked approximate); other databases
    count."""

    @classmethod
    def setUpTestData(cls):
        cls.world = w = build_world()
        for i, name in enumerate(NAMES):
            do_create_member(acting_user=None, **member_data(w.branch1, seq=40 + i, name=name))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the planner's statistics, as autovacuum keeps them
                cursor.execute("ANALYZE members_member")
                cursor.execute("ANALYZE orgs_org")

    def setUp(self):
        cache.clear()  # exact counts of deep offsets are cached under their statement, which another test repeats

    def qs(self):
        return Member.objects.restrict(self.world.admin1, "view").order_by(*ORDER)

    def test_count(self):
        counted = cheap_count(self.qs())
        if connection.vendor == "postgresql":
            self.assertFalse(counted.exact)
            branch = self.qs().without_scope_union() if len(self.qs().scope_paths) > 1 else self.qs()
            self.assertGreater(counted.value, 2)
            self.assertLessEqual(estimate_rows(branch.filter(self.qs().scope_paths[0])), counted.value)
        else:
            self.assertEqual((counted.value, counted.exact), (len(NAMES), True))

    @override_settings(SQDJ_LIST_EXACT_COUNT=1000, SQDJ_LIST_TRUST_ESTIMATE=0)
    def test_a_large_estimate_is_trusted_without_counting(self):
        counted = cheap_count(self.qs())
        if connection.vendor == "postgresql":
            self.assertFalse(counted.exact)  # the estimate is above SQDJ_LIST_TRUST_ESTIMATE: nothing was counted
        else:
            self.assertEqual((counted.value, counted.exact), (len(NAMES), True))

    @override_settings(SQDJ_LIST_TRUST_ESTIMATE=10**9)
    def test_past_the_limit_below_the_threshold_is_counted_exactly(self):
        """A planner's guess under the trust threshold is not shown once more rows than the limit were seen: it
        has proved low, and may be far off (a subtree filtered inside a scope: two conditions on one path column,
        a tenth of the truth at city scale)."""
        counted = cheap_count(self.qs())
        self.assertEqual((counted.value, counted.exact), (len(NAMES), True))

    def test_the_exact_count_of_a_deep_offset_is_kept_a_while(self):
        qs = self.qs()
        first = exact_count(qs, cached=True)
        self.assertEqual((first.value, first.exact), (len(NAMES), True))
        with CaptureQueriesContext(connection) as q:
            again = exact_count(qs, cached=True)
        self.assertEqual((again, len(q.captured_queries)), (first, 0))
        with CaptureQueriesContext(connection) as q:  # another filter is another count
            self.assertEqual(exact_count(qs.filter(sex="female"), cached=True).value, qs.filter(sex="female").count())
        self.assertTrue(q.captured_queries)
        with override_settings(SQDJ_LIST_COUNT_CACHE_SECONDS=0), CaptureQueriesContext(connection) as q:
            exact_count(qs, cached=True)
        self.assertTrue(q.captured_queries)

    def test_an_estimate_is_kept_a_while_an_exact_count_never(self):
        """Paging through an estimated list re-counts nothing for a minute ("约 N" does not move with a minute's
        writes); an exact count is read every time, so that a member just added is counted at once."""
        qs = self.qs()
        first = cheap_count(qs)
        with CaptureQueriesContext(connection) as q:
            again = cheap_count(qs)
        self.assertEqual(again, first)
        self.assertEqual(len(q.captured_queries), 0 if connection.vendor == "postgresql" else 1)
        with override_settings(SQDJ_LIST_EXACT_COUNT=1000, SQDJ_LIST_TRUST_ESTIMATE=1000):
            before = cheap_count(qs)
            do_create_member(acting_user=None, **member_data(self.world.branch1, seq=90, name="新来"))
            after = cheap_count(qs)
        self.assertTrue(before.exact and after.exact)
        self.assertEqual(after.value, before.value + 1)
        with override_settings(SQDJ_LIST_COUNT_CACHE_SECONDS=0), CaptureQueriesContext(connection) as q:
            cheap_count(qs)
            cheap_count(qs)
        self.assertEqual(len(q.captured_queries), 2)  # nothing kept

    @override_settings(SQDJ_LIST_EXACT_COUNT=1000, SQDJ_LIST_TRUST_ESTIMATE=1000)
    def test_exact_below_the_limit(self):
        counted = cheap_count(self.qs())
        self.assertEqual((counted.value, counted.exact), (len(NAMES), True))

    def test_list_page_and_api_say_so(self):
        self.client.force_login(self.world.admin1)
        html = self.client.get("/members/").content.decode()
        body = api_client(self.world.admin1).get("/api/v1/members/?limit=5").json()
        approximate = connection.vendor == "postgresql"
        self.assertEqual("约" in html.split("<h1", 1)[1].split("</h1>", 1)[0], approximate)
        self.assertEqual(body["count_approximate"], approximate)
        self.assertEqual(len(body["results"]), 5)
        self.assertIsNotNone(body["next"])
        tail = api_client(self.world.admin1).get(f"/api/v1/members/?limit=5&offset={len(NAMES) - 2}").json()
        self.assertEqual(len(tail["results"]), 2)
        self.assertIsNone(tail["next"])  # known from the rows read, not from the estimate

    def test_last_page_of_an_estimated_list(self):
        self.client.force_login(self.world.admin1)
        names = sorted(NAMES)  # one branch: the order is by name
        response = self.client.get("/members/?page=last")
        self.assertEqual(response.status_code, 200)
        page = response.context["table"].page
        shown = [row.record.name for row in page.object_list]
        self.assertEqual(shown, names[-len(shown) :])
        self.assertTrue(shown)

    def test_a_deep_offset_of_an_estimated_list_is_read_from_the_end(self):
        qs = self.qs()
        names = sorted(NAMES)
        counted = cheap_count(qs)
        for offset in range(len(NAMES)):
            with self.subTest(offset=offset):
                rows = page_rows(qs, offset, 5, counted)
                self.assertEqual([m.name for m in rows], names[offset : offset + 5])
        body = api_client(self.world.admin1).get(f"/api/v1/members/?limit=5&offset={len(NAMES) - 3}").json()
        self.assertEqual([m["name"] for m in body["results"]], names[-3:])


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_list_filter_asks_for_distinct():
    """A choice filter on the list's own columns reads no join; DISTINCT over every column would make a city's
    org or member list count and sort all of its rows (the org list's `?type=branch` did)."""
    for config in apps.get_app_configs():  # every app's filtersets module, so that its classes exist
        if config.name.startswith("sqdj."):
            try:
                importlib.import_module(f"{config.name}.filtersets")
            except ModuleNotFoundError:
                pass
    checked = 0
    for filterset in _subclasses(BaseFilterSet):
        for name, f in filterset.base_filters.items():
            if isinstance(f, django_filters.MultipleChoiceFilter) and not f.field_name.count("__"):
                assert not f.distinct, f"{filterset.__name__}.{name}"
                checked += 1
    assert checked >= 5
