"""End-to-end browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""
