"""Cache-Control: no-store (security.md R19; issue 14) on every answer that shows personal data: the member list and
detail, the reveal answer, exports, transfer cases, the API — whatever the view; static files stay cacheable."""

from __future__ import annotations

from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import TestCase
from django.urls import reverse

from sqdj.members.services import do_create_member
from sqdj.testing import build_world
from sqdj.testing.members import member_data


class NoStoreTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.w = build_world()
        cls.m = do_create_member(acting_user=None, **member_data(cls.w.branch1, seq=1))

    def setUp(self):
        self.client.force_login(self.w.admin1)

    def assert_not_stored(self, r, status=200):
        self.assertEqual(r.status_code, status, r.content[:300])
        self.assertIn("no-store", r["Cache-Control"])
        self.assertEqual(r["Pragma"], "no-cache")

    def test_member_pages(self):
        for url in (
            reverse("members:member_list"),
            reverse("members:member", args=[self.m.pk]),
            reverse("members:member_changes", args=[self.m.pk]),
            "/",
        ):
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assert_not_stored(r)
                self.assertIn("text/html", r["Content-Type"])
        r = self.client.get(reverse("members:member", args=[self.m.pk]))
        self.assertIn(self.m.name, r.content.decode())  # the page does show personal data

    def test_reveal_answer(self):
        r = self.client.post(reverse("members:member_reveal", args=[self.m.pk]), {"reason": "核对身份"})
        self.assert_not_stored(r)
        self.assertIn(self.m.id_number, r.content.decode())

    def test_export(self):
        r = self.client.get(reverse("members:member_list") + "?export=xlsx")
        self.assert_not_stored(r)
        self.assertTrue(r["Content-Disposition"].startswith("attachment"))

    def test_api(self):
        for url in ("/api/v1/members/", f"/api/v1/members/{self.m.pk}/"):
            with self.subTest(url=url):
                self.assert_not_stored(self.client.get(url, HTTP_ACCEPT="application/json"))
        r = self.client.post(
            f"/api/v1/members/{self.m.pk}/reveal/", {"reason": "核对身份"}, content_type="application/json"
        )
        self.assert_not_stored(r)
        self.assertEqual(r.json()["id_number"], self.m.id_number)

    def test_transfer_pages(self):
        for name in ("transfers:transfer_list", "transfers:transfer_open", "transfers:residence_list"):
            with self.subTest(name=name):
                self.assert_not_stored(self.client.get(reverse(name)))

    def test_error_answers_too(self):
        self.assert_not_stored(self.client.get("/members/999999/"), status=404)

    def test_static_files_stay_cacheable(self):
        r = self.client.get(staticfiles_storage.url("sqdj/sqdj.css"))
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("no-store", r.get("Cache-Control", ""))
