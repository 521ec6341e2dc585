"""core.redirects: a `next` leads only within the site (the password, second-factor, job and notification pages)."""

from django.test import RequestFactory, override_settings

from sqdj.core.redirects import is_local, next_url


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_next_stays_on_the_site():
    rf = RequestFactory()
    assert next_url(rf.get("/", {"next": "/members/?page=2"})) == "/members/?page=2"
    assert next_url(rf.post("/", {"next": "/orgs/"})) == "/orgs/"
    for away in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""):
        assert next_url(rf.get("/", {"next": away})) == "/" and not is_local(rf.get("/"), away)
    assert next_url(rf.get("/"), default="jobs") == "/jobs/"
