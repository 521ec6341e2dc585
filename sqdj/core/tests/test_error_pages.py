"""The 403, 404 and 500 answers (core.error_pages) with DEBUG off: a Chinese page with a way home and back; a short
Chinese sentence for htmx; JSON for the API (an HTML page for a browser there); the 500 page without a database.
And the server's side of htmx errors: a form fragment with its message (the reveal reason) answers 400 in place."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client, RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import path, reverse

from sqdj.core import error_pages, errors
from sqdj.members.services import do_create_member
from sqdj.testing import build_world
from sqdj.testing.members import member_data
from sqdj.urls import urlpatterns as site_patterns

HTMX = {"HTTP_HX_REQUEST": "true"}


def _denied(request):
    raise PermissionDenied


def _boom(request):
    raise RuntimeError("a bug")


def _ok(request):
    return HttpResponse("ok")


# the site's URLs plus three that fail on purpose; the handlers are the site's (same names as sqdj.urls)
urlpatterns = [
    path("test-denied/", _denied),
    path("test-boom/", _boom),
    path("test-ok/", _ok),
    *site_patterns,
]
handler403 = "sqdj.core.error_pages.permission_denied"
handler404 = "sqdj.core.error_pages.page_not_found"
handler500 = "sqdj.core.errors.server_error"


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
class ErrorPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.w = build_world()

    def setUp(self):
        self.client.force_login(self.w.admin1)

    def assert_page(self, r, status, heading):
        self.assertEqual(r.status_code, status)
        self.assertTrue(r["Content-Type"].startswith("text/html"))
        html = r.content.decode()
        self.assertIn('<html lang="zh-CN">', html)
        self.assertIn(heading, html)
        self.assertIn('href="/" id="error-home"', html)  # a way home
        self.assertIn('id="error-back"', html)  # and back
        self.assertIn("返回工作台", html)
        self.assertNotIn("Not Found", html)
        self.assertIn("no-store", r["Cache-Control"])
        return html

    def test_404_page_is_chinese_with_a_way_home_and_back(self):
        r = self.client.get("/no/such/page/", HTTP_REFERER="http://testserver/orgs/")
        html = self.assert_page(r, 404, "页面不存在")
        self.assertIn('href="http://testserver/orgs/" id="error-back"', html)  # back where the visitor came from

    def test_back_link_never_leads_off_the_site(self):
        r = self.client.get("/no/such/page/", HTTP_REFERER="https://evil.example/")
        html = self.assert_page(r, 404, "页面不存在")
        self.assertNotIn("evil.example", html)
        self.assertIn('href="/" id="error-back"', html)

    def test_404_of_a_record_out_of_scope(self):
        r = self.client.get(reverse("orgs:org", args=[self.w.community2.pk]))
        self.assert_page(r, 404, "页面不存在")

    def test_403_page(self):
        self.assert_page(self.client.get("/test-denied/"), 403, "没有权限")

    def test_403_for_a_real_page(self):
        self.client.force_login(self.w.viewer1)  # a viewer may see the org but not edit it
        r = self.client.get(reverse("orgs:org_edit", args=[self.w.community1.pk]))
        self.assert_page(r, 403, "没有权限")

    def test_500_page(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.w.admin1)
        html = self.assert_page(client.get("/test-boom/"), 500, "服务器出错")
        self.assertNotIn("a bug", html)  # nothing of the exception is shown

    def test_htmx_gets_a_short_chinese_sentence(self):
        for url, status, words in (
            ("/no/such/page/", 404, "未找到"),
            ("/test-denied/", 403, "没有权限"),
        ):
            r = self.client.get(url, **HTMX)
            self.assertEqual(r.status_code, status)
            self.assertEqual(r["Content-Type"], "text/plain; charset=utf-8")
            self.assertIn(words, r.content.decode())
            self.assertNotIn("<", r.content.decode())
        client = Client(raise_request_exception=False)
        client.force_login(self.w.admin1)
        r = client.get("/test-boom/", **HTMX)
        self.assertEqual((r.status_code, r["Content-Type"]), (500, "text/plain; charset=utf-8"))
        self.assertIn("服务器", r.content.decode())

    def test_api_keeps_json_but_a_browser_gets_the_page(self):
        r = self.client.get("/api/no-such-thing/", HTTP_ACCEPT="application/json")
        self.assertEqual(r.status_code, 404)
        self.assertIn("未找到", r.json()["detail"])
        r = self.client.get("/api/no-such-thing/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
        self.assert_page(r, 404, "页面不存在")
        # under /api/v1/ the API answers every unknown URL itself, in JSON (api.urls.not_found), as its endpoints do
        for url in ("/api/v1/no-such-thing/", f"/api/v1/orgs/{self.w.community2.pk}/"):
            r = self.client.get(url, HTTP_ACCEPT="application/json")
            self.assertEqual(r.status_code, 404)
            self.assertIn("detail", r.json())

    def test_stale_form_gets_the_chinese_403_page(self):
        client = Client(enforce_csrf_checks=True)
        r = client.post("/login/", {"username": "x", "password": "y"})
        html = self.assert_page(r, 403, "没有权限")
        self.assertIn("页面已过期", html)
        self.assertNotIn("CSRF", html)


@override_settings(DEBUG=False)
class ServerErrorWithoutDatabaseTests(SimpleTestCase):
    """SimpleTestCase refuses every query: the 500 page must render with the database gone."""

    databases: set[str] = set()

    def test_500_renders_without_a_database(self):
        request = RequestFactory().get("/members/")
        try:
            raise RuntimeError("the database went away")
        except RuntimeError:
            r = errors.server_error(request)  # as Django calls handler500: while the exception is handled
        self.assertEqual(r.status_code, 500)
        html = r.content.decode()
        self.assertIn("服务器出错", html)
        self.assertIn('href="/"', html)

    def test_pages_render_without_a_request(self):
        r = error_pages.error_response(None, 500, "500.html")
        self.assertEqual(r.status_code, 500)
        self.assertIn("服务器出错", r.content.decode())


class RevealReasonTests(TestCase):
    """The htmx form of the member page: a one-character reason answers 400 with the form and its Chinese message
    (sqdj.js swaps a 4xx HTML fragment in place)."""

    @classmethod
    def setUpTestData(cls):
        cls.w = build_world()
        cls.m = do_create_member(acting_user=None, **member_data(cls.w.branch1, seq=1))

    def test_one_character_reason_answers_400_with_its_message(self):
        self.client.force_login(self.w.admin1)
        r = self.client.post(reverse("members:member_reveal", args=[self.m.pk]), {"reason": "a"}, **HTMX)
        self.assertEqual(r.status_code, 400)
        self.assertTrue(r["Content-Type"].startswith("text/html"))
        html = r.content.decode()
        self.assertFalse(html.lstrip().lower().startswith("<!doctype"))  # a fragment, not a page
        self.assertIn('id="pii-block"', html)
        self.assertIn("至少 2 个字", html)
        self.assertNotIn(self.m.id_number, html)
