"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live server.

* One Chromium per test session (pytest-playwright's session `browser`); each test gets a fresh context.
* The live server listens on 127.0.0.1 only, and every page is checked not to have requested another host.
* Each test loads the small synthetic city and the demo accounts into the live server's database
  (live_server implies `transactional_db`: the tables are emptied again after each test).
* No Chromium at /usr/bin/chromium: the tests are skipped with a notice, or fail when SQDJ_REQUIRE_BROWSER=1 (CI).
* SQDJ_SCREENSHOTS=1 saves the key screens to docs/screenshots/; otherwise nothing is written into the repo.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from sqdj.demo.accounts import DEMO_PASSWORD, demo_accounts, ensure_demo_users
from sqdj.demo.synthetic import generate

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SKIP_REASON = f"Chromium not installed ({CHROMIUM}): browser tests skipped"
HOST = "127.0.0.1"
E2E_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = E2E_DIR.parents[1] / "docs" / "screenshots"


def _browser_required() -> bool:
    return os.environ.get("SQDJ_REQUIRE_BROWSER") == "1"


def _check_chromium() -> None:
    """Skip (or, with SQDJ_REQUIRE_BROWSER=1, fail) when Debian's Chromium is missing."""
    if os.path.exists(CHROMIUM):
        return
    if _browser_required():
        pytest.fail(
            f"SQDJ_REQUIRE_BROWSER=1 but Chromium is not installed at {CHROMIUM}. "
            "Install Debian's package (apt-get install chromium); never run `playwright install`.",
            pytrace=False,
        )
    pytest.skip(SKIP_REASON)


# ---- pytest hooks -----------------------------------------------------------------------------------------------
def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: end-to-end browser test (Playwright + Debian Chromium + live server)")


@pytest.hookimpl(tryfirst=True)  # before `-m` selection, so that `-m e2e` / `-m "not e2e"` see the marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter):
    if not os.path.exists(CHROMIUM) and not _browser_required():
        if any(
            E2E_DIR in Path(str(r.fspath)).resolve().parents
            for r in terminalreporter.stats.get("skipped", [])
            if getattr(r, "fspath", None)
        ):
            terminalreporter.write_line(
                f"NOTICE: {SKIP_REASON} (set SQDJ_REQUIRE_BROWSER=1 to make this an error)", yellow=True
            )


# ---- browser ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session", autouse=True)
def _require_chromium():
    _check_chromium()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    _check_chromium()
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The users' browsers ask for Chinese; Playwright's default would be en-US.
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture
def page(page):
    """pytest-playwright's page, checked to have talked to the live server on 127.0.0.1 only."""
    hosts = set()
    page.on("request", lambda r: hosts.add(urlsplit(r.url).hostname))
    yield page
    outside = hosts - {HOST, None}  # None: data: and about: URLs
    assert not outside, f"the page requested hosts other than {HOST}: {sorted(outside)}"


# ---- server and data --------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def live_server(request, django_db_setup):
    """pytest-django's live server, but always on 127.0.0.1 (its default, `localhost`, may resolve to ::1)."""
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or ""
    port = addr.rpartition(":")[2] if ":" in addr else ""
    server = LiveServer(f"{HOST}:{port}" if port.isdigit() else HOST)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(live_server):
    url = live_server.url
    assert urlsplit(url).hostname == HOST, url
    return url


@pytest.fixture
def demo(live_server, transactional_db):
    """The small synthetic city plus the demo accounts, in the live server's database."""
    generate("small")
    ensure_demo_users()
    orgs = {username: org for username, _display, _role, org in demo_accounts()}
    return SimpleNamespace(password=DEMO_PASSWORD, orgs=orgs, own=orgs["sq_admin"], sibling=orgs["sq2_admin"])


@pytest.fixture
def login(page, demo, base_url):
    """login(username) signs in through the login form and lands on the home page (工作台)."""
    from playwright.sync_api import expect

    def do(username: str):
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", demo.password)
        page.locator("form button[type=submit]").click()
        expect(page).to_have_url(re.compile("^" + re.escape(base_url) + "/$"))
        return page

    return do


@pytest.fixture
def screenshot():
    """screenshot(page, "name.png") saves into docs/screenshots/, only when SQDJ_SCREENSHOTS=1."""

    def save(page, name: str):
        if os.environ.get("SQDJ_SCREENSHOTS") != "1":
            return None
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
