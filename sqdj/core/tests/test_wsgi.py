"""sqdj.wsgi loads the app whole and exempts it from the cyclic collector's full collections (docs/performance.md)."""

import subprocess
import sys


def test_the_server_freezes_the_loaded_app(tmp_path):
    code = "import gc, sqdj.wsgi; print(gc.get_freeze_count())"
    env = {"SQDJ_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert int(out.stdout) > 10_000  # the URLconf's view modules and their imports, not a handful of objects
