"""Settings for sqdj, read from the environment.

`DATABASE_URL` selects the database (SQLite under `SQDJ_DATA_DIR`, default `./var`, when unset).
Every other knob has a safe default so that `sqdj demo` works on a fresh machine.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent
env = environ.Env()

DATA_DIR = Path(env.str("SQDJ_DATA_DIR", default=str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    """Take SECRET_KEY from the environment, else a random key kept in the data directory."""
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("SQDJ_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_tables2",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "sqdj.core",
    "sqdj.accounts",
    "sqdj.areas",
    "sqdj.orgs",
    "sqdj.members",
    "sqdj.leadership",
    "sqdj.transfers",
    "sqdj.stats",
    "sqdj.health",
    "sqdj.rulebook",
    "sqdj.workbench",
    "sqdj.api",
    "sqdj.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sqdj.core.middleware.ChangeContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sqdj.urls"
WSGI_APPLICATION = "sqdj.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sqdj.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'sqdj.sqlite3'}"),
}
# SQLite has one writer at a time (docs/operations.md, "SQLite"). A writer waits this long (seconds) for the write
# lock before giving up: a request then answers 503 "database busy" with Retry-After, a command exits 2.
SQDJ_SQLITE_TIMEOUT = env.float("SQDJ_SQLITE_TIMEOUT", default=20.0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL: readers never wait for the writer, nor the writer for readers.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # The busy timeout: a writer waits for the lock (SQLite retries it) instead of failing at once.
            "timeout": SQDJ_SQLITE_TIMEOUT,
            # Every transaction (atomic block) takes the write lock when it begins, so it waits its turn there. A
            # deferred one reads first and asks for the lock at its first write; if another connection has written
            # meanwhile, SQLite fails it at once ("database is locked"), whatever the timeout. Single statements
            # outside a transaction (reads, autocommit writes) are not affected, and reads in WAL never wait.
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (security.md R2): 5 failures per username in 30 minutes lock that username.
AXES_FAILURE_LIMIT = env.int("SQDJ_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("SQDJ_LOGIN_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# An API token works this many days after it is issued (security.md R35), unless revoked earlier.
SQDJ_API_TOKEN_DAYS = env.int("SQDJ_API_TOKEN_DAYS", default=90)

SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
# The UI is Chinese whatever the browser asks for (ux.md); English exists only as msgids in the code.
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even when serving from finders
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the app directories: no collectstatic step is needed for the demo.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
SQDJ_IMPORT_MAX_BYTES = env.int("SQDJ_IMPORT_MAX_BYTES", default=30 * 1024 * 1024)
SQDJ_IMPORT_MAX_ROWS = env.int("SQDJ_IMPORT_MAX_ROWS", default=200_000)
SQDJ_IMPORT_MAX_UNPACKED_BYTES = env.int("SQDJ_IMPORT_MAX_UNPACKED_BYTES", default=300 * 1024 * 1024)
# an import lists at most this many errors (and warnings), the first ones, and says how many more there were
SQDJ_IMPORT_MAX_MESSAGES = env.int("SQDJ_IMPORT_MAX_MESSAGES", default=1000)
# an uploaded file waiting for confirmation is deleted after this long
SQDJ_IMPORT_PENDING_SECONDS = env.int("SQDJ_IMPORT_PENDING_SECONDS", default=2 * 3600)

# This deployment's id in transfer letters exchanged with other sqdj deployments (docs/exchange.md); its signing
# key comes from SQDJ_SIGNING_KEY or is created once in the data directory.
SQDJ_DEPLOYMENT_ID = env.str("SQDJ_DEPLOYMENT_ID", default="sqdj")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["sqdj.core.filter_backend.FilterBackend"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sqdj.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["sqdj.core.rest.ScopedPermission"],
    "DEFAULT_PAGINATION_CLASS": "sqdj.core.rest.LimitOffsetPagination",
    "EXCEPTION_HANDLER": "sqdj.core.rest.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "sqdj API",
    "DESCRIPTION": "社区党建平台 REST API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # the schema and its docs are for signed-in users, like every other page (security.md R30)
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/sqdj/favicon.svg",
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/sqdj.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("SQDJ_LOG_LEVEL", default="WARNING")},
}
# Lockout is by user name (security.md R2); an IP-wide lockout would lock a whole office behind one NAT.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Background jobs (docs/operations.md, "Background jobs"): django-tasks with its database backend; `sqdj worker`
# runs them. Imports, large exports and the daily jobs are queued as rows of the database; so is their progress.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A worker writes a heartbeat this often (seconds); a worker on another host whose heartbeat is older than the lease
# is dead, and its running job is failed (a worker on this host is checked by its process id at once).
SQDJ_WORKER_HEARTBEAT = env.float("SQDJ_WORKER_HEARTBEAT", default=5.0)
SQDJ_WORKER_LEASE = env.float("SQDJ_WORKER_LEASE", default=60.0)
# SQLite has one writer at a time: a worker waits this long (seconds) for the write lock, e.g. while another
# worker's import writes.
SQDJ_WORKER_SQLITE_WAIT = env.float("SQDJ_WORKER_SQLITE_WAIT", default=600.0)
# The daily jobs (transfer expiry, reminders) are queued once a day, at or after this hour (local time).
SQDJ_DAILY_JOBS_HOUR = env.int("SQDJ_DAILY_JOBS_HOUR", default=1)
# An export from a list page with more rows than this runs as a background job, to download from the job's page.
SQDJ_EXPORT_BACKGROUND_ROWS = env.int("SQDJ_EXPORT_BACKGROUND_ROWS", default=5000)
# lists count exactly up to this many rows, then show PostgreSQL's estimate as "约 N" (core.paging)
SQDJ_LIST_EXACT_COUNT = env.int("SQDJ_LIST_EXACT_COUNT", default=10_000)
# … and when PostgreSQL estimates more rows than this, the estimate is shown without counting up to the limit first
SQDJ_LIST_TRUST_ESTIMATE = env.int("SQDJ_LIST_TRUST_ESTIMATE", default=15_000)
# an offset past the middle of an estimated list (the API's last pages) counts it exactly: that count is kept this long
SQDJ_LIST_COUNT_CACHE_SECONDS = env.int("SQDJ_LIST_COUNT_CACHE_SECONDS", default=60)
# A finished export's file is kept this long (seconds) in the data directory.
SQDJ_EXPORT_KEEP_SECONDS = env.int("SQDJ_EXPORT_KEEP_SECONDS", default=24 * 3600)

# Backups (docs/operations.md, "备份与恢复"; core.backup): the worker's daily backup writes one file a day into
# SQDJ_BACKUP_DIR and keeps SQDJ_BACKUP_KEEP_DAYS days of them; 0 turns the daily backup off.
SQDJ_BACKUP_DIR = Path(env.str("SQDJ_BACKUP_DIR", default=str(DATA_DIR / "backups"))).resolve()
SQDJ_BACKUP_KEEP_DAYS = env.int("SQDJ_BACKUP_KEEP_DAYS", default=30)
