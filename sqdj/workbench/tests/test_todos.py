"""Issue 14, item 1: the to-do home (待办). Every to-do's and tile's count equals the rows of the page its link
opens, for each demo role that sees it (the small demo city); the known defects of the old home stay fixed."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sqdj.accounts.models import User
from sqdj.accounts.services import do_create_user, do_grant_role
from sqdj.core import dates
from sqdj.core.dates import add_months
from sqdj.core.models import Notification
from sqdj.core.plugins import DUE_SOON, OVERDUE, WAITING, Todo, TodoCount, TodoSource, by_urgency
from sqdj.core.rules import param
from sqdj.demo.accounts import ensure_demo_users
from sqdj.demo.mobility import generate_mobility
from sqdj.demo.synthetic import generate
from sqdj.leadership.choices import ElectionOffice
from sqdj.leadership.models import Election
from sqdj.members.services import do_create_member
from sqdj.testing import PASSWORD, build_world
from sqdj.testing.fixtures import generated_once
from sqdj.testing.members import member_data

DEMO_USERNAMES = [
    "sysadmin",
    "qu_admin",
    "jd_admin",
    "sq_admin",
    "sq2_admin",
    "zb_admin",
    "viewer",
    "dangyuan",
    "danwei",
]
TODO = re.compile(r'<a class="text-decoration-none todo-count" id="todo-([\w-]+)" href="([^"]+)" data-count="(\d+)"')
TILE = re.compile(r'id="home-([\w-]+)" href="([^"]+)"><div class="sqdj-card h-100">\s*<div class="text-secondary">'
                  r'[^<]*</div><div class="sqdj-count">(\d+)</div>')  # fmt: skip


@pytest.fixture(scope="module")
def _city(django_db_setup, django_db_blocker):
    def make():
        generate("small")
        ensure_demo_users()
        generate_mobility()  # as `sqdj demo` does: transfer cases in every state, mobile members

    yield from generated_once(django_db_blocker, make)


@pytest.fixture
def city(_city, db):
    return _city


def _client(username: str) -> Client:
    return _client_of(User.objects.get(username=username))


def _client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_of(client: Client, url: str) -> int:
    """The number of rows the page at `url` lists (all its pages: the total it states, checked against the rows
    shown when they fit on one page)."""
    response = client.get(unescape(url), follow=True)
    assert response.status_code == 200, (url, response.status_code)
    ctx = response.context
    html = response.content.decode()
    if "table" in ctx and "total" in ctx:  # a generic list, the open cases or a to-do list of the workbench
        shown = len(ctx["table"].page.object_list) if hasattr(ctx["table"], "page") else None
        if shown is not None and ctx["total"] <= 50:
            assert shown == ctx["total"], url
        return ctx["total"]
    if "notification-list" in html:  # the notifications: the unread ones are the to-do
        assert ctx["page"].paginator.count <= 50
        return html.count('data-unread="1"')
    if 'id="todo-rows"' in html:
        return ctx["total"]
    return ctx["page"].paginator.count  # the residence list


def home(client: Client) -> str:
    """The home page's HTML; a member acting for themselves is sent to their own page (我的): no to-dos there."""
    response = client.get("/")
    if response.status_code == 302:
        assert response["Location"] == reverse("me")
        return ""
    assert response.status_code == 200
    return response.content.decode()


# what the demo city (small, with `sqdj demo`'s transfer cases and mobile members) gives each role to do: every
# source of wave 1 that the demo data holds, seen by the roles whose scope holds it
EXPECTED = {
    "transfers": {"sysadmin", "qu_admin", "jd_admin"},
    "terms-expired": {"sysadmin", "qu_admin"},
    "terms-ending": {"sysadmin", "qu_admin", "jd_admin", "sq_admin"},
    "probation-ending": {"sysadmin", "qu_admin", "jd_admin", "sq2_admin"},
    "inflows-unverified": {"sysadmin", "qu_admin", "jd_admin", "sq2_admin"},
    "contact-overdue-outflow": {"sysadmin", "qu_admin", "jd_admin", "sq_admin", "sq2_admin", "zb_admin"},
    "contact-overdue-inflow": {"sysadmin", "qu_admin", "jd_admin", "sq2_admin"},
    "messages": {"qu_admin", "jd_admin"},
    # the units app (issue 15): the subdistrict's authority lists and instructors, the councils' decisions, the
    # agreements and the needs of the demo city's units part (demo.units)
    "units-intake-open": {"sysadmin", "qu_admin", "jd_admin"},
    "units-intake-overdue": {"sysadmin", "qu_admin"},
    "units-visits-overdue": {"sysadmin", "qu_admin", "jd_admin"},
    "council-decisions-overdue": {"sysadmin", "qu_admin", "jd_admin", "sq_admin"},
    "agreements-renewal": {"sysadmin", "qu_admin", "jd_admin"},
    "needs-waiting": {"sysadmin", "qu_admin", "jd_admin", "sq_admin"},
    # the volunteers (issue 16): claims waiting for the community's decision and members' declared hours waiting
    # for verification, in every community of the demo (demo.volunteers), for the community side and above it
    "post-claims-to-decide": {"sysadmin", "qu_admin", "jd_admin", "sq_admin", "sq2_admin"},
    "hours-to-verify": {"sysadmin", "qu_admin", "jd_admin", "sq_admin", "sq2_admin"},
    # serving residents (issue 17, demo.services): overdue requests for the communities and above, escalated ones
    # and the 12345 orders' red warnings and 待分派 for the subdistrict and above, the yellow warnings everywhere
    "requests-overdue": {"sysadmin", "qu_admin", "jd_admin", "sq_admin", "sq2_admin", "zb_admin"},
    "wishes-late": {"sysadmin", "qu_admin", "jd_admin", "sq_admin", "sq2_admin"},
    "workorders-yellow": {"sysadmin", "qu_admin", "jd_admin", "sq_admin", "sq2_admin", "zb_admin"},
    "requests-escalated": {"sysadmin", "qu_admin", "jd_admin"},
    "workorders-red": {"sysadmin", "qu_admin", "jd_admin"},
    "workorders-unplaced": {"sysadmin", "qu_admin", "jd_admin"},
}


def test_every_todo_counts_the_rows_its_link_opens(city):
    seen: dict[str, set[str]] = {}
    for username in DEMO_USERNAMES:
        client = _client(username)
        html = home(client)
        for key, url, count in TODO.findall(html):
            assert int(count) > 0
            assert rows_of(client, url) == int(count), (username, key, url)
            seen.setdefault(key, set()).add(username)
    assert seen == EXPECTED
    # a read-only user and a member acting for themselves have nothing to do
    assert not seen.keys() & {k for k, users in seen.items() if users & {"viewer", "dangyuan", "danwei"}}


def test_every_tile_counts_the_rows_its_link_opens(city):
    for username in DEMO_USERNAMES:
        client = _client(username)
        for key, url, count in TILE.findall(home(client)):
            assert rows_of(client, url) == int(count), (username, key, url)


def test_todos_are_listed_by_urgency_with_counts_on_top(city):
    html = home(_client("jd_admin"))
    found = TODO.findall(html)
    severities = re.findall(r'class="text-decoration-none todo-count" id="todo-[\w-]+" href="[^"]+" '
                            r'data-count="\d+" data-severity="(\w+)"', html)  # fmt: skip
    rank = {"overdue": 0, "soon": 1, "waiting": 2}
    assert [rank[s] for s in severities] == sorted(rank[s] for s in severities)
    total = int(re.search(r'id="todo-total" data-count="(\d+)"', html).group(1))
    assert total == sum(int(c) for _k, _u, c in found)
    assert html.index('id="todos"') < html.index('id="home-orgs"')  # the to-dos first, the inventory below


def test_transfer_tile_and_todo_agree_with_the_list_they_open(city):
    """The old tile said 1 where the open cases listed 4 (jd_admin), 0 where they listed 1 (sq_admin): it now
    opens the cases waiting for the user."""
    for username in ("jd_admin", "sq_admin"):
        client = _client(username)
        html = home(client)
        tile = {k: (u, int(c)) for k, u, c in TILE.findall(html)}["open-transfers"]
        assert "waiting=true" in tile[0]
        assert rows_of(client, tile[0]) == tile[1]
        todo = {k: int(c) for k, _u, c in TODO.findall(html)}.get("transfers", 0)
        assert todo == tile[1]


def test_community_admin_members_tile_says_why_it_differs_from_the_org_page(city):
    """The home counts the members the community admin sees, those registered (报到) with the community from other
    orgs included; the org page counts the org's own: the tile says how many of the first it holds."""
    client = _client("sq_admin")
    html = home(client)
    n = int(re.search(r'id="home-members" href="[^"]+"><div class="sqdj-card h-100">\s*<div class="text-secondary">'
                      r'[^<]*</div><div class="sqdj-count">(\d+)</div>', html).group(1))  # fmt: skip
    registered = int(re.search(r'id="home-members-note" data-count="(\d+)"', html).group(1))
    assert registered > 0 and "报到" in html
    org = User.objects.get(username="sq_admin").role_assignments.get().org
    page = client.get(org.get_absolute_url()).content.decode()
    own = int(re.search(r'id="org-members-link" href="[^"]+">(\d+)</a>', page).group(1))
    assert n - registered == own


def test_branch_admin_health_card_names_the_branch_by_its_type(city):
    client = _client("zb_admin")
    html = client.get(reverse("health:workbench_tiles")).content.decode()
    assert "社区党组织" not in html
    org = User.objects.get(username="zb_admin").role_assignments.get().org
    assert str(org.get_type_display()) in html


# ---- sources the demo city does not hold: a small world ----------------------------------------------------------


def _todos(client: Client) -> dict[str, tuple[str, int]]:
    return {k: (u, int(c)) for k, u, c in TODO.findall(home(client))}


@pytest.fixture
def world(db):
    return build_world()


def test_probation_ended_and_ending(world):
    today = dates.today()
    months = param("member.probation_months", today)
    days = param("member.probation_reminder_days", today)
    ended = add_months(today, -months - 1)  # ended a month ago, no decision recorded
    ending = add_months(today + datetime.timedelta(days=days - 1), -months)  # ends within the window
    later = add_months(today + datetime.timedelta(days=days + 5), -months)  # ends after the window: not yet
    for seq, joined, org in ((1, ended, world.branch1), (2, ending, world.branch1), (3, later, world.branch1),
                             (4, ended, world.branch2)):  # fmt: skip
        do_create_member(acting_user=None, **member_data(org, seq=seq, name=f"预备{seq}", member_type="probationary",
                                                         joined_on=joined, confirmed_on=None))  # fmt: skip
    client = _client_of(world.admin1)
    todos = _todos(client)
    assert todos["probation-ended"][1] == 1 and todos["probation-ending"][1] == 1
    for key in ("probation-ended", "probation-ending"):
        assert rows_of(client, todos[key][0]) == todos[key][1]
    assert not _todos(_client_of(world.viewer1))  # a viewer decides nothing
    assert _todos(_client_of(world.superuser))["probation-ended"][1] == 2


def test_elections_awaiting_approval(world):
    common = {"held_on": datetime.date(2026, 3, 1), "seats": 1, "eligible_voters": 10, "voters_present": 9}
    Election.objects.create(org=world.branch1, office=ElectionOffice.SECRETARY, **common)
    Election.objects.create(org=world.branch1, office=ElectionOffice.SECRETARY, approved_on=common["held_on"],
                            approval="街道党工委批复", **common)  # fmt: skip
    Election.objects.create(org=world.branch1, office=ElectionOffice.COMMITTEE, **common)  # needs no approval
    Election.objects.create(org=world.branch2, office=ElectionOffice.DEPUTY_SECRETARY, **common)
    client = _client_of(world.admin1)
    url, n = _todos(client)["elections-pending"]
    assert n == 1 and rows_of(client, url) == 1
    url, n = _todos(_client_of(world.superuser))["elections-pending"]
    assert n == 2 and rows_of(_client_of(world.superuser), url) == 2


def test_moving_to_the_residence_community_is_offered_not_a_to_do(world):
    """A retired member who lives in another community: the residence list offers the case, the home does not
    make it a to-do (for a retiree it is a choice: rules.md 6.9, issue 13)."""
    do_create_member(acting_user=None, **member_data(world.branch2, seq=5, name="退休甲", work_status="retired",
                                                     work_unit="", home_area=world.community_area1))  # fmt: skip
    street = do_create_user("street1", password=PASSWORD, validate=False)
    do_grant_role(street, role="subdistrict_admin", org=world.street, descendants=True)
    client = _client_of(street)
    assert "residence" not in _todos(client)
    assert rows_of(client, reverse("transfers:residence_list")) == 1


def test_unread_messages(world):
    Notification.objects.create(user=world.admin1, text="接转案件待您办理", url="/transfers/")
    Notification.objects.create(user=world.admin1, text="已读的消息", read_at=timezone.now())
    Notification.objects.create(user=world.viewer1, text="别人的消息")
    client = _client_of(world.admin1)
    url, n = _todos(client)["messages"]
    assert n == 1 and rows_of(client, url) == 1
    assert "接转案件待您办理" in home(client)


def test_nothing_to_do_says_so(world):
    html = home(_client_of(world.admin1))
    assert 'id="todo-none"' in html and not TODO.findall(html)


def test_sources_sorted_by_urgency():
    d = datetime.date
    todos = [
        TodoCount(count=1, url="/a", severity=WAITING, key="a"),
        TodoCount(count=1, url="/b", due=d(2026, 5, 1), severity=DUE_SOON, key="b"),
        TodoCount(count=1, url="/c", due=d(2026, 6, 1), severity=OVERDUE, key="c"),
        TodoCount(count=1, url="/d", due=d(2026, 4, 1), severity=OVERDUE, key="d"),
        TodoCount(count=1, url="/e", due=d(2026, 4, 1), severity=DUE_SOON, key="e"),
    ]
    assert [t.key for t in by_urgency(todos)] == ["d", "c", "e", "b", "a"]


def test_a_source_of_items_is_summed_up():
    """The plug-in form (items(user), as tests/plugin_app declares it) gives one to-do with its count."""
    rows = [Todo("甲", "/x/1", due=datetime.date(2026, 1, 2), overdue=True), Todo("乙", "/x/2")]
    [todo] = TodoSource("notes", "随手记", lambda user: rows, url="/x/").collect(None)
    assert (todo.count, todo.url, todo.overdue, todo.severity, todo.key) == (2, "/x/", 1, OVERDUE, "notes")
    assert TodoSource("none", "空", lambda user: []).collect(None) == []


def test_the_home_stays_cheap(city):
    """Each source is one or two queries (counts, then the first rows): the whole home for any demo role stays
    within a fixed number of statements (25 for the subdistrict admin on 2026-12-07; 31 for the superuser with the
    units app's six sources; 42 with the volunteers' and the contact changes' six more; 51 with the services app's
    five; 56 with its wishes' and households' four), whatever the city's size."""
    for username in DEMO_USERNAMES:
        client = _client(username)
        client.get("/")  # sessions, caches
        with CaptureQueriesContext(connection) as ctx:
            client.get("/")
        assert len(ctx.captured_queries) <= 56, (username, len(ctx.captured_queries))
