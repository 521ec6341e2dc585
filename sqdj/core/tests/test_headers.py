"""Security headers (security.md R36) and no-store (R19) on the three kinds of answer that carry personal data — an
HTML page, a JSON API answer, a file download — under the settings production gets from SQDJ_HTTPS=1 (read from a
real start-up in another process, sqdj.core.tests.test_deploy.production_settings)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import TestCase, override_settings

from sqdj.core.tests.test_deploy import production_settings
from sqdj.testing import PASSWORD, build_world

HTTPS = {"secure": True}


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


class ProductionHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.w = build_world()

    def setUp(self):
        override = override_settings(**production_settings())
        override.enable()
        self.addCleanup(override.disable)
        self.client.force_login(self.w.admin1)

    def assert_security_headers(self, r):
        self.assertEqual(r["Strict-Transport-Security"], "max-age=31536000; includeSubDomains; preload")
        self.assertEqual(r["X-Content-Type-Options"], "nosniff")
        self.assertEqual(r["Referrer-Policy"], "same-origin")
        self.assertEqual(r["X-Frame-Options"], "DENY")
        self.assertEqual(r["Cross-Origin-Opener-Policy"], "same-origin")
        csp = directives(r["Content-Security-Policy"])
        self.assertEqual(csp["default-src"], ["'self'"])
        self.assertEqual(csp["script-src"], ["'self'"])  # no 'unsafe-inline', no 'unsafe-eval'
        self.assertEqual(csp["style-src"], ["'self'"])
        self.assertEqual(csp["object-src"], ["'none'"])
        self.assertEqual(csp["base-uri"], ["'none'"])
        self.assertEqual(csp["frame-ancestors"], ["'none'"])
        self.assertEqual(csp["form-action"], ["'self'"])

    def assert_not_stored(self, r):
        self.assertIn("no-store", r["Cache-Control"])
        self.assertEqual(r["Pragma"], "no-cache")

    def test_html_page(self):
        r = self.client.get("/", **HTTPS)
        self.assertEqual(r.status_code, 200)
        self.assertIn("text/html", r["Content-Type"])
        self.assert_security_headers(r)
        self.assert_not_stored(r)
        self.assertNotIn(b"<script>", r.content)  # scripts come from files only

    def test_json_api_answer(self):
        r = self.client.get("/api/v1/orgs/", HTTP_ACCEPT="application/json", **HTTPS)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "application/json")
        self.assertTrue(r.json()["results"])
        self.assert_security_headers(r)
        self.assert_not_stored(r)

    def test_file_download(self):
        r = self.client.get("/orgs/?export=xlsx", **HTTPS)
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r["Content-Disposition"].startswith("attachment"))
        self.assertTrue(r.content.startswith(b"PK"))  # an xlsx (zip)
        self.assert_security_headers(r)
        self.assert_not_stored(r)

    def test_a_views_own_stricter_cache_header_is_kept(self):
        r = self.client.get("/api/v1/orgs/", **HTTPS)
        self.assertEqual(r["Cache-Control"], "no-store")  # set here, not doubled

    def test_static_files_stay_cacheable(self):
        r = self.client.get("/static/sqdj/sqdj.css", **HTTPS)
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("no-store", r.get("Cache-Control", ""))
        self.assertNotIn("Pragma", r)
        r.close()

    def test_plain_http_is_redirected_to_https(self):
        r = self.client.get("/members/?q=x")
        self.assertEqual(r.status_code, 301)
        self.assertEqual(r["Location"], "https://testserver/members/?q=x")

    def test_behind_the_proxy_its_header_says_https(self):
        r = self.client.get("/", HTTP_X_FORWARDED_PROTO="https")
        self.assertEqual(r.status_code, 200)
        self.assertIn("max-age=31536000", r["Strict-Transport-Security"])

    def test_cookies_are_secure_and_host_only(self):
        self.client.logout()
        page = self.client.get("/login/", **HTTPS)
        self.assert_not_stored(page)
        token = page.cookies["__Host-csrftoken"]
        self.assertTrue(token["secure"])
        self.assertEqual(token["path"], "/")
        self.assertFalse(token["domain"])
        r = self.client.post(
            "/login/",
            {"username": "admin1", "password": PASSWORD, "csrfmiddlewaretoken": token.value},
            **HTTPS,
        )
        self.assertEqual(r.status_code, 302)
        session = r.cookies["__Host-sessionid"]
        self.assertTrue(session["secure"] and session["httponly"])
        self.assertEqual(session["path"], "/")
        self.assertFalse(session["domain"])
        self.assertEqual(self.client.get("/", **HTTPS).status_code, 200)


class DemoHeaderTests(TestCase):
    """The demo's settings (plain http on 127.0.0.1): the same policy and no-store, no redirect and no HSTS."""

    def test_http_page_under_the_demo_settings(self):
        r = self.client.get("/login/")
        self.assertEqual(r.status_code, 200)
        self.assertNotIn("Strict-Transport-Security", r)
        self.assertIn("object-src 'none'", r["Content-Security-Policy"])
        self.assertIn("no-store", r["Cache-Control"])  # the login view's own never_cache header, kept
        self.assertIn("csrftoken", r.cookies)

    def test_the_statistics_page_alone_allows_style_attributes_for_its_charts(self):
        w = build_world()
        self.client.force_login(w.admin1)
        stats = directives(self.client.get("/stats/")["Content-Security-Policy"])
        self.assertEqual(stats["style-src-attr"], ["'unsafe-inline'"])
        self.assertEqual(stats["script-src"], ["'self'"])
        home = directives(self.client.get("/")["Content-Security-Policy"])
        self.assertNotIn("style-src-attr", home)


# What the Content-Security-Policy refuses, written into a template or into HTML built in Python: an inline script,
# an on…= handler, a javascript: URL, a style attribute, and what needs eval (Alpine.js directives, hx-on).
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<[a-zA-Z][^>]*\s(?:on[a-z]+|style|x-data|x-on:[\w.-]+|@[\w.-]+|hx-on[\w:.-]*)=|javascript:",
)


def test_no_template_or_html_in_code_holds_inline_code():
    root = Path(settings.BASE_DIR)
    found = []
    for path in [*root.rglob("templates/**/*.html"), *(p for p in root.rglob("*.py") if "tests" not in p.parts)]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE_CODE.search(line):
                found.append(f"{path.relative_to(root)}:{n}: {line.strip()[:100]}")
    assert not found, "\n".join(found)


def test_the_scan_finds_what_it_looks_for():
    for bad in (
        "<script>alert(1)</script>",
        '<input oninput="f()">',
        '<div class="x" style="width: 1%">',
        '<form x-data="{}">',
        '<form @submit="busy = true">',
        '<button hx-on::after-request="this.remove()">',
        '<a href="javascript:void(0)">',
    ):
        assert INLINE_CODE.search(bad), bad
    for good in ('<script defer src="/static/a.js"></script>', '<div data-sqdj-width="5">', "<p>on=</p>"):
        assert not INLINE_CODE.search(good), good
