"""The wish part's pages: the scope contract (ScopedViewTests: the list, detail, post page; the claim page as the
"edit"), a member's 我来认领, the staff's claim, withdraw and fulfil pages (the photo upload, its limits, the photo
shown only through the scoped view), stored HTML shown inert, the to-dos (each count = the rows of its list)."""

from __future__ import annotations

import datetime
import shutil
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import empty

from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core.files import private_storage
from sqdj.members.services import do_create_member
from sqdj.services import wishes
from sqdj.services.choices import ClaimState, RequestState
from sqdj.services.models import Request, WishClaim
from sqdj.services.wish_views import WishViews
from sqdj.services.wish_workbench import todos
from sqdj.testing import PASSWORD, ScopedViewTests
from sqdj.testing.members import member_data

from .test_wishes import WishWorld, photo

S = RequestState


def _named(wish):
    wish.name = wish.summary  # what the shared tests look for in a page
    return wish


class PrivateDir:
    """Photos go to a temporary directory for each test (the storage is set up again on it)."""

    def setUp(self):
        super().setUp()
        self.private_dir = tempfile.mkdtemp()
        override = override_settings(SQDJ_PRIVATE_DIR=self.private_dir)
        override.enable()
        private_storage._wrapped = empty
        self.addCleanup(override.disable)
        self.addCleanup(shutil.rmtree, self.private_dir, ignore_errors=True)
        self.addCleanup(setattr, private_storage, "_wrapped", empty)


class WishViewTests(PrivateDir, ScopedViewTests, TestCase):
    """A wish changes by its steps: the contract's "edit" page is the first one (the staff's claim)."""

    views = WishViews

    @classmethod
    def setUpTestData(cls):
        cls.world = WishWorld()

    def url(self, action="", *args):
        if action == "edit":
            return reverse("services:wish_claim", args=args)
        return super().url(action, *args)

    def in_scope(self):
        return _named(Request.objects.get(pk=self.world.wish1.pk))

    def out_of_scope(self):
        return _named(Request.objects.get(pk=self.world.wish2.pk))

    def marker(self, obj):
        return obj.number

    def create_data(self):
        wanted = timezone.localdate() + datetime.timedelta(days=7)
        return {"summary": "新心愿甲", "beneficiary": "困难儿童", "wanted_by": wanted.isoformat(),
                "area": self.world.grid1.pk, "source": "visit"}  # fmt: skip

    def created(self):
        return Request.objects.get(summary="新心愿甲")

    def update_data(self, obj):
        return {"version": obj.version, "member": self.world.member.pk}

    def foreign_scope_data(self, obj):
        return {"version": obj.version, "member": self.world.other_member.pk}  # another community's member

    # ---- the pages' own --------------------------------------------------------------------------------------
    def _wish(self):
        return Request.objects.get(pk=self.world.wish1.pk)

    def _page(self, user, wish=None):
        self.login(user)
        return self.client.get(self.url("", (wish or self._wish()).pk))

    def test_a_member_claims_for_themself_with_one_button(self):
        w = self.world
        r = self._page(w.member_user)
        html = r.content.decode()
        assert r.status_code == 200 and 'id="wish-self-claim"' in html and "我来认领" in html
        listed = self.client.get(self.url("list"), {"state": "open"}, follow=True)
        assert w.wish1.pk in {row.record.pk for row in listed.context["table"].page.object_list}
        assert self.client.get(self.url("", w.wish2.pk)).status_code == 404  # another community's
        r = self.client.post(reverse("services:wish_claim", args=[w.wish1.pk]), {"version": self._wish().version})
        assert r.status_code == 302 and r["Location"] == self.url("", w.wish1.pk)
        claim = WishClaim.objects.get(request=w.wish1)
        assert claim.member == w.member and self._wish().state == S.IN_PROGRESS
        html = self._page(w.member_user).content.decode()
        assert 'id="wish-self-claim"' not in html and 'id="wish-withdraw"' in html and 'id="wish-fulfil"' not in html

    def test_the_staff_claim_fulfil_and_close(self):
        w = self.world
        self.login(w.admin1)
        r = self.client.get(self.url("edit", w.wish1.pk))
        assert r.status_code == 200 and 'name="team"' in r.content.decode()
        r = self.client.post(self.url("edit", w.wish1.pk), {"version": 1, "team": w.team.pk})
        assert r.status_code == 302
        url = reverse("services:wish_fulfil", args=[w.wish1.pk])
        page = self.client.get(url).content.decode()
        assert 'enctype="multipart/form-data"' in page and 'name="photo"' in page and 'name="hours"' not in page
        data = {"version": self._wish().version, "fulfilled_on": timezone.localdate().isoformat(),
                "fulfilment": "<script>alert(1)</script>送到了", "photo": photo()}  # fmt: skip
        r = self.client.post(url, data)
        assert r.status_code == 302, r.context and r.context["form"].errors
        claim = WishClaim.objects.get(request=w.wish1)
        assert claim.state == ClaimState.FULFILLED and claim.photo
        html = self._page(w.admin1).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;送到了" in html
        photo_url = reverse("services:wish_photo", args=[claim.pk])
        assert f'src="{photo_url}"' in html and 'id="wish-close"' in html
        r = self.client.get(photo_url)
        assert r.status_code == 200 and r["Content-Type"] == "image/jpeg" and r["Cache-Control"] == "private, no-store"
        # close: the request's step page
        r = self.client.post(reverse("services:request_step", args=[w.wish1.pk, "close"]),
                             {"version": self._wish().version})  # fmt: skip
        assert r.status_code == 302 and self._wish().state == S.CLOSED

    def test_the_photo_only_through_the_scoped_view(self):
        w = self.world
        claim = wishes.do_claim_wish(self._wish(), acting_user=w.admin1, version=1, team=w.team)
        claim = wishes.do_fulfil_wish(claim, acting_user=w.admin1, version=2, fulfilled_on=timezone.localdate(),
                                      fulfilment="送到", photo=photo())  # fmt: skip
        url = reverse("services:wish_photo", args=[claim.pk])
        admin2 = do_create_user("admin2", password=PASSWORD, validate=False)
        do_grant_role(admin2, role="community_admin", org=w.community2, descendants=True)
        for user, status in ((admin2, 404), (w.nobody, 404), (w.viewer1, 200), (w.admin1, 200)):
            self.login(user)
            assert self.client.get(url).status_code == status, user
        self.client.logout()
        assert self.client.get(url).status_code == 302
        assert claim.photo.name not in self._page(w.admin1).content.decode()  # the stored name is never shown

    def test_a_bad_photo_is_refused_in_chinese_and_nothing_written(self):
        w = self.world
        wishes.do_claim_wish(self._wish(), acting_user=w.admin1, version=1, member=w.member)
        self.login(w.admin1)
        url = reverse("services:wish_fulfil", args=[w.wish1.pk])
        base = {"version": 2, "fulfilled_on": timezone.localdate().isoformat(), "fulfilment": "送到", "hours": "1"}
        fake = SimpleUploadedFile("x.jpg", b"just some text", content_type="image/jpeg")
        r = self.client.post(url, {**base, "photo": fake})
        assert r.status_code == 200 and "不是照片" in r.content.decode()
        with override_settings(SQDJ_PHOTO_MAX_BYTES=photo().size - 1):
            r = self.client.post(url, {**base, "photo": photo()})
        assert r.status_code == 200 and "MB" in r.content.decode()
        assert WishClaim.objects.get(request=w.wish1).state == ClaimState.CLAIMED and self._wish().version == 2
        r = self.client.post(url, {**base, "version": 1})  # stale: a conflict, back to the wish
        assert r.status_code == 302 and WishClaim.objects.get(request=w.wish1).state == ClaimState.CLAIMED

    def test_withdraw_page(self):
        w = self.world
        wishes.do_claim_wish(self._wish(), acting_user=w.member_user, version=1, member=w.member)
        self.login(w.member_user)
        url = reverse("services:wish_withdraw", args=[w.wish1.pk])
        r = self.client.post(url, {"version": 2, "reason": ""})
        assert r.status_code == 200 and self._wish().state == S.IN_PROGRESS
        r = self.client.post(url, {"version": 2, "reason": "临时出差"})
        assert r.status_code == 302 and self._wish().state == S.RECEIVED
        self.login(w.viewer1)
        assert self.client.get(reverse("services:wish_claim", args=[w.wish1.pk])).status_code == 403

    def test_list_filters(self):
        w = self.world
        self.login(w.admin1)

        def shown(**params):
            page = self.client.get(self.url("list"), params, follow=True)
            return {row.record.pk for row in page.context["table"].page.object_list}

        assert shown(state="open") == {w.wish1.pk} and shown(state="claimed") == set()
        assert shown(area=w.grid1.code) == {w.wish1.pk} and shown(late="true") == set()
        assert w.req1.pk not in shown()  # a request is no wish
        wishes.do_claim_wish(self._wish(), acting_user=w.admin1, version=1, team=w.team)
        assert shown(state="claimed") == {w.wish1.pk} and shown(state="open") == set()
        assert self.client.get(self.url("list"), {"state": "\x00<b>", "late": "maybe"}, follow=True).status_code == 200

    def test_todos_count_the_rows_of_their_lists(self):
        w = self.world
        wishes.do_claim_wish(self._wish(), acting_user=w.member_user, version=1, member=w.member)
        past = timezone.now() - datetime.timedelta(days=3)
        Request.objects.filter(pk=w.wish1.pk).update(received_at=past - datetime.timedelta(days=1), due_at=past)
        for user in (w.admin1, w.member_user, w.viewer1, w.liaison):
            self.login(user)
            for source in todos:
                for todo in source.collect(user):
                    listed = self.client.get(todo.url, follow=True)
                    assert listed.status_code == 200
                    assert listed.context["table"].paginator.count == todo.count, (user, todo.key)
        keys = lambda user: {t.key for s in todos for t in s.collect(user)}  # noqa: E731
        assert keys(w.admin1) == {"wishes-late"} and keys(w.member_user) == {"wishes-mine"}
        assert keys(w.liaison) == set() and keys(w.nobody) == set()

    def test_the_pages_show_no_english(self):
        """What tests/test_crawl.py checks on every page, on this part's pages at each stage of a wish."""
        from tests.test_crawl import _Page, _unreadable

        w = self.world

        def check(user, *urls):
            self.login(user)
            for url in urls:
                r = self.client.get(url, follow=True)
                assert r.status_code == 200, url
                page = _Page()
                page.feed(r.content.decode())
                assert _unreadable(" ".join(page.text), {user.username}) == [], (user, url)

        pk = w.wish1.pk
        lists = [self.url("list"), self.url("list") + "?state=open&late=true"]
        check(w.admin1, *lists, self.url("add"), self.url("", pk), self.url("edit", pk))
        check(w.member_user, *lists, self.url("", pk), self.url("edit", pk))
        wishes.do_claim_wish(self._wish(), acting_user=w.member_user, version=1, member=w.member)
        steps = [reverse(f"services:wish_{a}", args=[pk]) for a in ("withdraw", "fulfil")]
        check(w.admin1, self.url("", pk), *steps, self.url("changes", pk))
        check(w.member_user, self.url("", pk), steps[0], self.url("list") + "?mine=true")
        wishes.do_fulfil_wish(wishes.active_claim(self._wish()), acting_user=w.admin1, version=2, hours=1,
                              fulfilled_on=timezone.localdate(), fulfilment="送到", photo=photo())  # fmt: skip
        check(w.admin1, self.url("", pk), reverse("home"))
        check(w.viewer1, self.url("", pk), self.url("list"))

    def test_a_wish_on_the_request_pages(self):
        """A wish is a Request: the request list and page show it too (the staff)."""
        w = self.world
        self.login(w.admin1)
        assert self.client.get(reverse("services:request", args=[w.wish1.pk])).status_code == 200
        listed = self.client.get(reverse("services:request_list"), follow=True)
        assert w.wish1.pk in {row.record.pk for row in listed.context["table"].page.object_list}

    def test_posting_leads_to_the_wish_and_others_read_no_claimants_name(self):
        w = self.world
        self.login(w.admin1)
        r = self.client.post(self.url("add"), self.create_data())
        assert r.status_code == 302 and r["Location"] == self.url("", self.created().pk)
        someone = do_create_member(acting_user=None, **member_data(w.branch1, seq=3, name="赵六"))
        claim = wishes.do_claim_wish(self._wish(), acting_user=w.admin1, version=1, member=someone)
        wishes.do_withdraw_claim(claim, acting_user=w.admin1, version=2, reason="换人")
        assert "赵六" in self._page(w.admin1).content.decode()  # the staff see who claimed
        html = self._page(w.member_user).content.decode()  # another member: the kind only
        assert "赵六" not in html and "党员" in html and 'id="wish-self-claim"' in html
