"""The test suite's settings plus the plug-in test app: the only central change an app needs."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.plugin_app"]  # noqa: F405

# Its own test database: this process runs beside the suite's, which may be using the same PostgreSQL server
# (on SQLite the test database lies in this process's own data directory anyway).
if not DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": "test_sqdj_plugin_app"}  # noqa: F405
