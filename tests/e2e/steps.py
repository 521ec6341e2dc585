"""Steps the browser tests share: a saved page's message, an action page's submit, the search picker."""

from __future__ import annotations

import re

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


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def as_admin(page, login, username):
    """An administrator at a desk."""
    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    login(username)


def as_member(page, base_url, username, password):
    """A member signs in on the phone and lands on 我的 (a self-only account has no administrator's home)."""
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile("^" + re.escape(base_url) + "/me/$"))
