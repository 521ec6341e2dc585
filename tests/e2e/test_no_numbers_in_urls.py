"""A search by ID number and by phone through the UI — paging, sorting, exports, the back button — and not one URL
the browser asked for, nor one line of the server's access log, holds an ID or phone number (core.saved_search)."""

from __future__ import annotations

import logging
import re

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.test.testcases import QuietWSGIRequestHandler
from playwright.sync_api import expect

from sqdj.members.services import do_create_member
from sqdj.testing.members import member_data

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
PHONE = re.compile(r"1\d{10}")


def numbers_in(texts) -> list[str]:
    """Every ID or phone number found in `texts` (URLs, log lines); a phone only outside an ID (an ID holds 11
    digits that start with 1 more often than not)."""
    found = []
    for text in texts:
        found += ID_NUMBER.findall(text)
        found += PHONE.findall(ID_NUMBER.sub(" ", text))
    return found


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def access_log(monkeypatch):
    """The live server's access log: its request handler is quiet; here it logs like `runserver`, to the
    `django.server` logger (one line per request: the request line with its query string, the status)."""
    monkeypatch.setattr(QuietWSGIRequestHandler, "log_message", WSGIRequestHandler.log_message)
    logger = logging.getLogger("django.server")
    handler = _Lines()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_the_scanner_finds_a_number(demo):
    member = member_data(demo.own, seq=903)
    assert numbers_in([f"/members/?q={member['id_number']}"]) == [member["id_number"]]
    assert numbers_in([f'"GET /members/?q={member["phone"]}&page=2 HTTP/1.1" 200 512']) == [member["phone"]]
    assert numbers_in(["/members/?s=Ab3_x-9Q&page=2&sort=-name", "/static/sqdj/sqdj.css"]) == []


def test_searches_by_number_leave_no_number_in_any_url(page, demo, login, access_log, tmp_path):
    branch = demo.own.children().order_by("code").first()
    mine = do_create_member(acting_user=None, **member_data(branch, seq=904, name="欧阳明轩"))
    other = do_create_member(acting_user=None, **member_data(branch, seq=905, name="欧阳明远"))
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.on("response", lambda r: urls.append(r.headers.get("location", "")))
    login("sq_admin")
    table = page.locator("table.sqdj-table")

    # by ID number, through the filter form
    page.goto("/members/")
    page.fill("#id_q", mine.id_number)
    page.locator("#filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/members/\?(.*&)?s=[\w-]{8}(&|$)"))
    expect(table.get_by_role("link", name="欧阳明轩")).to_be_visible()
    expect(table).not_to_contain_text("欧阳明远")
    expect(page.locator("#id_q")).to_have_value(mine.id_number)  # the form keeps the search (in the page body)
    by_id = page.url

    # sorting and paging carry the saved search
    table.locator("thead a").first.click()
    expect(page).to_have_url(re.compile(r"[?&]sort="))
    expect(table.get_by_role("link", name="欧阳明轩")).to_be_visible()
    expect(table).not_to_contain_text("欧阳明远")
    page.goto(f"{page.url}&page=1")
    expect(table.get_by_role("link", name="欧阳明轩")).to_be_visible()
    expect(table).not_to_contain_text("欧阳明远")

    # the exports of the search: masked CSV, and full numbers with a reason
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    text = (download.value.path()).read_text(encoding="utf-8-sig")
    assert "欧阳明轩" in text and "欧阳明远" not in text
    page.fill("#reveal-reason", "换届资格审查")
    with page.expect_download() as download:
        page.locator("#export-reveal button[type=submit]").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # by phone
    page.fill("#id_q", mine.phone)
    page.locator("#filters button[type=submit]").click()
    expect(page).not_to_have_url(by_id)
    expect(table.get_by_role("link", name="欧阳明轩")).to_be_visible()
    expect(table).not_to_contain_text("欧阳明远")

    # back to the ID search: the same results, without posting the form again
    page.go_back()
    page.go_back()
    page.go_back()
    expect(page.locator("#id_q")).to_have_value(mine.id_number)
    expect(table.get_by_role("link", name="欧阳明轩")).to_be_visible()
    expect(table).not_to_contain_text("欧阳明远")

    # a search by name stays in the URL (nothing personal in it)
    page.fill("#id_q", "oymy")
    page.locator("#filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"q=oymy"))
    expect(table.get_by_role("link", name="欧阳明远")).to_be_visible()

    assert len(urls) > 10 and access_log, "the scan saw the browser's requests and the server's log"
    assert any("POST /members/" in line for line in access_log), access_log
    assert any(re.search(r"[?&]s=[\w-]{8}", line) for line in access_log), access_log
    assert numbers_in(urls) == [], urls
    assert numbers_in(access_log) == [], access_log
    assert other.phone not in " ".join(urls + access_log)
