"""Every URL needs a signed-in user except an explicit allow-list (security.md R30)."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"login/", "logout/", "volunteers/verify/"}  # logout: POST-only, harmless; verify: certificates (public)


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def concrete(route: str) -> str:
    """A request path for a route: path converters get a value, regex routes are dropped."""
    if "^" in route or "(?P" in route:
        return ""
    out = route
    for conv, value in (("<int:pk>", "1"), ("<pk>", "1"), ("<str:", None), ("<int:", None)):
        if value is not None:
            out = out.replace(conv, value)
    return "" if "<" in out else "/" + out


@pytest.mark.django_db
def test_every_url_requires_authentication():
    c = Client()
    checked = 0
    for route in sorted(set(walk(get_resolver().url_patterns))):
        path = concrete(route)
        if not path or route in PUBLIC:
            continue
        r = c.get(path)
        if path.startswith("/api/"):
            assert r.status_code in (401, 403, 404), (path, r.status_code)
            if r.status_code == 404:
                assert "format" in route or "\\." in route, (path, "a 404 before authentication")
        else:
            assert r.status_code == 302 and r["Location"].startswith("/login/"), (path, r.status_code)
        checked += 1
    assert checked >= 20


def test_login_page_is_public():
    assert Client().get("/login/").status_code == 200
