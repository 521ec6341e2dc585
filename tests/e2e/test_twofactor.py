"""Two-step verification in the browser: a subdistrict admin signs in, is sent to enrolment, scans (reads) the key,
confirms with a code computed from it, gets the recovery codes, and on the next sign-in is asked for a code."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect


@pytest.fixture(autouse=True)
def gate_on(settings):
    # the live server runs in this process: it sees the override
    settings.SQDJ_OTP_ENFORCED = True


def _code(secret: str, steps: int = 0) -> str:
    """What an authenticator app shows for this key (`steps` time steps ahead)."""
    return f"{totp(base64.b32decode(secret.replace(' ', '')), drift=steps):06d}"


def _sign_in(page, demo, username):
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.password)
    page.locator("form button[type=submit]").click()


def test_enrol_then_verify(page, demo, base_url, screenshot):
    _sign_in(page, demo, "jd_admin")
    expect(page).to_have_url(re.compile(r"/account/2fa/setup/"))
    # the gate holds every other page
    page.goto("/members/")
    expect(page).to_have_url(re.compile(r"/account/2fa/setup/\?next=%2Fmembers%2F"))
    expect(page.locator("#twofactor-qr svg")).to_be_visible()
    secret = page.locator("#twofactor-secret").inner_text().strip()
    assert re.fullmatch(r"([A-Z2-7]{4} ?)+", secret), secret
    screenshot(page, "twofactor-setup.png")
    page.fill("#id_code", _code(secret))
    page.locator("#twofactor-setup button[type=submit]").click()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name=re.compile("继续|continue", re.I)).click()
    expect(page).to_have_url(re.compile(r"/members/$"))

    # sign out, sign in again: the code page comes first (the next time step's code: the current one is used up)
    page.locator("form[action='/logout/'] button").first.click()
    _sign_in(page, demo, "jd_admin")
    expect(page).to_have_url(re.compile(r"/account/2fa/verify/"))
    page.fill("#id_code", _code(secret, 1))
    page.locator("#twofactor-verify button[type=submit]").click()
    expect(page).to_have_url(re.compile("^" + re.escape(base_url) + "/$"))
    expect(page.locator("main")).to_be_visible()
