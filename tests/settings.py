"""Settings for the test suite: sqdj's own, with a throwaway data directory and fast password hashing."""

import os
import tempfile

os.environ.setdefault("SQDJ_DATA_DIR", tempfile.mkdtemp(prefix="sqdj-test-"))

from sqdj.settings import *  # noqa: E402,F403

# Argon2 at full strength makes every test login cost ~100 ms; the hasher itself is tested separately.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405
