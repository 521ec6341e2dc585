"""Issue 14, item 1: the to-do home (待办). The subdistrict admin signs in, sees what waits for them with counts on
top, most urgent first, and one click on a to-do opens the list of exactly that many rows."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from sqdj.demo.mobility import generate_mobility


def _rows_stated(page) -> int:
    """The total a list states in its heading ("共 N 条" / "N in all")."""
    return int(re.search(r"(\d+)", page.locator("main h1 small").inner_text()).group(1))


def test_subdistrict_admin_acts_from_the_home(page, demo, login, screenshot):
    generate_mobility()  # as `sqdj demo` does: transfer cases in every state, mobile members
    login("jd_admin")
    todos = page.locator("#todo-counts .todo-count")
    expect(todos.first).to_be_visible()
    assert todos.count() >= 3
    counts = [int(c) for c in todos.evaluate_all("els => els.map(e => e.dataset.count)")]
    total = int(page.locator("#todo-total").get_attribute("data-count"))
    assert total == sum(counts) and all(n > 0 for n in counts)
    severities = todos.evaluate_all("els => els.map(e => e.dataset.severity)")
    rank = {"overdue": 0, "soon": 1, "waiting": 2}
    assert [rank[s] for s in severities] == sorted(rank[s] for s in severities)  # the most urgent first
    # the inventory comes after the to-dos
    assert page.locator("#todos").bounding_box()["y"] < page.locator("#home-orgs").bounding_box()["y"]
    screenshot(page, "workbench.png")

    # the transfer cases waiting for the user: the list it opens holds exactly that many rows
    transfers = page.locator("#todo-transfers")
    n = int(transfers.get_attribute("data-count"))
    transfers.click()
    expect(page.locator("main h1")).to_be_visible()
    assert _rows_stated(page) == n
    expect(page.locator("main table tbody tr")).to_have_count(n)

    # and a to-do listed by the workbench itself (terms of office ending, judged by the rulebook)
    page.goto("/")
    terms = page.locator("#todo-terms-ending")
    n = int(terms.get_attribute("data-count"))
    terms.click()
    expect(page.locator("#todo-rows tbody tr.todo-row")).to_have_count(n)
