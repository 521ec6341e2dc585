"""Steps the browser tests share: a saved page's message, an action page's submit, the search picker."""

from __future__ import annotations

from playwright.sync_api import expect


def saved(page):
    expect(page.locator(".alert-success").first).to_be_visible()


def submit_action(page):
    """The generic action page's button (core.views.action_page)."""
    page.locator("#action-form button[type=submit]").first.click()


def pick(page, field_id, words, selector):
    """The search picker (core.widgets.SearchSelect): type, then choose the result."""
    page.fill(f"#{field_id}_search", words)
    page.locator(f"#{field_id}_results {selector}").first.click()
