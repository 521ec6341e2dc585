"""Saved searches (core.saved_search): a list search by ID or phone number never puts the number in a URL.

The member list is the example page; the flow is the generic list view's, so every app's list behaves the same."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import reverse

from sqdj.core import saved_search
from sqdj.testing.members import world_with_members

pytestmark = pytest.mark.django_db
URL = "members:member_list"


@pytest.fixture
def world():
    return world_with_members()


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _names(response) -> set[str]:
    return {row.record.name for row in response.context["table"].page.object_list}


def _search(client, **data):
    """POST the filter form; returns (the 303's Location, the page it leads to)."""
    r = client.post(reverse(URL), data)
    assert r.status_code == 303
    return r["Location"], client.get(r["Location"])


def test_the_detector():
    for value in ("13812340001", "120101197005040013", "12010119700504001X", "abc1234567", "1234567"):
        assert saved_search.looks_personal(value), value
    for value in ("", "zsf", "张三", "123456", "SQT1", "2024-01-01", "１２３４５６７８"):  # full-width: not ASCII
        assert not saved_search.looks_personal(value), value
    public, private = saved_search.split(QueryDict("q=13812340001&org=SQT1&page=2&sort=name&empty="))
    assert private == {"q": ["13812340001"]}
    assert public.dict() == {"org": "SQT1", "page": "2", "sort": "name"}


@pytest.mark.parametrize("attr", ["id_number", "phone"])
def test_a_search_by_number_goes_by_post_and_the_url_holds_only_an_id(world, attr):
    number = getattr(world.m1, attr)
    client = _client(world.admin1)
    location, page = _search(client, q=number, org="", sort="x")
    assert number not in location
    query = parse_qs(urlsplit(location).query)
    assert set(query) == {"s", "sort"} and len(query["s"][0]) == 8  # the form's empty fields are left out
    assert page.status_code == 200 and _names(page) == {"张三丰"}
    # the page shows the search in its form (the body, not a URL), and no link on it carries the number
    html = page.content.decode()
    assert f'value="{number}"' in html
    for href in ("?" + page.context["querystring"], *(f"{k}={v}" for k, v in page.context["export_hidden"])):
        assert number not in href


def test_a_search_without_a_number_stays_in_the_url(world):
    client = _client(world.admin1)
    location, page = _search(client, q="zsf", org=world.branch1.code)
    assert parse_qs(urlsplit(location).query) == {"q": ["zsf"], "org": [world.branch1.code]}
    assert _names(page) == {"张三丰"}


def test_paging_sorting_and_export_keep_the_saved_search(world):
    client = _client(world.admin1)
    location, _page = _search(client, q=world.m1.phone)
    sid = parse_qs(urlsplit(location).query)["s"][0]
    for extra in ({"page": "1"}, {"sort": "-name"}, {"page": "1", "sort": "name"}):
        r = client.get(reverse(URL), {"s": sid, **extra})
        assert r.status_code == 200 and _names(r) == {"张三丰"}, extra
    r = client.get(reverse(URL), {"s": sid, "export": "csv"})
    body = r.content.decode("utf-8-sig")
    assert r.status_code == 200 and "张三丰" in body and "王二小" not in body
    # a full-number export keeps it too (the reveal form's hidden fields are the URL's: `s`, not the number)
    r = client.get(reverse(URL), {"s": sid, "export": "csv", "reveal_reason": "换届核对"})
    assert "张三丰" in r.content.decode("utf-8-sig") and "王二小" not in r.content.decode("utf-8-sig")


def test_a_number_and_other_filters_together(world):
    client = _client(world.admin1)
    location, page = _search(client, q=world.m1.id_number, org=world.branch1.code)
    assert world.m1.id_number not in location and f"org={world.branch1.code}" in location
    assert _names(page) == {"张三丰"}
    location, page = _search(client, q=world.m1.id_number, org=world.branch2.code)  # the filters still apply
    assert _names(page) == set()


def test_an_old_bookmark_with_a_number_is_redirected_without_echoing_it(world):
    client = _client(world.admin1)
    r = client.get(reverse(URL), {"q": world.m1.id_number, "sort": "name", "export": "csv"})
    assert r.status_code == 303 and world.m1.id_number not in r["Location"]
    assert "sort=name" in r["Location"] and "export=csv" in r["Location"]
    assert world.m1.id_number not in r.content.decode()
    r = client.get(r["Location"])  # the export of the same search, from the redirected URL
    assert "张三丰" in r.content.decode("utf-8-sig") and "王二小" not in r.content.decode("utf-8-sig")


def test_another_user_or_session_cannot_use_the_id(world):
    location, _page = _search(_client(world.admin1), q=world.m1.phone)
    sid = parse_qs(urlsplit(location).query)["s"][0]
    for user in (world.admin1, world.superuser):  # a new session of the same user, and another user
        r = _client(user).get(reverse(URL), {"s": sid})
        assert r.status_code == 303 and "s=" not in r["Location"]


def test_the_id_of_another_user_in_the_same_session_is_ignored(world):
    client = _client(world.admin1)
    location, _page = _search(client, q=world.m1.phone)
    client.force_login(world.superuser)  # the same browser, signed in as someone else (Django keeps no data across)
    r = client.get(location)
    assert r.status_code == 303 and "s=" not in r["Location"]


def test_an_expired_search_asks_to_search_again(world, monkeypatch):
    client = _client(world.admin1)
    with override_settings(SQDJ_SAVED_SEARCH_SECONDS=60):
        location, page = _search(client, q=world.m1.phone)
        assert _names(page) == {"张三丰"}
        later = time.time() + 61
        monkeypatch.setattr(saved_search.time, "time", lambda: later)
        r = client.get(location, follow=True)
    assert r.redirect_chain[0][1] == 303 and "s=" not in r.redirect_chain[0][0]
    assert "此搜索已过期，请重新搜索。" in r.content.decode()
    assert len(_names(r)) >= 2  # the unfiltered list


def test_the_saved_searches_are_encrypted_and_capped(world):
    client = _client(world.admin1)
    for _i in range(saved_search.MAX_SAVED + 5):
        _search(client, q=world.m1.id_number)
    store = client.session[saved_search.SESSION_KEY]
    assert len(store) == saved_search.MAX_SAVED
    assert world.m1.id_number not in str(store)  # the session row holds no number in clear


def test_a_user_without_a_role_gets_403_on_post_too(world):
    r = _client(world.nobody).post(reverse(URL), {"q": world.m1.phone})
    assert r.status_code == 403


def test_the_filter_form_posts_with_a_csrf_token(world):
    html = _client(world.admin1).get(reverse(URL)).content.decode()
    assert '<form method="post" id="filters">' in html and "csrfmiddlewaretoken" in html
