"""A new domain app plugs in by declarations alone: tests/plugin_app has a menu entry, an API route, a workbench
tile and to-do source, a rulebook check and its own rulebook row, with no edit to core, api, health or any other
app. Its tests run in a process of their own, with the app added to INSTALLED_APPS (settings are per process)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_an_app_plugs_in_by_declarations_alone(tmp_path):
    env = {**os.environ, "SQDJ_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "--ds", "tests.plugin_app.settings", "-o", "python_files=check_*.py", "tests/plugin_app/check_plugin.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "4 passed" in run.stdout


def test_the_central_files_name_no_app():
    """What an app declares is found, not listed: the API root, the site URLs, the menu and the health app name
    no domain app."""
    central = ["sqdj/api/urls.py", "sqdj/urls.py", "sqdj/core/context_processors.py", "sqdj/health/apps.py"]
    for name in central:
        text = (ROOT / name).read_text(encoding="utf-8")
        for app in ("areas", "orgs", "members", "leadership", "transfers", "stats", "rulebook"):
            assert f"sqdj.{app}" not in text, (name, app)
