"""Settings for sqdj, read from the environment.

`DATABASE_URL` selects the database (SQLite under `SQDJ_DATA_DIR`, default `./var`, when unset).
Every other knob has a safe default so that `sqdj demo` works on a fresh machine.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import csp.constants as csp
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
    "sqdj.units",
    "sqdj.volunteers",
    "sqdj.services",
    "sqdj.stats",
    "sqdj.health",
    "sqdj.rulebook",
    "sqdj.workbench",
    "sqdj.api",
    "sqdj.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every response (production block below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sqdj.core.middleware.NoStoreMiddleware",  # no-store on every response but static files (security.md R19)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # idle/absolute session end, forced password change, export rate (security.md R2, R5, R34; accounts.middleware)
    "sqdj.accounts.middleware.SessionTimeoutMiddleware",
    "sqdj.accounts.middleware.PasswordChangeMiddleware",
    "sqdj.accounts.middleware.ExportThrottleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sqdj.core.middleware.ChangeContextMiddleware",
    "axes.middleware.AxesMiddleware",
    # --- second factor (accounts.twofactor): request.user.is_verified(), then the gate (security.md R4) ---
    "django_otp.middleware.OTPMiddleware",
    "sqdj.accounts.twofactor.middleware.TwoFactorMiddleware",
    # --- end second factor ---
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
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "first_name", "last_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 3 of 4 classes, 15 characters for privileged users, no context words (security.md R1; accounts.validators)
    {"NAME": "sqdj.accounts.validators.PasswordPolicyValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (security.md R2): 5 failures per username in 30 minutes lock that username.
AXES_FAILURE_LIMIT = env.int("SQDJ_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("SQDJ_LOGIN_COOLOFF_HOURS", default=0.5)
# Attempts are recorded by username and by address; accounts.lockout judges each against its own limit.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# An API token works this many days after it is issued (security.md R35), unless revoked earlier.
SQDJ_API_TOKEN_DAYS = env.int("SQDJ_API_TOKEN_DAYS", default=90)

# --- second factor (accounts.twofactor; docs/security.md, "Second factor") ---
# Who must use it: superusers, the 三员 (User.duty) and holders of these roles; SQDJ_OTP_FOR_ALL=1 makes it everyone.
# Anyone else may enrol voluntarily and is then asked for a code too.
SQDJ_OTP_REQUIRED_ROLES = env.list(
    "SQDJ_OTP_REQUIRED_ROLES", default=["city_admin", "district_admin", "subdistrict_admin"]
)
SQDJ_OTP_FOR_ALL = env.bool("SQDJ_OTP_FOR_ALL", default=False)
# The gate itself. Not read from the environment: only the test settings turn it off, and a system check refuses it
# off with DEBUG off and SQDJ_HTTPS on (accounts.twofactor.checks).
SQDJ_OTP_ENFORCED = True
OTP_TOTP_ISSUER = env.str("SQDJ_OTP_ISSUER", default="sqdj")  # the account's label in the authenticator app
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes in a row the next try waits 2**(n-1) seconds
OTP_STATIC_THROTTLE_FACTOR = 1
# --- end second factor ---

# ---- sessions, sign-in throttling, passwords, rate limits (security.md R1, R2, R34, R35; docs/security.md) ----
# A session ends after this many idle minutes (privileged users: 三员, superusers, city/district administrators), and
# in any case this many hours after sign-in (accounts.middleware.SessionTimeoutMiddleware).
SQDJ_SESSION_IDLE_MINUTES = env.int("SQDJ_SESSION_IDLE_MINUTES", default=30)
SQDJ_SESSION_IDLE_MINUTES_PRIVILEGED = env.int("SQDJ_SESSION_IDLE_MINUTES_PRIVILEGED", default=15)
SQDJ_SESSION_ABSOLUTE_HOURS = env.int("SQDJ_SESSION_ABSOLUTE_HOURS", default=12)
# This many failed sign-ins from one address in AXES_COOLOFF_TIME lock that address, whatever the usernames.
SQDJ_LOGIN_IP_FAILURE_LIMIT = env.int("SQDJ_LOGIN_IP_FAILURE_LIMIT", default=20)
AXES_HANDLER = "sqdj.accounts.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "sqdj.accounts.lockout.client_ip"
# Behind a reverse proxy: the request.META key of the header carrying the client's address, set (and overwritten)
# by that proxy, e.g. HTTP_X_FORWARDED_FOR or HTTP_X_REAL_IP. Empty: REMOTE_ADDR (a client can forge any header).
SQDJ_PROXY_CLIENT_IP_HEADER = env.str("SQDJ_PROXY_CLIENT_IP_HEADER", default="")
# A password older than this many days must be changed at the next request (0: never).
SQDJ_PASSWORD_MAX_AGE_DAYS = env.int("SQDJ_PASSWORD_MAX_AGE_DAYS", default=90)
# Words no password may contain besides the built-in ones: the deployment's district, street, community names.
SQDJ_PASSWORD_CONTEXT_WORDS = env.list("SQDJ_PASSWORD_CONTEXT_WORDS", default=[])
# Rate limits (DRF's "N/sec|min|hour|day"): the API per signed-in user, per address without one; exports per user.
SQDJ_API_RATE = env.str("SQDJ_API_RATE", default="120/min")
SQDJ_API_ANON_RATE = env.str("SQDJ_API_ANON_RATE", default="30/min")
SQDJ_EXPORT_RATE = env.str("SQDJ_EXPORT_RATE", default="10/hour")
# tries of the public certificate verification page per address (volunteers.certificate_views)
SQDJ_CERTIFICATE_VERIFY_RATE = env.str("SQDJ_CERTIFICATE_VERIFY_RATE", default="10/min")
# a resident's public request form and the public tracking page, per address (services.public_views); the form's
# spam question expires after this many seconds
SQDJ_PUBLIC_REQUEST_RATE = env.str("SQDJ_PUBLIC_REQUEST_RATE", default="10/min")
SQDJ_PUBLIC_TRACK_RATE = env.str("SQDJ_PUBLIC_TRACK_RATE", default="10/min")
SQDJ_PUBLIC_CHALLENGE_MAX_AGE = env.int("SQDJ_PUBLIC_CHALLENGE_MAX_AGE", default=1800)
# uploaded files no one may fetch by URL (a wish's photo): served only through a scoped view
SQDJ_PRIVATE_DIR = Path(env.str("SQDJ_PRIVATE_DIR", default=str(DATA_DIR / "private"))).resolve()
SQDJ_PHOTO_MAX_BYTES = env.int("SQDJ_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
SESSION_COOKIE_AGE = SQDJ_SESSION_ABSOLUTE_HOURS * 3600
# ---- end of sessions, sign-in throttling, passwords, rate limits ----

# The cache holds the rate-limit counters and the lists' cached counts: it must be shared by every process that
# serves requests (gunicorn's workers), or each would count on its own. Default: files in the data directory, shared
# by the processes of one host; several application hosts need a shared cache, e.g. SQDJ_CACHE_URL=redis://host:6379/1.
CACHES = {"default": env.cache("SQDJ_CACHE_URL", default=f"filecache://{DATA_DIR / 'cache'}")}
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "sqdj.core.error_pages.csrf_failure"  # the Chinese 403 page (issue 14), not Django's English one
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# ---- Production settings (docs/operations.md, "生产配置 / Production settings"; security.md R3, R36, R40) ----
# One switch, SQDJ_HTTPS=1, turns on everything that assumes the site is reached over HTTPS: redirect http to https,
# HSTS (1 year, subdomains, preload), Secure cookies with the __Host- prefix. Off by default, so that `make demo` on
# http://127.0.0.1 works; `check --deploy` fails without it (sqdj/core/tests/test_deploy.py).
SQDJ_HTTPS = env.bool("SQDJ_HTTPS", default=False)
# Behind a reverse proxy that terminates TLS, Django sees plain http: name the header the proxy sets (and strips from
# clients!), e.g. SQDJ_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO, or SECURE_SSL_REDIRECT loops forever.
if _proxy_ssl_header := env.str("SQDJ_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, env.str("SQDJ_PROXY_SSL_VALUE", default="https"))
SECURE_SSL_REDIRECT = env.bool("SQDJ_SSL_REDIRECT", default=SQDJ_HTTPS)
SECURE_HSTS_SECONDS = env.int("SQDJ_HSTS_SECONDS", default=365 * 24 * 3600 if SQDJ_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SQDJ_HSTS_INCLUDE_SUBDOMAINS", default=SQDJ_HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SQDJ_HSTS_PRELOAD", default=SQDJ_HTTPS)
SESSION_COOKIE_SECURE = env.bool("SQDJ_SECURE_COOKIES", default=SQDJ_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # __Host-: the browser keeps the cookie only if it is Secure, for path / and without Domain, so neither a
    # sibling subdomain nor an http page can set or overwrite it.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Content-Security-Policy (django-csp 4): scripts, styles, fonts and images from this site only. No inline script or
# style anywhere (sqdj/static/sqdj/*.js do what the templates did inline), no eval (no Alpine.js, htmx's allowEval
# off), data: images for Bootstrap's CSS icons. The API docs page carries its own scripts the same way.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.NONE],
        "frame-ancestors": [csp.NONE],
        "form-action": [csp.SELF],
    }
}
# ---- end of production settings ----

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
    # rates from SQDJ_API_RATE / SQDJ_API_ANON_RATE (security.md R34)
    "DEFAULT_THROTTLE_CLASSES": [
        "sqdj.accounts.throttling.ApiUserRateThrottle",
        "sqdj.accounts.throttling.ApiAnonRateThrottle",
    ],
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
    # fields named alike in several apps ("category", "status", "kind"): each choice set its own schema name
    "ENUM_NAME_OVERRIDES": {
        "CategoryEnum": "sqdj.members.choices.Category",  # the name it had before the units app came
        "RegistrationStatusEnum": "sqdj.members.choices.RegistrationStatus",
        "RegistrationEndEnum": "sqdj.members.choices.RegistrationEnd",
        **{
            f"{name}Enum": f"sqdj.volunteers.choices.{name}"
            for name in (
                "UnitRegistrationEnd",
                "ClaimState",
                "ClaimEnd",
                "HoursState",
                "HoursSource",
                "FeedbackState",
                "ServiceArea",
                "Organizer",
                "PeriodKind",
                "Evaluation",
            )
        },  # fmt: skip
        # the names they had before a registration's end had a reason too
        "ReasonEnum": "sqdj.transfers.choices.TransferReason",
        "EndReasonEnum": "sqdj.transfers.choices.MobileEnd",
        **{
            f"{name}Enum": f"sqdj.units.choices.{name}"
            for name in (
                "UnitCategory",
                "UnitStatus",
                "ListCategory",
                "NeedStatus",
                "ProjectStatus",
                "DecisionStatus",
                "IntakeStatus",
                "InstructorKind",
                "AgreementKind",
                "CouncilKind",
                "ChangeKind",
            )  # fmt: skip
        },
        "SourceEnum": "sqdj.services.choices.Source",  # a request's source, its state: the names they had first
        "RequestStateEnum": "sqdj.services.choices.RequestState",
        "WishClaimStateEnum": "sqdj.services.choices.ClaimState",
        **{f"{name}Enum": f"sqdj.services.choices.{name}" for name in ("HouseholdState", "HouseholdEnd")},
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/sqdj.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("SQDJ_LOG_LEVEL", default="WARNING")},
}
# Lockout is by user name and, with a higher limit, by address (security.md R2; accounts.lockout): axes.W006 no
# longer applies, and no system check is silenced.
SILENCED_SYSTEM_CHECKS: list[str] = []

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
# --- saved searches (core.saved_search) ---
# a list search holding an ID or phone number is kept server-side this long (seconds), then must be made again
SQDJ_SAVED_SEARCH_SECONDS = env.int("SQDJ_SAVED_SEARCH_SECONDS", default=2 * 3600)
# --- end saved searches ---
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

# --- audit trail (core.audit) ---
# days the tamper-evident audit trail is kept before the daily purge; never below 184 (网络安全法: six months) —
# a lower value is raised to 184 and the system check sqdj.audit.W001 warns
SQDJ_AUDIT_KEEP_DAYS = env.int("SQDJ_AUDIT_KEEP_DAYS", default=184)
# --- end audit trail ---
