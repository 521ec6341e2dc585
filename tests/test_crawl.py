"""A page-by-page crawl of the demo city as every demo role (issue 14): every page a user can reach by following
links from the home page answers without a server error, in Chinese — no English word, no rule id
(`org.term_expired`) and no object id (`outflow-6`) among the words a user reads.

The crawl follows the links of each page (same site, GET, no exports, no API, no log-out), as far as
`PAGES_PER_ROLE` pages; a list's other pages and sort orders are the same page with other rows and are visited
once. What a user reads is the page's text without <script>/<style>/<svg>, form values and attribute values, and
without what the page marks `translate="no"` (a secret key to type, a code); the words of ALLOWED are allowed.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.test import Client

from sqdj.accounts.models import User
from sqdj.demo.accounts import demo_accounts, ensure_demo_users
from sqdj.demo.synthetic import generate
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


def crawl(client: Client, usernames: set[str]) -> tuple[dict[str, int], dict[str, list[str]]]:
    """(status by page, unreadable words by page) of the pages reachable from the home page."""
    seen: dict[str, int] = {}
    shapes: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    queue = deque(["/"])
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen or shapes.get(_shape(url), 0) >= 2:
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
        page = _Page()
        page.feed(response.content.decode())
        bad = _unreadable(" ".join(page.text), usernames)
        if bad:
            problems[url] = sorted(set(bad))[:10]
        for href in page.links:
            target = _normal(href)
            if target is not None and target not in seen:
                queue.append(target)
    return seen, problems


@pytest.mark.django_db
@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_every_page_a_role_reaches_is_chinese_and_answers(demo_city, username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    seen, problems = crawl(client, set(demo_city) | {username})
    assert len(seen) > 3, seen  # the home and the pages it links to at least
    errors = {url: status for url, status in seen.items() if status >= 500}
    assert not errors, errors
    assert not problems, "\n".join(f"{url}: {words}" for url, words in problems.items())


@pytest.mark.django_db
def test_the_crawl_covers_every_demo_account(demo_city):
    assert sorted(DEMO_USERNAMES) == sorted(["sysadmin", *demo_city])
