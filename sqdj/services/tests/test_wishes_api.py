"""`/api/v1/wishes/` and `/api/v1/wish-claims/`: the scope contract (ScopedAPITests), the actions with the wish's
version (a stale one: 409), a member claiming for themself, the fulfilment with its photo as multipart."""

from __future__ import annotations

import datetime
import pathlib

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from sqdj.core.models import ObjectChange
from sqdj.services import wishes
from sqdj.services.choices import ClaimState, RequestState
from sqdj.services.models import Request, WishClaim
from sqdj.testing.api import ScopedAPITests, api_client

from .test_wishes import WishWorld, photo
from .test_wishes_views import PrivateDir

S = RequestState


class _World:
    @classmethod
    def setUpTestData(cls):
        cls.world = WishWorld()


class WishAPITests(PrivateDir, _World, ScopedAPITests, TestCase):
    basename = "wish"
    scope_field = "area"

    @property
    def object_actions(self):
        w = self.world
        fulfil = {"version": 1, "fulfilled_on": timezone.localdate().isoformat(), "fulfilment": "送到"}
        return {"claim": {"version": 1, "team": w.team.pk}, "withdraw": {"version": 1, "reason": "不去了"},
                "fulfil": fulfil}  # fmt: skip

    def in_scope(self):
        return Request.objects.get(pk=self.world.wish1.pk)

    def out_of_scope(self):
        return Request.objects.get(pk=self.world.wish2.pk)

    def create_data(self):
        wanted = timezone.localdate() + datetime.timedelta(days=5)
        return {"summary": "接口心愿", "beneficiary": "留守儿童", "wanted_by": wanted.isoformat(),
                "area": self.world.grid1.code, "source": "visit"}  # fmt: skip

    def update_data(self, obj):
        return {"summary": "改"}

    def foreign_value(self):
        return self.world.community_area2.code

    def test_claim_withdraw_fulfil_with_versions_and_a_conflict(self):
        w, client = self.world, api_client(self.world.admin1)
        wish = self.in_scope()
        url = lambda name: self.action_url(wish.pk, name)  # noqa: E731
        r = client.post(url("claim"), {"version": 1, "member": w.member.pk})
        assert (
            r.status_code == 200 and r.json()["state"] == S.IN_PROGRESS and r.json()["claim"]["member"] == w.member.pk
        )
        assert client.post(url("claim"), {"version": 1, "team": w.team.pk}).status_code == 409
        r = client.post(url("claim"), {"version": 2, "team": w.team.pk})
        assert r.status_code == 400 and "__all__" in r.json()  # claimed already
        r = client.post(url("withdraw"), {"version": 2, "reason": "换人"})
        assert r.status_code == 200 and r.json()["state"] == S.RECEIVED and r.json()["claim"] is None
        r = client.post(url("claim"), {"version": 3, "member": w.member.pk})
        assert r.status_code == 200
        bad = client.post(url("fulfil"), {"version": 4, "fulfilled_on": timezone.localdate().isoformat(),
                                          "fulfilment": "送到", "hours": "25"})  # fmt: skip
        assert bad.status_code == 400 and "hours" in bad.json()
        assert not apps.get_model("volunteers", "ServiceHours").objects.filter(member=w.member).exists()
        multipart = api_client(w.admin1, format="multipart")
        r = multipart.post(url("fulfil"), {"version": 4, "fulfilled_on": timezone.localdate().isoformat(),
                                           "fulfilment": "送到", "hours": "2", "photo": photo()})  # fmt: skip
        assert r.status_code == 200, r.content
        assert r.json()["state"] == S.RESOLVED and r.json()["claim"]["has_photo"] is True
        claim = WishClaim.objects.get(request=wish, state=ClaimState.FULFILLED)
        assert claim.photo.name not in r.content.decode()  # the stored file's name is never answered
        record = apps.get_model("volunteers", "ServiceHours").objects.get(member=w.member)
        assert record.source == "wish" and record.state == "verified"

    def test_a_bad_photo_as_multipart_is_400_and_nothing_written(self):
        w = self.world
        wishes.do_claim_wish(self.in_scope(), acting_user=w.admin1, version=1, team=w.team)
        before = ObjectChange.objects.count()
        fake = SimpleUploadedFile("x.jpg", b"plain text", content_type="image/jpeg")
        r = api_client(w.admin1, format="multipart").post(
            self.action_url(w.wish1.pk, "fulfil"),
            {"version": 2, "fulfilled_on": timezone.localdate().isoformat(), "fulfilment": "送到", "photo": fake},
        )
        assert r.status_code == 400 and "不是照片" in r.json()["photo"][0]
        assert ObjectChange.objects.count() == before and not any(p for p in _files(self.private_dir))

    def test_a_member_claims_for_themself_through_the_api(self):
        w = self.world
        mine = api_client(w.member_user)
        listed = {row["id"] for row in mine.get(self.list_url(), {"state": "open"}).json()["results"]}
        assert listed == {w.wish1.pk}
        assert mine.post(self.list_url(), self.create_data()).status_code == 403  # posting is the staff's
        r = mine.post(self.action_url(w.wish1.pk, "claim"), {"version": 1, "member": w.other_member.pk})
        assert r.status_code in (400, 403)  # another member: not one they may name
        r = mine.post(self.action_url(w.wish1.pk, "claim"), {"version": 1})
        assert r.status_code == 200 and r.json()["claim"]["member"] == w.member.pk
        ids = {row["id"] for row in mine.get(self.list_url(), {"mine": "true"}).json()["results"]}
        assert ids == {w.wish1.pk}
        r = mine.post(self.action_url(w.wish1.pk, "fulfil"), {"version": 2, "fulfilled_on": "2026-01-01",
                                                              "fulfilment": "x", "hours": "1"})  # fmt: skip
        assert r.status_code == 403  # the staff record the fulfilment
        assert mine.get(self.detail_url(w.wish2.pk)).status_code == 404

    def test_bad_filters_are_no_500(self):
        client = self.api(self.admin)
        for params in ({"state": "\x00"}, {"late": "maybe"}, {"area": "<b>"}, {"mine": "2"}):
            assert client.get(self.list_url(), params).status_code in (200, 400), params


def _files(directory):
    return [p for p in pathlib.Path(directory).rglob("*") if p.is_file()]


class WishClaimAPITests(PrivateDir, _World, ScopedAPITests, TestCase):
    basename = "wishclaim"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        cls.claim1 = wishes.do_claim_wish(w.wish1, acting_user=w.admin1, version=1, team=w.team)
        cls.claim2 = wishes.do_claim_wish(w.wish2, acting_user=None, version=1, member=w.other_member)

    def in_scope(self):
        return WishClaim.objects.get(pk=self.claim1.pk)

    def out_of_scope(self):
        return WishClaim.objects.get(pk=self.claim2.pk)

    def create_data(self):
        return {"request": self.world.wish1.pk}

    def test_create_writes_one_change_row(self):
        """Read only: a claim is made by the wish's claim action."""
        self.assertEqual(self.api(self.admin).post(self.list_url(), self.create_data()).status_code, 405)

    def test_the_claimant_member_sees_their_own(self):
        w = self.world
        mine = api_client(w.member_user)
        assert mine.get(self.list_url()).json()["results"] == []
        wish = Request.objects.get(pk=w.wish1.pk)
        wishes.do_withdraw_claim(self.claim1, acting_user=w.admin1, version=wish.version, reason="换人")
        claim = wishes.do_claim_wish(wish, acting_user=w.member_user, version=wish.version + 1, member=w.member)
        assert {row["id"] for row in mine.get(self.list_url()).json()["results"]} == {claim.pk}
