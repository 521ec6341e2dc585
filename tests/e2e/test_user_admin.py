"""Locked out and let back in, in the browser: a community admin mistypes the password, the sign-in page counts the
tries left down to the lockout page (which says what to do); the district admin finds the account in the user
administration, unlocks it, and the community admin signs in."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def _try(page, username: str, password: str):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").click()


def test_lock_by_failed_sign_ins_then_unlock_as_admin(page, demo, login, base_url, screenshot):
    for left in (4, 3, 2, 1):
        _try(page, "sq_admin", "wrong-password-x")
        expect(page.locator("#login-tries-left")).to_have_attribute("data-tries-left", str(left))
        expect(page.locator("#login-tries-left")).to_contain_text(f"还可尝试 {left} 次")
    screenshot(page, "login-tries-left.png")
    _try(page, "sq_admin", "wrong-password-x")
    expect(page.locator("#locked-out")).to_contain_text("解锁")
    expect(page.locator("#locked-out")).to_contain_text("30 分钟")
    _try(page, "sq_admin", demo.password)  # locked: even the right password is refused
    expect(page.locator("#locked-out")).to_be_visible()

    # the district admin unlocks it
    page.context.clear_cookies()
    login("qu_admin")
    page.get_by_role("link", name="用户", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/users/$"))
    page.locator("#user-search input[name=locked]").check()
    page.locator("#user-search button[type=submit]").click()
    row = page.locator("#user-table tr[data-username=sq_admin]")
    expect(row.locator(".user-locked")).to_be_visible()
    row.locator("a").first.click()
    expect(page.locator("#user-locked")).to_be_visible()
    screenshot(page, "user-admin-locked.png")
    page.locator("#user-unlock").click()
    expect(page.locator("#user-locked")).to_have_count(0)

    # and the community admin signs in
    page.context.clear_cookies()
    login("sq_admin")
    expect(page).to_have_url(re.compile("^" + re.escape(base_url) + "/$"))
