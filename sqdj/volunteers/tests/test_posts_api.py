"""The posts part's API through the scope gate (the API test base for each endpoint), and the actions: claim,
approve, decline, end; a conflict answers 409."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from sqdj.core import dates
from sqdj.testing.api import ScopedAPITests, api_client
from sqdj.volunteers import posts as services
from sqdj.volunteers.models import PostClaim

from .test_posts import posts_world


class _World:
    @classmethod
    def setUpTestData(cls):
        cls.world = posts_world()


class PostKindAPITests(_World, ScopedAPITests, TestCase):
    basename = "postkind"

    def in_scope(self):
        return self.world.kind1

    def out_of_scope(self):
        return self.world.kind2

    def create_data(self):
        return {"code": "K9", "name": "网格员"}

    def test_create_writes_one_change_row(self):
        """Read only: the catalogue is kept on its pages."""
        self.assertEqual(self.api(self.admin).post(self.list_url(), self.create_data()).status_code, 405)

    def test_the_national_kinds_are_listed(self):
        codes = {row["code"] for row in self.api(self.admin).get(self.list_url(), {"limit": 1000}).json()["results"]}
        self.assertIn("XCY", codes)
        self.assertNotIn("K2", codes)


class PostAPITests(_World, ScopedAPITests, TestCase):
    basename = "post"
    scope_field = "org"
    object_actions = {"close": {}}

    def in_scope(self):
        return self.world.post1

    def out_of_scope(self):
        return self.world.post2

    def create_data(self):
        return {"org": "SQT1", "kind": "K1", "service_area": "safety", "title": "治安巡逻岗", "places": 2,
                "starts_on": dates.today().isoformat()}  # fmt: skip

    def update_data(self, obj):
        return {"title": "政策宣讲岗"}

    def foreign_value(self):
        return "SQT2"

    def test_bad_input_is_400_in_chinese(self):
        r = self.api(self.admin).post(self.list_url(), {**self.create_data(), "places": 0, "ends_on": "2000-01-01"})
        self.assertEqual(r.status_code, 400, r.content)
        self.assertEqual(set(r.json()), {"places", "ends_on"})
        self.assertIn("至少", r.json()["places"][0])

    def test_close_then_a_second_close_is_409(self):
        client = self.api(self.admin)
        r = client.post(self.action_url(self.world.post1.pk, "close"), {})
        self.assertEqual((r.status_code, r.json()["closed_on"]), (200, dates.today().isoformat()))
        self.assertEqual(client.post(self.action_url(self.world.post1.pk, "close"), {}).status_code, 409)

    def test_the_approved_count(self):
        claim = services.do_claim_post(self.world.post1, self.world.me, acting_user=None)
        services.do_approve(claim, acting_user=None)
        body = self.api(self.admin).get(self.detail_url(self.world.post1.pk)).json()
        self.assertEqual((body["approved"], body["places"]), (1, 1))


class TeamAPITests(_World, ScopedAPITests, TestCase):
    basename = "team"
    scope_field = "org"
    object_actions = {"end": {}}

    def in_scope(self):
        return self.world.team1

    def out_of_scope(self):
        return self.world.team2

    def create_data(self):
        return {"org": "SQT1", "name": "邻里互助队", "service_area": "study", "founded_on": dates.today().isoformat()}

    def update_data(self, obj):
        return {"purpose": "助老助残"}

    def foreign_value(self):
        return "SQT2"


class _ClaimAPITests(_World, ScopedAPITests):
    object_actions = {"approve": {}, "decline": {}, "end": {"reason": "asked"}}
    foreign_status = 400


class PostClaimAPITests(_ClaimAPITests, TestCase):
    basename = "postclaim"
    scope_field = "post"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        cls.mine = services.do_claim_post(w.post1, w.mate, acting_user=None)
        cls.away = services.do_claim_post(w.post2, w.other, acting_user=None)

    def in_scope(self):
        return self.mine

    def out_of_scope(self):
        return self.away

    def create_data(self):
        return {"post": self.world.post1.pk, "member": self.world.me.pk}

    def foreign_value(self):
        return self.world.post2.pk

    def test_a_member_sees_their_own_and_approving_twice_is_409(self):
        w = self.world
        claim = services.do_claim_post(w.post1, w.me, acting_user=w.person)
        ids = {row["id"] for row in api_client(w.person).get(self.list_url()).json()["results"]}
        self.assertEqual(ids, {claim.pk})
        self.assertEqual(api_client(w.person).post(self.action_url(claim.pk, "approve"), {}).status_code, 403)
        client = self.api(self.admin)
        r = client.post(self.action_url(claim.pk, "approve"), {"note": "欢迎"})
        self.assertEqual((r.status_code, r.json()["state"]), (200, "approved"))
        self.assertEqual(client.post(self.action_url(claim.pk, "approve"), {}).status_code, 409)
        # the one place is filled: a claim is refused, in Chinese, nothing written
        before = PostClaim.objects.count()
        r = client.post(self.list_url(), {"post": w.post1.pk, "member": self.mine.member_id})
        self.assertEqual(r.status_code, 400, r.content)
        self.assertEqual(PostClaim.objects.count(), before)
        r = client.post(self.action_url(claim.pk, "end"), {"reason": "asked", "note": "调动"})
        self.assertEqual((r.status_code, r.json()["state"]), (200, "ended"))

    def test_a_member_claims_and_ends_their_own_through_the_api(self):
        """Self service through the API: the member's own claim (no `member`: their record), never one for another
        member, never a decision; they end their own approved claim."""
        w = self.world
        me = api_client(w.person)
        before = PostClaim.objects.count()
        r = me.post(self.list_url(), {"post": w.post1.pk, "member": w.mate.pk})
        self.assertEqual((r.status_code, PostClaim.objects.count()), (400, before))  # another member: not in sight
        r = me.post(self.list_url(), {"post": w.post1.pk})
        self.assertEqual((r.status_code, r.json()["member"], r.json()["state"]), (201, w.me.pk, "pending"), r.content)
        claim = PostClaim.objects.get(pk=r.json()["id"])
        self.assertEqual(me.post(self.action_url(claim.pk, "approve"), {}).status_code, 403)
        services.do_approve(claim, acting_user=self.admin)
        r = me.post(self.action_url(claim.pk, "end"), {"reason": "asked"})
        self.assertEqual((r.status_code, r.json()["state"]), (200, "ended"), r.content)
        r = me.post(self.action_url(self.mine.pk, "end"), {"reason": "asked"})
        self.assertEqual(r.status_code, 404)  # another member's claim: not in their sight

    def test_to_decide_lists_what_the_user_may_decide(self):
        r = self.api(self.admin).get(self.list_url(), {"to_decide": "true", "state": "pending"})
        self.assertEqual({row["id"] for row in r.json()["results"]}, {self.mine.pk})
        self.assertEqual(self.api(self.admin).get(self.list_url(), {"to_decide": "maybe"}).status_code, 400)


class TeamMemberAPITests(_ClaimAPITests, TestCase):
    basename = "teammember"
    scope_field = "team"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        cls.mine = services.do_join_team(w.team1, w.mate, acting_user=None)
        cls.away = services.do_join_team(w.team2, w.other, acting_user=None)

    def in_scope(self):
        return self.mine

    def out_of_scope(self):
        return self.away

    def create_data(self):
        return {"team": self.world.team1.pk, "member": self.world.me.pk}

    def foreign_value(self):
        return self.world.team2.pk

    def test_decline(self):
        r = self.api(self.admin).post(self.action_url(self.mine.pk, "decline"), {"note": "\x00"})
        self.assertEqual(r.status_code, 400)  # no NUL in text
        r = self.api(self.admin).post(self.action_url(self.mine.pk, "decline"), {"note": "人数已够"})
        self.assertEqual((r.status_code, r.json()["state"], r.json()["decision_note"]), (200, "declined", "人数已够"))


def test_the_routes_exist():
    for name in ("postkind", "post", "postclaim", "team", "teammember"):
        assert reverse(f"api:{name}-list")
