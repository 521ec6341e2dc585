"""Visit pages and API (issue 17 item 5): the scope contract (ScopedViewTests, ScopedAPITests), the list's filters,
the detail's one-step links (a request opened from the visit: area and source prefilled, the visit recorded), the
coverage page, no English on the pages."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import NoReverseMatch, reverse

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.members.self_service import do_link_user
from sqdj.services import visits
from sqdj.services.choices import Source
from sqdj.services.models import Request, Visit
from sqdj.services.tests.test_visits import VisitWorld
from sqdj.services.visit_views import VisitViews
from sqdj.testing import PASSWORD, ScopedViewTests
from sqdj.testing.api import ScopedAPITests

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return VisitWorld()


class VisitViewTests(ScopedViewTests, TestCase):
    views = VisitViews

    @classmethod
    def setUpTestData(cls):
        cls.world = VisitWorld()

    def marker(self, obj):
        return obj.heard

    def test_export_holds_only_the_scope(self):
        """No export for this list: `?export=` shows the list page, still the scope only."""
        self.login(self.world.admin1)
        r = self.client.get(self.url("list"), {"export": "csv"})
        self.assertTrue(r["Content-Type"].startswith("text/html"))
        self.assertContains(r, self.marker(self.in_scope()))
        self.assertNotContains(r, self.marker(self.out_of_scope()))

    def in_scope(self):
        return self.world.visit1

    def out_of_scope(self):
        return self.world.visit2

    # a visit has no name: the base's two list checks, by what was heard
    def test_in_scope_is_visible(self):
        self.login(self.world.admin1)
        obj = self.in_scope()
        self.assertEqual(self.client.get(self.url("", obj.pk)).status_code, 200)
        self.assertContains(self.client.get(self.url("list"), {"q": "楼道"}, follow=True), obj.heard)

    def test_out_of_scope_is_404_everywhere(self):
        self.login(self.world.admin1)
        obj = self.out_of_scope()
        for url in self.object_urls(obj, "", "edit", "delete", "changes"):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.post(self.url("edit", obj.pk), self.update_data(obj)).status_code, 404)
        self.assertEqual(self.client.post(self.url("delete", obj.pk)).status_code, 404)
        self.assertNotContains(self.client.get(self.url("list"), {"q": "乙社区"}, follow=True), obj.heard)

    def create_data(self):
        w = self.world
        return {
            "area": w.b11.pk,
            "visited_on": w.today().isoformat(),
            "household": "",
            "visitor_1": w.member.pk,
            "visitor_2": "",
            "visitor_3": "",
            "other_visitors": "居委会",
            "heard": "新记录的走访内容",
        }

    def created(self):
        return Visit.objects.get(heard="新记录的走访内容")

    def update_data(self, obj):
        return {
            "area": obj.area.pk,
            "visited_on": obj.visited_on.isoformat(),
            "household": "",
            "visitor_1": "",
            "visitor_2": "",
            "visitor_3": "",
            "other_visitors": "",
            "heard": "改过的内容",
        }

    def foreign_scope_data(self, obj):
        return {**self.update_data(obj), "area": self.world.b_other.pk}


class VisitAPITests(ScopedAPITests, TestCase):
    basename = "resident-visit"
    scope_field = "area"

    @classmethod
    def setUpTestData(cls):
        cls.world = VisitWorld()

    def in_scope(self):
        return self.world.visit1

    def out_of_scope(self):
        return self.world.visit2

    def create_data(self):
        w = self.world
        return {
            "area": w.b11.code,
            "visited_on": w.today().isoformat(),
            "visitors": [w.member.pk],
            "heard": "接口记录的走访",
        }

    def update_data(self, obj):
        return {"heard": "接口改过的"}

    def foreign_value(self):
        return self.world.b_other.code


def test_api_refuses_bad_input_in_chinese(w, client):
    client.force_login(w.admin1)
    url = reverse("api:resident-visit-list")
    before = Visit.objects.count()
    r = client.post(
        url, {"area": w.b11.code, "visited_on": "2999-01-01", "heard": "听到"}, content_type="application/json"
    )
    assert r.status_code == 400 and "visited_on" in r.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(r.json()["visited_on"]))
    r = client.post(
        url,
        {"area": w.b11.code, "visited_on": w.today().isoformat(), "heard": "a\x00b"},
        content_type="application/json",
    )
    assert r.status_code == 400
    r = client.post(
        url,
        {"area": w.b11.code, "visited_on": w.today().isoformat(), "heard": "听到", "visitors": [w.other_member.pk]},
        content_type="application/json",
    )
    assert r.status_code == 400 and "visitors" in r.json()
    assert Visit.objects.count() == before
    r = client.get(url, {"visited_from": "x", "household": "\x00", "q": "灯"})
    assert r.status_code in (200, 400)


def test_list_filters(w, client):
    me = do_create_user("me1", password=PASSWORD, validate=False)
    do_grant_role(me, role="community_admin", org=w.community1, descendants=True)
    do_link_user(w.member, me, acting_user=None)
    other = visits.do_record_visit(
        acting_user=w.admin1, area=w.b21, visited_on=w.today(), heard="二网格的事", household=None
    )
    client.force_login(me)
    url = reverse("services:visit_list")

    def shown(**params):
        html = client.get(url, params, follow=True).content.decode()
        return {v.heard for v in (w.visit1, other) if v.heard in html}

    assert shown() == {"楼道灯坏了", "二网格的事"}
    assert shown(mine="true") == {"楼道灯坏了"}
    assert shown(area=w.grid2.code) == {"二网格的事"}
    assert shown(q="楼道") == {"楼道灯坏了"}
    assert shown(visited_to="2000-01-01") == set()
    visits.do_update_visit(other, acting_user=w.admin1, household=w.household)
    assert shown(household=w.household.number) == {"二网格的事"}


def test_a_request_opened_from_a_visit(w, client):
    client.force_login(w.admin1)
    detail = client.get(w.visit1.get_absolute_url()).content.decode()
    add = f"{reverse('services:request_add')}?visit={w.visit1.pk}"
    assert add.replace("&", "&amp;") in detail or add in detail
    try:
        assert f"{reverse('services:household_add')}?visit={w.visit1.pk}" in detail
    except NoReverseMatch:  # the household part's page not there yet
        pass
    page = client.get(add)
    form = page.context["form"]
    assert form.initial["area"] == w.grid1.pk and form.initial["source"] == Source.VISIT
    r = client.post(
        add,
        {"summary": "楼道灯", "description": "楼道灯坏了", "area": w.grid1.pk, "urgency": "normal", "source": "visit"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    made = Request.objects.get(summary="楼道灯")
    assert made.visit == w.visit1
    detail = client.get(w.visit1.get_absolute_url()).content.decode()
    assert made.number in detail
    # another community's visit is not theirs: nothing prefilled, no link recorded
    page = client.get(f"{reverse('services:request_add')}?visit={w.visit2.pk}")
    assert "area" not in page.context["form"].initial
    page = client.get(f"{reverse('services:request_add')}?visit=abc")
    assert page.status_code == 200


def test_the_viewer_gets_no_opening_buttons(w, client):
    client.force_login(w.viewer1)
    detail = client.get(w.visit1.get_absolute_url()).content.decode()
    assert 'id="visit-request"' not in detail and 'id="visit-household"' not in detail


def test_coverage_page(w, client):
    url = reverse("services:visit_coverage")
    client.force_login(w.admin1)
    r = client.get(url)
    assert r.status_code == 200
    html = r.content.decode()
    assert "1-1号楼" in html and "2-1号楼" in html and "coverage-months" in html
    assert client.get(url, {"org": "SQT2"}).status_code == 404
    assert client.get(url, {"org": "SQT1", "as_of": "x"}).status_code == 200
    client.force_login(w.nobody)
    assert client.get(url).status_code == 403


def test_no_english_on_the_visit_pages(w, client):
    from tests.test_crawl import _Page, _unreadable

    client.force_login(w.admin1)
    v = w.visit1
    urls = [
        reverse("services:visit_list"),
        reverse("services:visit_add"),
        v.get_absolute_url(),
        reverse("services:visit_edit", args=[v.pk]),
        reverse("services:visit_changes", args=[v.pk]),
        reverse("services:visit_coverage"),
        reverse("services:request_stats"),
        f"{reverse('services:request_add')}?visit={v.pk}",
    ]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        page = _Page()
        page.feed(r.content.decode())
        assert _unreadable(" ".join(page.text), {"admin1"}) == [], url
