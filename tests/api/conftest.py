"""Fixtures for the API tests: the demo city (loaded once for the package, rolled back after it), API tokens
for the demo accounts, and the WSGI app for schemathesis."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from sqdj.accounts.models import User
from sqdj.accounts.services import do_issue_token
from sqdj.demo.accounts import demo_accounts, ensure_demo_users
from sqdj.demo.synthetic import generate
from sqdj.testing.fixtures import generated_once


@pytest.fixture(scope="package")
def demo_city(django_db_setup, django_db_blocker):
    """`generate("small")` + the demo accounts, inside a transaction that is rolled back after the package's
    tests (each test runs in its own savepoint through the `db` fixture), so no other test sees them."""

    def make():
        generate("small")
        ensure_demo_users()
        return {username: org for username, _display, _role, org in demo_accounts()}

    yield from generated_once(django_db_blocker, make)


@pytest.fixture
def city(demo_city, db):
    """The demo city for one test: {username: the org of that account's role}."""
    return demo_city


@pytest.fixture
def token_for(city):
    """token_for("sq_admin") → a fresh API key of that demo account."""
    return lambda username: do_issue_token(User.objects.get(username=username))


@pytest.fixture
def wsgi_app():
    """Django's WSGI app as a server would run it, minus closing the database connection at the end of each
    request (as django.test.Client does): the test's data lives in a transaction on that connection."""

    app = get_wsgi_application()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield app
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
