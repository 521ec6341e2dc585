"""A page-by-page crawl of the demo city as every demo role (issue 14): every page a user can reach by following
links from the home page answers without a server error, in Chinese — no English word, no rule id
(`org.term_expired`) and no object id (`outflow-6`) among the words a user reads.

The crawl follows the links of each page (same site, GET, no exports, no API, no log-out), as far as
`PAGES_PER_ROLE` pages; a list's other pages and sort orders are the same page with other rows and are visited
once. What a user reads is the page's text without <script>/<style>/<svg>, form values and attribute values, and
without what the page marks `translate="no"` (a secret key to type, a code); the words of ALLOWED are allowed.

The public pages (issue 17: a community's page, the tracking page) are crawled too, without an account. And no page
any role or a resident sees holds a resident's contact of the demo data in full — its name or phone anywhere in the
HTML (staff pages show it masked: 示****, 139******12; public pages not at all).
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from sqdj.accounts.models import User
from sqdj.demo.accounts import demo_accounts, ensure_demo_users
from sqdj.demo.synthetic import generate
from sqdj.services.models import Request
from sqdj.testing.fixtures import generated_once

PAGES_PER_ROLE = 100
# every demo account (sqdj.demo.accounts; a test below checks the list is complete)
DEMO_USERNAMES = [
    "sysadmin",
    "qu_admin",
    "jd_admin",
    "sq_admin",
    "sq2_admin",
    "zb_admin",
    "viewer",
    "dangyuan",
    "zaizhi",
    "danwei",
]
# words a Chinese user reads as they are: names of file formats and of products (the authenticator apps the
# two-step set-up names), and the pinyin the password rules name as a word not to use
ALLOWED = {"pdf", "excel", "xlsx", "csv", "json", "api", "url", "sqdj", "wps", "dangjian"}
ALLOWED |= {"microsoft", "google", "authenticator", "freeotp"}
# a path (or query) that writes, downloads or leaves the HTML pages: never followed
SKIP = re.compile(
    r"^/(api/|static/|logout|media/)|/(export|letter|pdf|download|template|report)\b|[?&](export|format)="
)
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
RULE_ID = re.compile(r"\b[a-z]+\.[a-z]+_[a-z_]+\b")  # org.term_expired, member.transfer_due
OBJECT_ID = re.compile(r"\b[a-z]+-\d+\b")  # outflow-6
# a resident's contact of the demo data in full (sqdj.demo.services: 示例居民 + a number, 1390000xxxx); masked it
# shows as 示**** and 139******12, which this never matches
RESIDENT_CONTACT = re.compile(r"示例居民\d+|1390000\d{4}")


class _Page(HTMLParser):
    """The page's links and the text a user reads."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0
        self._verbatim: list[str] = []  # the open elements marked translate="no"

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template", "svg"):
            self._hidden += 1
        elif dict(attrs).get("translate") == "no":
            self._verbatim.append(tag)
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "svg") and self._hidden:
            self._hidden -= 1
        elif self._verbatim and self._verbatim[-1] == tag:
            self._verbatim.pop()

    def handle_data(self, data):
        if not self._hidden and not self._verbatim and data.strip():
            self.text.append(data.strip())


def _normal(href: str) -> str | None:
    """The page a link opens, with a list's paging and sorting left out; None for what the crawl does not follow."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(href):
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("page", "sort", "per_page")]
    return parts.path + (f"?{urlencode(query)}" if query else "")


def _shape(url: str) -> str:
    """Pages that differ only by an object's number or by their filters are one shape, visited twice at most."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


def _unreadable(text: str, usernames: set[str]) -> list[str]:
    found = []
    for word in ENGLISH_WORD.findall(text):
        if word.lower() not in ALLOWED and word not in usernames:
            found.append(word)
    found += RULE_ID.findall(text) + OBJECT_ID.findall(text)
    return found


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    def make():
        generate("small")
        ensure_demo_users()
        return [username for username, *_rest in demo_accounts()]

    yield from generated_once(django_db_blocker, make)


def crawl(
    client: Client, usernames: set[str], start: tuple[str, ...] = ("/",)
) -> tuple[dict[str, int], dict[str, list[str]], dict[str, list[str]]]:
    """(status by page, unreadable words by page, residents' contacts in full by page) of the pages reachable from
    `start` (every page of `start` is visited, whatever its shape)."""
    seen: dict[str, int] = {}
    shapes: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    leaks: dict[str, list[str]] = {}
    queue = deque(start)
    while queue and len(seen) < PAGES_PER_ROLE + len(start) - 1:
        url = queue.popleft()
        if url in seen or (url not in start and shapes.get(_shape(url), 0) >= 2):
            continue
        shapes[_shape(url)] = shapes.get(_shape(url), 0) + 1
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code in (301, 302):  # e.g. a member's home: their own page (我的)
            target = _normal(response["Location"])
            if target is not None and target not in seen:
                queue.append(target)
            continue
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        if RESIDENT_CONTACT.search(html):
            leaks[url] = sorted(set(RESIDENT_CONTACT.findall(html)))[:5]
        page = _Page()
        page.feed(html)
        bad = _unreadable(" ".join(page.text), usernames)
        if bad:
            problems[url] = sorted(set(bad))[:10]
        for href in page.links:
            target = _normal(href)
            if target is not None and target not in seen:
                queue.append(target)
    return seen, problems, leaks


@pytest.mark.django_db
@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_every_page_a_role_reaches_is_chinese_and_answers(demo_city, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    seen, problems, leaks = crawl(client, set(demo_city) | {username})
    assert len(seen) > 3, seen  # the home and the pages it links to at least
    errors = {url: status for url, status in seen.items() if status >= 500}
    assert not errors, errors
    assert not problems, "\n".join(f"{url}: {words}" for url, words in problems.items())
    assert not leaks, leaks


def _public_pages() -> tuple[str, ...]:
    """Each community's public page (those with a party organization: they have requests) and the tracking page."""
    areas = Request.objects.filter(placed=True).values_list("org__area__code", flat=True).distinct()
    pages = [reverse("services:public_community", args=[code]) for code in sorted(areas)]
    return (*pages, reverse("services:public_track"))


@pytest.mark.django_db
def test_the_demo_contacts_are_what_the_scan_looks_for(demo_city):
    contacts = Request.objects.exclude(contact_name="")
    assert contacts.count() > 100
    assert all(RESIDENT_CONTACT.fullmatch(r.contact_name) and RESIDENT_CONTACT.fullmatch(r.contact_phone)
               for r in contacts)  # fmt: skip


@pytest.mark.django_db
def test_the_public_pages_answer_in_chinese_and_show_no_resident(demo_city):
    start = _public_pages()
    assert len(start) > 10
    seen, problems, leaks = crawl(Client(), set(demo_city), start)
    assert all(seen[url] == 200 for url in start), {url: seen[url] for url in start}
    errors = {url: status for url, status in seen.items() if status >= 500}
    assert not errors, errors
    assert not problems, "\n".join(f"{url}: {words}" for url, words in problems.items())
    assert not leaks, leaks
    # the public list shows the requests marked public (their summaries), and only those
    community = Request.objects.filter(public=True, placed=True).order_by("pk").first().org.area
    page = Client().get(reverse("services:public_community", args=[community.code])).content.decode()
    assert "党群服务中心" in page


@pytest.mark.django_db
def test_the_tracking_page_shows_a_request_with_a_contact_and_no_person(demo_city):
    client = Client()
    for request in Request.objects.exclude(contact_name="").order_by("pk")[:4]:
        response = client.post(reverse("services:public_track"), {"code": request.tracking_code})
        html = response.content.decode()
        assert response.status_code == 200 and request.summary in html
        page = _Page()
        page.feed(html)
        assert not _unreadable(" ".join(page.text), set()), _unreadable(" ".join(page.text), set())
        assert not RESIDENT_CONTACT.search(html), RESIDENT_CONTACT.findall(html)
        assert request.tracking_code not in html  # the code is not written back into the page


@pytest.mark.django_db
def test_staff_see_a_residents_contact_masked_only(demo_city):
    user = User.objects.get(username="sq_admin")
    request = Request.objects.restrict(user, "view").exclude(contact_name="").order_by("pk").first()
    client = Client()
    client.force_login(user)
    html = client.get(request.get_absolute_url()).content.decode()
    assert request.contact_name_masked in html and request.contact_phone_masked in html
    assert request.contact_name not in html and request.contact_phone not in html


@pytest.mark.django_db
def test_the_crawl_covers_every_demo_account(demo_city):
    assert sorted(DEMO_USERNAMES) == sorted(["sysadmin", *demo_city])
