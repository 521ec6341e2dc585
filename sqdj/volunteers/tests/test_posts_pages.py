"""The posts part's pages through the scope gate: the catalogue, posts and teams (ScopedViewTests), a member claiming
on the phone pages, the community deciding, either side ending; out of scope 404, a member decides nothing."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from sqdj.core import dates
from sqdj.core.models import ObjectChange
from sqdj.testing import ScopedViewTests
from sqdj.volunteers import posts as services
from sqdj.volunteers.models import Post, PostClaim, PostKind, Team, TeamMember
from sqdj.volunteers.post_views import PostKindViews, PostViews, TeamViews
from sqdj.volunteers.workbench import todos

from .test_posts import posts_world


class _NoExport:
    def test_export_holds_only_the_scope(self):
        """These lists have no export (no import template exists for them)."""


class PostKindViewTests(_NoExport, ScopedViewTests, TestCase):
    views = PostKindViews

    @classmethod
    def setUpTestData(cls):
        cls.world = posts_world()

    def in_scope(self):
        return self.world.kind1

    def out_of_scope(self):
        return self.world.kind2

    def create_data(self):
        return {"org": self.world.community1.pk, "code": "K9", "name": "网格员", "duties": "", "position": 5,
                "active": "on"}  # fmt: skip

    def update_data(self, obj):
        return {"code": obj.code, "name": "楼道长", "duties": "联系住户", "position": 3, "active": "on"}

    def test_cannot_save_into_a_foreign_scope(self):
        """The org of a kind stays; a new one for another community's org is refused, nothing written."""
        self.login(self.world.admin1)
        before = ObjectChange.objects.count()
        r = self.client.post(self.url("add"), {**self.create_data(), "org": self.world.community2.pk})
        self.assertEqual(r.status_code, 200)
        self.assertIn("org", r.context["form"].errors)
        self.assertEqual(ObjectChange.objects.count(), before)

    def test_national_kinds_only_by_the_superuser(self):
        self.login(self.world.admin1)
        r = self.client.post(self.url("edit", self.world.national.pk), self.update_data(self.world.national))
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.context["form"].non_field_errors())
        self.assertFalse(self.client.get(self.url("", self.world.national.pk)).context["can_change"])
        self.assertEqual(PostKind.objects.get(pk=self.world.national.pk).name, "宣传员")
        self.login(self.world.superuser)
        r = self.client.post(self.url("edit", self.world.national.pk), self.update_data(self.world.national))
        self.assertEqual(r.status_code, 302)
        self.assertEqual(PostKind.objects.get(pk=self.world.national.pk).name, "楼道长")


class PostViewTests(_NoExport, ScopedViewTests, TestCase):
    views = PostViews

    @classmethod
    def setUpTestData(cls):
        cls.world = posts_world()

    def _named(self, post):
        post.name = post.title  # the shared tests look for `name` in the pages: a post's is its title
        return post

    def in_scope(self):
        return self._named(self.world.post1)

    def out_of_scope(self):
        return self._named(self.world.post2)

    def marker(self, obj):
        return obj.title

    def search_term(self, obj):
        return obj.title[:2]

    def create_data(self):
        return {"org": self.world.community1.pk, "kind": self.world.kind1.pk, "service_area": "safety",
                "title": "治安巡逻岗", "duties": "夜间巡逻", "place": "", "places": 2,
                "starts_on": dates.today().isoformat(), "ends_on": ""}  # fmt: skip

    def created(self):
        return Post.objects.get(title="治安巡逻岗")

    def update_data(self, obj):
        return {"kind": obj.kind_id, "service_area": obj.service_area, "title": obj.title, "duties": "改后的职责",
                "place": "", "places": 3, "starts_on": obj.starts_on.isoformat(), "ends_on": ""}  # fmt: skip

    def test_cannot_save_into_a_foreign_scope(self):
        self.login(self.world.admin1)
        before = ObjectChange.objects.count()
        r = self.client.post(self.url("add"), {**self.create_data(), "org": self.world.community2.pk})
        self.assertEqual(r.status_code, 200)
        self.assertIn("org", r.context["form"].errors)
        self.assertEqual(ObjectChange.objects.count(), before)

    def test_bad_input_shows_chinese_errors(self):
        self.login(self.world.admin1)
        data = {**self.create_data(), "places": 0, "ends_on": "2000-01-01"}
        r = self.client.post(self.url("add"), data)
        self.assertEqual(r.status_code, 200)
        errors = r.context["form"].errors
        self.assertIn("ends_on", errors)
        self.assertIn("places", errors)
        self.assertFalse(Post.objects.filter(title="治安巡逻岗").exists())

    def test_list_filters_and_the_approved_column(self):
        w = self.world
        claim = services.do_claim_post(w.post1, w.me, acting_user=w.person)
        services.do_approve(claim, acting_user=w.admin1)
        self.login(w.admin1)
        r = self.client.get(self.url("list"), {"open": "true"}, follow=True)
        rows = list(r.context["table"].page.object_list)
        self.assertEqual([row.record.pk for row in rows], [w.post1.pk])
        self.assertEqual(rows[0].get_cell("places"), "1 / 1")
        services.do_close_post(w.post1, acting_user=w.admin1)
        r = self.client.get(self.url("list"), {"open": "false"}, follow=True)
        self.assertEqual([row.record.pk for row in r.context["table"].page.object_list], [w.post1.pk])
        r = self.client.get(self.url("list"), {"community": "T01001002"}, follow=True)
        self.assertFalse(list(r.context["table"].page.object_list))  # the other community: none in scope

    def test_close_page(self):
        self.login(self.world.viewer1)
        self.assertEqual(self.client.get(reverse("volunteers:post_close", args=[self.world.post1.pk])).status_code,
                         404)  # fmt: skip
        self.login(self.world.admin1)
        self.assertEqual(self.client.get(reverse("volunteers:post_close", args=[self.world.post2.pk])).status_code,
                         404)  # fmt: skip
        r = self.client.post(reverse("volunteers:post_close", args=[self.world.post1.pk]),
                             {"closed_on": dates.today().isoformat()})  # fmt: skip
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Post.objects.get(pk=self.world.post1.pk).closed_on, dates.today())
        self.assertContains(self.client.get(self.url("", self.world.post1.pk)), 'id="post-closed"')


class TeamViewTests(_NoExport, ScopedViewTests, TestCase):
    views = TeamViews

    @classmethod
    def setUpTestData(cls):
        cls.world = posts_world()

    def in_scope(self):
        return self.world.team1

    def out_of_scope(self):
        return self.world.team2

    def marker(self, obj):
        return obj.name

    def search_term(self, obj):
        return obj.name[:3]

    def create_data(self):
        return {"org": self.world.community1.pk, "community": "", "name": "邻里互助队", "service_area": "study",
                "purpose": "", "leader": self.world.me.pk, "founded_on": dates.today().isoformat()}  # fmt: skip

    def created(self):
        return Team.objects.get(name="邻里互助队")

    def update_data(self, obj):
        return {"name": obj.name, "service_area": obj.service_area, "purpose": "助老助残", "leader": "",
                "founded_on": obj.founded_on.isoformat()}  # fmt: skip

    def test_cannot_save_into_a_foreign_scope(self):
        self.login(self.world.admin1)
        before = ObjectChange.objects.count()
        r = self.client.post(self.url("add"), {**self.create_data(), "org": self.world.community2.pk})
        self.assertEqual(r.status_code, 200)
        self.assertIn("org", r.context["form"].errors)
        self.assertEqual(ObjectChange.objects.count(), before)

    def test_end_page(self):
        self.login(self.world.admin1)
        url = reverse("volunteers:team_end", args=[self.world.team2.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        r = self.client.post(reverse("volunteers:team_end", args=[self.world.team1.pk]),
                             {"ended_on": dates.today().isoformat()})  # fmt: skip
        self.assertEqual(r.status_code, 302)
        self.assertFalse(Team.objects.get(pk=self.world.team1.pk).active)


# ---- claims on the pages ----------------------------------------------------------------------------------------


@pytest.fixture
def w(db):
    return posts_world()


def _url(name, obj):
    return reverse(f"volunteers:{name}", args=[obj.pk])


def test_a_member_claims_on_the_phone_and_the_community_approves(w, client):
    client.force_login(w.person)
    page = client.get(_url("post", w.post1))
    assert page.status_code == 200
    assert 'id="claim-submit"' in page.content.decode() and 'id="on-behalf"' not in page.content.decode()
    assert client.get(_url("post", w.post2)).status_code == 404  # another community's post
    r = client.post(_url("post_claim", w.post1))
    claim = PostClaim.objects.get(post=w.post1, member=w.me)
    assert r.status_code == 302 and r["Location"] == claim.get_absolute_url()
    r = client.post(_url("post_claim", w.post1), follow=True)  # twice: refused, said in Chinese
    assert "该党员已认领此岗位" in r.content.decode()
    assert PostClaim.objects.count() == 1
    listed = client.get(reverse("volunteers:postclaim_list"))
    assert {row.record.pk for row in listed.context["table"].page.object_list} == {claim.pk}
    # the member decides nothing
    assert client.get(_url("postclaim_approve", claim)).status_code == 403
    assert client.post(_url("postclaim_approve", claim), {"note": ""}).status_code == 403
    assert 'id="claim-approve"' not in client.get(claim.get_absolute_url()).content.decode()
    client.force_login(w.viewer1)
    assert client.post(_url("postclaim_approve", claim), {"note": ""}).status_code == 403
    client.force_login(w.admin2)
    assert client.get(_url("postclaim", claim)).status_code == 404
    assert client.post(_url("postclaim_approve", claim), {"note": ""}).status_code == 404
    client.force_login(w.admin1)
    assert 'id="claim-approve"' in client.get(claim.get_absolute_url()).content.decode()
    r = client.post(_url("postclaim_approve", claim), {"note": "欢迎"})
    assert r.status_code == 302
    claim.refresh_from_db()
    assert (claim.state, claim.decided_by, claim.decision_note) == ("approved", w.admin1, "欢迎")
    # either side ends it: the member, with a reason
    client.force_login(w.person)
    r = client.post(_url("postclaim_end", claim), {"ended_on": dates.today().isoformat()})
    assert r.status_code == 200 and r.context["form"].errors["reason"]
    r = client.post(_url("postclaim_end", claim), {"ended_on": dates.today().isoformat(), "reason": "asked"})
    assert r.status_code == 302
    claim.refresh_from_db()
    assert (claim.state, claim.end_reason) == ("ended", "asked")


def test_an_admin_claims_for_a_member_and_a_full_post_says_so(w, client):
    client.force_login(w.admin1)
    page = client.get(_url("post", w.post1)).content.decode()
    assert 'id="on-behalf"' in page
    r = client.post(_url("post_claim", w.post1), {"member": w.mate.pk})
    mates = PostClaim.objects.get(member=w.mate)
    assert r.status_code == 302
    r = client.post(_url("post_claim", w.post1), {"member": w.other.pk}, follow=True)  # not admin1's to act for
    assert not PostClaim.objects.filter(member=w.other).exists()
    services.do_approve(mates, acting_user=w.admin1)
    client.force_login(w.person)
    r = client.post(_url("post_claim", w.post1), follow=True)
    assert "该岗位名额已满" in r.content.decode()
    assert not PostClaim.objects.filter(member=w.me).exists()


def test_decline_page(w, client):
    claim = services.do_claim_post(w.post1, w.me, acting_user=w.person)
    client.force_login(w.admin1)
    r = client.post(_url("postclaim_decline", claim), {"note": "名额已定"})
    assert r.status_code == 302
    claim.refresh_from_db()
    assert claim.state == "declined"
    r = client.post(_url("postclaim_decline", claim), {"note": ""}, follow=True)  # decided already: a conflict
    assert "已有人审批过" in r.content.decode()
    claim.refresh_from_db()
    assert claim.state == "declined"


def test_joining_a_team_on_the_pages(w, client):
    client.force_login(w.person)
    assert client.get(_url("team", w.team2)).status_code == 404
    assert client.post(_url("team_join", w.team2)).status_code == 404
    r = client.post(_url("team_join", w.team1))
    req = TeamMember.objects.get(team=w.team1, member=w.me)
    assert r.status_code == 302
    assert client.post(_url("teammember_approve", req), {"note": ""}).status_code == 403
    client.force_login(w.admin1)
    assert client.post(_url("teammember_approve", req), {"note": ""}).status_code == 302
    req.refresh_from_db()
    assert req.state == "approved"
    r = client.post(_url("teammember_end", req), {"ended_on": dates.today().isoformat(), "reason": "moved"})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.state == "ended"
    client.force_login(w.admin2)
    assert client.get(_url("teammember", req)).status_code == 404


def test_the_todo_counts_what_its_link_lists(w, client):
    services.do_claim_post(w.post1, w.me, acting_user=w.person)
    services.do_join_team(w.team1, w.mate, acting_user=w.admin1)
    services.do_claim_post(w.post2, w.other, acting_user=None)  # community 2's: not admin1's to decide
    source = next(s for s in todos if s.key == "post-claims")
    found = source.collect(w.admin1)
    assert [c.count for c in found] == [1, 1]
    client.force_login(w.admin1)
    for c in found:
        r = client.get(c.url, follow=True)
        assert r.context["table"].paginator.count == c.count, c.url
    assert source.collect(w.viewer1) == [] and source.collect(w.person) == []


def test_pages_show_no_personal_numbers(w, client):
    services.do_claim_post(w.post1, w.me, acting_user=w.person)
    client.force_login(w.admin1)
    for url in (_url("post", w.post1), reverse("volunteers:postclaim_list"), _url("team", w.team1)):
        html = client.get(url, follow=True).content.decode()
        assert w.me.phone not in html and w.me.id_number not in html, url


def test_the_pages_read_in_chinese(w, client):
    """Every page of the part, as the community admin and as the member: no English word a user reads (as the
    demo crawl checks, tests/test_crawl.py)."""
    from tests.test_crawl import _Page, _unreadable

    claim = services.do_approve(services.do_claim_post(w.post1, w.me, acting_user=w.person), acting_user=w.admin1)
    req = services.do_join_team(w.team1, w.me, acting_user=w.person)
    admin_urls = [reverse(f"volunteers:{n}") for n in ("post_list", "post_add", "team_list", "team_add",
                                                       "postclaim_list", "teammember_list", "postkind_list",
                                                       "postkind_add")]  # fmt: skip
    admin_urls += [_url(n, o) for n, o in (("post", w.post1), ("post_edit", w.post1), ("post_close", w.post1),
                                           ("team", w.team1), ("team_edit", w.team1), ("team_end", w.team1),
                                           ("postclaim", claim), ("postclaim_end", claim), ("teammember", req),
                                           ("teammember_approve", req), ("teammember_decline", req),
                                           ("postkind", w.kind1), ("postkind_edit", w.kind1))]  # fmt: skip
    member_urls = [reverse("volunteers:post_list"), reverse("volunteers:postclaim_list"), _url("post", w.post1),
                   _url("team", w.team1), _url("postclaim", claim), _url("postclaim_end", claim)]  # fmt: skip
    for user, urls in ((w.admin1, admin_urls), (w.person, member_urls)):
        client.force_login(user)
        for url in urls:
            r = client.get(url, follow=True)
            assert r.status_code == 200, (user, url)
            page = _Page()
            page.feed(r.content.decode())
            assert not _unreadable(" ".join(page.text), {user.username}), (url, _unreadable(" ".join(page.text), set()))
