"""Lists that remember (issue 14; core.saved_search, core.views.ObjectListView): a list's filters and sort are kept
per user and list, server-side, and its bare URL (the menu link) opens them again; 重置 forgets them. 包含所有下级 is a
checkbox, ticked unless unticked; multiple choices render as the searchable multi-select."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import reverse

from sqdj.core import saved_search
from sqdj.core.filtersets import MULTISELECT_ATTR, CheckboxWidget
from sqdj.members.filtersets import MemberFilterSet
from sqdj.members.services import do_create_member
from sqdj.testing.api import api_client
from sqdj.testing.members import member_data, world_with_members

pytestmark = pytest.mark.django_db
MEMBERS = "members:member_list"
ORGS = "orgs:org_list"


@pytest.fixture
def world():
    w = world_with_members()
    # a member of the community's own org (not of a branch below it): 包含所有下级 decides whether m1, m2 show with it
    w.top = do_create_member(acting_user=None, **member_data(w.community1, seq=20, name="顶层党员", female=True))
    return w


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _names(response) -> set[str]:
    return {row.record.name for row in response.context["table"].page.object_list}


def _query(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def _filter(client, url_name=MEMBERS, query="", **data):
    r = client.post(reverse(url_name) + query, data)
    assert r.status_code == 303
    return r["Location"]


def test_filters_and_sort_come_back_through_the_menu_link(world):
    client = _client(world.admin1)
    location = _filter(client, query="?sort=-age", sex="male", category=["employed"], descendants="true")
    assert _query(location) == {"sex": ["male"], "category": ["employed"], "descendants": ["true"], "sort": ["-age"]}
    shown = client.get(location)
    assert _names(shown) == {"张三丰", "王二小"}
    client.get(reverse("home"))  # elsewhere
    back = client.get(reverse(MEMBERS))  # the menu link
    assert back.status_code == 303 and _query(back["Location"]) == _query(location)
    page = client.get(back["Location"])
    assert _names(page) == {"张三丰", "王二小"}
    form = page.context["filterset"].form
    assert form["sex"].value() == "male" and form["category"].value() == ["employed"]
    # a page of the list is not remembered, only what it is a page of
    client.get(location + "&page=1")
    assert "page" not in _query(client.get(reverse(MEMBERS))["Location"])


def test_each_list_and_each_user_has_its_own(world):
    client = _client(world.admin1)
    client.get(_filter(client, sex="male"))
    assert client.get(reverse(ORGS)).status_code == 200  # the org list remembers nothing yet: no redirect
    assert client.get(reverse(MEMBERS)).status_code == 303
    other = _client(world.superuser)  # another user (and session)
    assert other.get(reverse(MEMBERS)).status_code == 200
    # a remembered state read for another user than the one who saved it: not theirs
    path = reverse(MEMBERS)
    session = client.session
    assert path in session[saved_search.LISTS_KEY]
    mine = type("R", (), {"session": session, "user": world.admin1})()
    theirs = type("R", (), {"session": session, "user": world.superuser})()
    assert saved_search.recall(mine, path) == {"sex": ["male"]}
    assert saved_search.recall(theirs, path) == {}


def test_reset_forgets(world):
    client = _client(world.admin1)
    client.get(_filter(client, sex="female"))
    assert client.get(reverse(MEMBERS)).status_code == 303
    r = client.post(reverse(MEMBERS), {"reset": "1"})
    assert r.status_code == 303 and r["Location"] == reverse(MEMBERS)
    page = client.get(reverse(MEMBERS))
    assert page.status_code == 200 and _names(page) == {"张三丰", "王二小", "顶层党员"}
    assert "重置" in page.content.decode()


def test_a_number_searched_for_is_remembered_server_side_only(world):
    client = _client(world.admin1)
    for number in (world.m1.phone, world.m1.phone[-4:]):
        location = _filter(client, q=number)
        assert number not in location
        client.get(location)
        back = client.get(reverse(MEMBERS))
        assert back.status_code == 303 and number not in back["Location"] and "s" in _query(back["Location"])
        assert _names(client.get(back["Location"])) == {"张三丰"}
        # in the session row, encrypted: the number is nowhere in what the database holds, nor in the cookies
        raw = Session.objects.get(session_key=client.session.session_key).session_data
        assert (
            number not in raw
            and number not in Session.objects.get(session_key=client.session.session_key).get_decoded().__repr__()
        )
        assert all(number not in c.value for c in client.cookies.values())


def test_a_remembered_number_lasts_no_longer_than_a_saved_search(world, monkeypatch):
    client = _client(world.admin1)
    with override_settings(SQDJ_SAVED_SEARCH_SECONDS=60):
        client.get(_filter(client, q=world.m1.phone, sex="male"))
        later = time.time() + 61
        monkeypatch.setattr(saved_search.time, "time", lambda: later)
        back = client.get(reverse(MEMBERS))
        assert _query(back["Location"]) == {"sex": ["male"]}  # the harmless part only


def test_descendants_is_a_checkbox_ticked_by_default(world):
    client = _client(world.admin1)
    page = client.get(reverse(MEMBERS))
    html = page.content.decode()
    assert '<input type="hidden" name="descendants" value="false">' in html
    box = next(tag for tag in html.split("<input")[1:] if 'type="checkbox" name="descendants"' in tag).split(">")[0]
    assert 'value="true"' in box and "checked" in box
    assert '<select name="descendants"' not in html  # no 未知/是/否
    org = world.community1.code
    # a link with the org only: with everything below it (the default)
    assert _names(client.get(f"{reverse(MEMBERS)}?org={org}")) == {"张三丰", "王二小", "顶层党员"}
    # the box unticked: the hidden "false" alone is sent
    location = _filter(client, org=org, descendants="false")
    assert _names(client.get(location)) == {"顶层党员"}
    # and the unticked box is what comes back
    page = client.get(client.get(reverse(MEMBERS))["Location"])
    assert page.context["filterset"].form["descendants"].value() is False


def test_the_api_keeps_its_own_default(world):
    """The API's `descendants` is unchanged: left out, it is false (the list pages' default is theirs)."""
    client = api_client(world.admin1)
    r = client.get(reverse("api:member-list"), {"org": world.community1.code})
    assert r.status_code == 200
    assert {m["name"] for m in r.json()["results"]} == {"顶层党员"}
    r = client.get(reverse("api:member-list"), {"org": world.community1.code, "descendants": "true"})
    assert {m["name"] for m in r.json()["results"]} == {"张三丰", "王二小", "顶层党员"}


def test_the_widgets():
    widget = CheckboxWidget()
    for data, expected in [("descendants=true", True), ("descendants=false&descendants=true", True),
                           ("descendants=false", False), ("", None), ("descendants=on", True)]:  # fmt: skip
        assert widget.value_from_datadict(QueryDict(data), {}, "descendants") is expected, data
    fs = MemberFilterSet(None)
    html = str(fs.form["category"])
    assert MULTISELECT_ATTR in html and "multiple" in html and 'data-search-label="' in html
    assert MemberFilterSet.with_defaults(QueryDict("")).dict() == {"descendants": "true"}
    assert MemberFilterSet.with_defaults(QueryDict("descendants=false")).dict() == {"descendants": "false"}


def test_state_helpers_skip_what_is_not_a_filter():
    state = saved_search._state(QueryDict("q=zsf&page=3&s=abcdefgh&export=xlsx&sort=name&empty="))
    assert state == {"q": ["zsf"], "sort": ["name"]}
