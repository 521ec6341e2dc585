"""The rulebook's pages: who sees what, who may write, and the forms' errors (pages render in Chinese, so the
assertions look at status codes, ids, data attributes and the database)."""

from __future__ import annotations

import datetime
import re

from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.urls import reverse

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.models import ObjectChange, RuleParameter
from sqdj.core.rules import clear_cache, param
from sqdj.rulebook import services
from sqdj.testing import PASSWORD, build_world

D = datetime.date
RULE = "org.branch_max_members"


class RulebookViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.world = build_world()
        cls.district = do_create_user("district", password=PASSWORD, validate=False)
        do_grant_role(cls.district, role="district_admin", org=cls.world.district)
        cls.city = do_create_user("city", password=PASSWORD, validate=False)
        do_grant_role(cls.city, role="city_admin", org=cls.world.district)
        cls.national = RuleParameter.objects.get(rule_id=RULE, local=False)

    def setUp(self):
        clear_cache()

    def tearDown(self):
        clear_cache()

    def list_url(self, **query):
        url = reverse("rulebook:parameter_list")
        return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    def rule_url(self, rule_id=RULE):
        return reverse("rulebook:rule", args=[rule_id])

    def add_url(self, rule_id=RULE):
        return reverse("rulebook:variant_add", args=[rule_id])

    def end_url(self, row):
        return reverse("rulebook:variant_end", args=[row.pk])

    def variant(self, **data):
        data = {"value": 60, "effective_from": D(2025, 1, 1), **data}
        return services.do_add_local_variant(acting_user=None, rule_id=RULE, **data)

    def post_add(self, user, rule_id=RULE, **data):
        self.client.force_login(user)
        form = {"value": "60", "effective_from": "2025-01-01", "effective_to": "", "regulation": "", "article": "",
                "note": "区委组织部通知", **data}  # fmt: skip
        return self.client.post(self.add_url(rule_id), form)

    # viewing --------------------------------------------------------------------------------------
    def test_anonymous_goes_to_login(self):
        row = self.variant()
        for url in (self.list_url(), self.rule_url(), self.add_url(), self.end_url(row)):
            r = self.client.get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertTrue(r["Location"].startswith(reverse("login")), url)

    def test_every_signed_in_user_may_view(self):
        total = RuleParameter.objects.count()
        for user in (self.world.viewer1, self.world.nobody, self.world.admin1, self.district):
            self.client.force_login(user)
            r = self.client.get(self.list_url())
            self.assertEqual(r.status_code, 200, user)
            self.assertEqual(len(re.findall(r'data-rule="', r.content.decode())), total)
            r = self.client.get(self.rule_url())
            self.assertEqual(r.status_code, 200, user)
            self.assertContains(r, f'id="version-{self.national.pk}"')

    def test_list_shows_source_trust_and_in_force(self):
        row = self.variant(effective_from=D(2020, 1, 1))  # in force today, over the national row
        self.client.force_login(self.world.viewer1)
        r = self.client.get(self.list_url(rule_id=RULE))
        page = r.content.decode()
        self.assertEqual(re.findall(r'data-rule="([^"]+)"', page), [RULE, RULE])
        national_row = re.search(rf'data-pk="{self.national.pk}".*?</tr>', page, re.S).group(0)
        local_row = re.search(rf'data-pk="{row.pk}".*?</tr>', page, re.S).group(0)
        self.assertIn(self.national.regulation, national_row)
        self.assertIn(str(self.national.get_trust_display()), national_row)
        self.assertIn("50 人", national_row)
        self.assertIn("in-force", local_row)
        self.assertNotIn("in-force", national_row)

    def test_list_filters(self):
        row = self.variant(effective_from=D(2020, 1, 1), effective_to=D(2020, 12, 31))
        self.client.force_login(self.world.viewer1)
        page = self.client.get(self.list_url(kind="local")).content.decode()
        self.assertEqual(re.findall(r'data-pk="(\d+)"', page), [str(row.pk)])
        page = self.client.get(self.list_url(rule_id=RULE, in_force_on="2020-06-01")).content.decode()
        self.assertEqual(re.findall(r'data-pk="(\d+)"', page), [str(row.pk)])
        page = self.client.get(self.list_url(rule_id=RULE, in_force_on="2021-06-01")).content.decode()
        self.assertEqual(re.findall(r'data-pk="(\d+)"', page), [str(self.national.pk)])
        page = self.client.get(self.list_url(q="election")).content.decode()
        # the election rules: the 差额 ratio and the quorum
        shown = set(re.findall(r'data-rule="([^"]+)"', page))
        self.assertEqual(shown, {"election.min_extra_candidates_ratio", "election.quorum_ratio"})

    def test_rule_page_timeline_lookup_and_change_log(self):
        row = self.variant(effective_from=D(2025, 1, 1), effective_to=D(2025, 12, 31))
        self.client.force_login(self.world.viewer1)
        r = self.client.get(self.rule_url(), {"on": "2025-06-01"})
        self.assertContains(r, f'id="version-{row.pk}"')
        self.assertContains(r, 'id="lookup-result"')
        self.assertIn("60 人", re.search(r'id="lookup-result">(.*?)</p>', r.content.decode(), re.S).group(1))
        r = self.client.get(self.rule_url(), {"on": "2026-01-01"})
        self.assertIn("50 人", re.search(r'id="lookup-result">(.*?)</p>', r.content.decode(), re.S).group(1))
        changes = re.search(r'id="changes".*?</table>', r.content.decode(), re.S).group(0)
        self.assertIn("2025-12-31", changes)  # the create row of the variant, with its dates
        self.assertEqual(self.client.get(self.rule_url(), {"on": "bad"}).status_code, 200)  # the error is shown

    def test_unknown_rule_is_404(self):
        self.client.force_login(self.district)
        self.assertEqual(self.client.get(self.rule_url("org.no_such_rule")).status_code, 404)
        self.assertEqual(self.client.get(self.add_url("org.no_such_rule")).status_code, 404)
        self.assertEqual(self.client.get(reverse("rulebook:variant_end", args=[999999])).status_code, 404)

    def test_navigation_entry(self):
        self.client.force_login(self.world.viewer1)
        self.assertContains(self.client.get(reverse("home")), f'href="{self.list_url()}"')

    # writing --------------------------------------------------------------------------------------
    def test_viewers_and_lower_admins_may_not_write(self):
        row = self.variant()
        rows = RuleParameter.objects.count()
        for user in (self.world.viewer1, self.world.nobody, self.world.admin1):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.add_url()).status_code, 403, user)
            self.assertEqual(self.post_add(user, effective_from="2030-01-01").status_code, 403, user)
            self.assertEqual(self.client.get(self.end_url(row)).status_code, 403, user)
            self.assertEqual(self.client.post(self.end_url(row), {"effective_to": "2025-06-30"}).status_code, 403)
            page = self.client.get(self.rule_url()).content.decode()
            self.assertNotIn('id="add-variant"', page)
            self.assertNotIn(self.end_url(row), page)
        self.assertEqual(RuleParameter.objects.count(), rows)
        row.refresh_from_db()
        self.assertIsNone(row.effective_to)

    def test_district_admin_adds_a_local_variant(self):
        self.client.force_login(self.district)
        page = self.client.get(self.rule_url()).content.decode()
        self.assertIn('id="add-variant"', page)
        r = self.client.get(self.add_url())
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["form"]["regulation"].initial, self.national.regulation)
        self.assertEqual(param(RULE, D(2025, 6, 1)), 50)
        r = self.post_add(self.district, effective_to="2025-12-31")
        row = RuleParameter.objects.get(rule_id=RULE, local=True)
        self.assertRedirects(r, f"{self.rule_url()}#version-{row.pk}", fetch_redirect_response=False)
        expected = (60, "LOCAL", self.national.regulation, self.national.article, "members", "区委组织部通知")
        self.assertEqual((row.value, row.trust, row.regulation, row.article, row.unit, row.note), expected)
        change = ObjectChange.objects.get(
            content_type=ContentType.objects.get_for_model(RuleParameter), object_id=row.pk
        )
        self.assertEqual((change.action, change.user), ("create", self.district))
        self.assertIsNotNone(change.request_id)  # made in a request, by the middleware's context
        # the checks see it at once, for the dates of its window only
        self.assertEqual(param(RULE, D(2025, 6, 1)), 60)
        self.assertEqual(param(RULE, D(2026, 1, 1)), 50)
        self.assertEqual(param(RULE, D(2024, 12, 31)), 50)

    def test_city_admin_and_superuser_may_add(self):
        self.assertEqual(self.post_add(self.city, effective_to="2025-06-30").status_code, 302)
        self.assertEqual(self.post_add(self.world.superuser, effective_from="2025-07-01").status_code, 302)
        self.assertEqual(RuleParameter.objects.filter(rule_id=RULE, local=True).count(), 2)

    def test_bad_input_shows_errors_and_saves_nothing(self):
        self.variant(effective_from=D(2025, 1, 1), effective_to=D(2025, 12, 31))
        rows, changes = RuleParameter.objects.count(), ObjectChange.objects.count()
        cases = [
            ({"effective_from": "2025-01-01", "effective_to": "2024-01-01"}, "effective_to"),
            ({"effective_from": "2025-06-01"}, "effective_from"),  # overlaps the variant above
            ({"effective_from": "2026-01-01", "value": "-5"}, "value"),
            ({"effective_from": "2026-01-01", "value": "五十"}, "value"),
            ({"effective_from": "2026-01-01", "value": "50.5"}, "value"),
            ({"effective_from": "2026-01-01", "value": ""}, "value"),
            ({"effective_from": "not a date"}, "effective_from"),
        ]
        for data, field in cases:
            r = self.post_add(self.district, **data)
            self.assertEqual(r.status_code, 200, data)
            self.assertIn(field, r.context["form"].errors, data)
            self.assertContains(r, f'data-field="{field}"')
        r = self.post_add(
            self.district, "election.min_extra_candidates_ratio", effective_from="2026-01-01", value="1.2"
        )
        self.assertIn("value", r.context["form"].errors)
        self.assertEqual((RuleParameter.objects.count(), ObjectChange.objects.count()), (rows, changes))

    def test_end_a_local_variant(self):
        row = self.variant(effective_from=D(2025, 1, 1))
        self.client.force_login(self.district)
        page = self.client.get(self.rule_url()).content.decode()
        self.assertIn(self.end_url(row), page)
        self.assertNotIn(self.end_url(self.national), page)
        self.assertEqual(self.client.get(self.end_url(row)).status_code, 200)
        r = self.client.post(self.end_url(row), {"effective_to": "2024-06-30"})  # before its start
        self.assertEqual(r.status_code, 200)
        self.assertIn("effective_to", r.context["form"].errors)
        row.refresh_from_db()
        self.assertIsNone(row.effective_to)
        self.assertEqual(param(RULE, D(2025, 8, 1)), 60)
        r = self.client.post(self.end_url(row), {"effective_to": "2025-06-30"})
        self.assertEqual(r.status_code, 302)
        row.refresh_from_db()
        self.assertEqual(row.effective_to, D(2025, 6, 30))
        self.assertEqual(param(RULE, D(2025, 6, 30)), 60)
        self.assertEqual(param(RULE, D(2025, 7, 1)), 50)
        self.assertTrue(ObjectChange.objects.filter(object_id=row.pk, action="update", user=self.district).exists())

    def test_national_rows_are_read_only_in_the_ui(self):
        for user in (self.district, self.world.superuser):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.end_url(self.national)).status_code, 403)
            r = self.client.post(self.end_url(self.national), {"effective_to": "2025-06-30"})
            self.assertEqual(r.status_code, 403)
        self.national.refresh_from_db()
        self.assertIsNone(self.national.effective_to)

    def test_a_share_is_typed_as_a_fraction(self):
        rule = "appraisal.max_excellent_share"
        r = self.post_add(self.district, rule, value="1/4")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(RuleParameter.objects.get(rule_id=rule, local=True).value, {"numerator": 1, "denominator": 4})
        r = self.post_add(self.district, rule, value="4/3", effective_from="2030-01-01")
        self.assertIn("value", r.context["form"].errors)
