"""`check --deploy --fail-level WARNING` passes with the documented production environment (docs/operations.md,
"生产配置 / Production settings"; security.md R40) and fails without it, each run in its own process: the settings
are read from the environment once, at start-up, exactly as on a server."""

from __future__ import annotations

import functools
import json
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
]


def production_env(data_dir: Path, **extra: str) -> dict:
    """The environment docs/operations.md gives for production, on a throwaway SQLite database and data directory."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(data_dir),
        "SQDJ_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'sqdj.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
        "ALLOWED_HOSTS": "dangjian.example.gov.cn",
        "CSRF_TRUSTED_ORIGINS": "https://dangjian.example.gov.cn",
        "SQDJ_HTTPS": "1",
        "SQDJ_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
        **extra,
    }


def run_sqdj(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sqdj.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def read_settings(env: dict) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {SETTINGS!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "sqdj.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout)


@functools.cache
def production_settings() -> dict:
    """What settings.py makes of the production environment (the header tests override the test settings with it)."""
    with tempfile.TemporaryDirectory() as tmp:
        values = read_settings(production_env(Path(tmp)))
    if values["SECURE_PROXY_SSL_HEADER"] is not None:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def test_deploy_check_passes_with_the_production_environment(tmp_path):
    result = run_sqdj(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output
    assert "System check identified no issues" in output


def test_deploy_check_fails_without_it(tmp_path):
    """The demo's environment (no SQDJ_HTTPS) is not fit for production, and the check says so: the test above can
    fail."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SQDJ_DATA_DIR": str(tmp_path)}
    result = run_sqdj(env, "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in output, (warning, output)


def test_debug_is_caught_even_with_https(tmp_path):
    result = run_sqdj(production_env(tmp_path, SQDJ_DEBUG="1"), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "security.W018" in result.stderr, result.stderr


def test_what_the_https_switch_turns_on(tmp_path):
    values = production_settings()
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600  # security.md R36: at least a year
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and values["SECURE_HSTS_PRELOAD"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid" and values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")

    # the demo's defaults: plain http on 127.0.0.1 keeps working
    demo = read_settings({"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SQDJ_DATA_DIR": str(tmp_path)})
    assert demo["SECURE_SSL_REDIRECT"] is False and demo["SECURE_HSTS_SECONDS"] == 0
    assert demo["SESSION_COOKIE_SECURE"] is False and demo["SESSION_COOKIE_NAME"] == "sessionid"
    assert demo["SECURE_PROXY_SSL_HEADER"] is None and demo["DEBUG"] is False

    # one switch, individual overrides: e.g. a domain whose other subdomains are not (yet) all on HTTPS
    partial = read_settings(production_env(tmp_path, SQDJ_HSTS_INCLUDE_SUBDOMAINS="0", SQDJ_HSTS_PRELOAD="0"))
    assert partial["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False and partial["SECURE_HSTS_PRELOAD"] is False
    assert partial["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and partial["SESSION_COOKIE_SECURE"] is True


def test_a_cache_private_to_each_process_is_a_deploy_warning(tmp_path):
    env = production_env(tmp_path, SQDJ_CACHE_URL="locmemcache://")
    result = run_sqdj(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "sqdj.W001" in result.stdout + result.stderr
