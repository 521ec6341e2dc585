"""Every URL needs a signed-in user except an explicit allow-list (security.md R30)."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"login/", "logout/", "volunteers/verify/"}  # logout: POST-only, harmless; verify: certificates (public)
# the residents' pages of the services app (issue 17): a community's page, the request form, the tracking page
PUBLIC_SERVICES = {"services/public/track/", "services/public/<str:code>/", "services/public/<str:code>/new/"}
PUBLIC |= PUBLIC_SERVICES


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


@pytest.mark.django_db
def test_anonymous_users_reach_exactly_the_public_pages():
    """Every allow-listed route answers an anonymous user (a community's code filled in); every other page under
    services/public/ would have to be on the list (the walk above skips routes with a text parameter)."""
    from sqdj.areas.services import do_create_area

    district = do_create_area(acting_user=None, parent=None, code="P01", name="公开区", type="district")
    street = do_create_area(acting_user=None, parent=district, code="P01001", name="公开街道", type="subdistrict")
    community = do_create_area(acting_user=None, parent=street, code="P01001001", name="公开社区", type="community")
    routes = set(walk(get_resolver().url_patterns))
    assert PUBLIC_SERVICES <= routes
    assert {r for r in routes if r.startswith("services/public/")} == PUBLIC_SERVICES
    c = Client()
    for route in sorted(PUBLIC_SERVICES):
        r = c.get("/" + route.replace("<str:code>", community.code))
        assert r.status_code == 200, (route, r.status_code)
