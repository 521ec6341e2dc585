"""Settings for the test suite: sqdj's own, with a throwaway data directory and fast password hashing."""

import os
import tempfile

os.environ.setdefault("SQDJ_DATA_DIR", tempfile.mkdtemp(prefix="sqdj-test-"))
# The daily backup is off in tests, in the `sqdj worker` processes some tests start too (they would back up the test
# database with every test of the daily jobs); sqdj/core/tests/test_backup.py turns it on where it tests it.
os.environ["SQDJ_BACKUP_KEEP_DAYS"] = "0"

from sqdj.settings import *  # noqa: E402,F403

# Argon2 at full strength makes every test login cost ~100 ms; the hasher itself is tested separately.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405

# Background jobs run inside the request in tests (a TestCase's data are invisible to other connections): the
# same job code, enqueued on the immediate backend. The tests about the queue and the worker
# (sqdj/core/tests/test_jobs_worker.py) switch to the database backend and run real `sqdj worker` processes.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# A file, not shared-cache memory, for the SQLite test database: like production it runs in WAL mode, so a
# background import's writer does not lock out the requests that poll it.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405

# The second-factor gate is off for the suite: many tests sign in as district/subdistrict admins (force_login, the
# e2e login form) to test other things. sqdj/accounts/tests/test_twofactor.py and tests/e2e/test_twofactor.py turn
# it on (override_settings) and prove it; production can never run with it off (system check sqdj.twofactor.E001).
SQDJ_OTP_ENFORCED = False

# Rate limits (security.md R34): the suite makes thousands of API calls and exports per user (schemathesis among
# them), far above production's 120/min and 10/hour; sqdj/accounts/tests/test_throttling.py tests the real limits
# with override_settings.
SQDJ_API_RATE = "1000000/min"
SQDJ_API_ANON_RATE = "1000000/min"
SQDJ_EXPORT_RATE = "1000000/hour"

# Each test process its own cache: the data directory (and a file cache in it) is shared by the xdist workers, whose
# databases reuse the same user ids — their rate-limit counters must not meet.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
