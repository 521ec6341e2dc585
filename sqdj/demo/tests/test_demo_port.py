"""`sqdj demo` on a port already taken: a Chinese message naming the port and how to choose another, at once
(before the city is generated), instead of Django's "Error: That port is already in use."."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from django.utils import translation

from sqdj.demo.management.commands.demo import port_problem

SQDJ = str(Path(sys.executable).with_name("sqdj"))


def listening_socket() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


def test_a_taken_port_is_named_with_how_to_choose_another():
    with listening_socket() as taken, translation.override("zh-hans"):
        port = taken.getsockname()[1]
        message = port_problem(port)
    assert message is not None
    assert f"端口 {port}" in message
    assert "make demo PORT=8080" in message and "--port 8080" in message
    assert "already in use" not in message


def test_a_free_port_is_fine():
    with listening_socket() as s:
        port = s.getsockname()[1]
    assert port_problem(port) is None  # closed again: free


def test_the_command_stops_before_preparing_anything(tmp_path):
    env = {**os.environ, "SQDJ_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "sqdj.settings"}
    env.pop("DATABASE_URL", None)
    with listening_socket() as taken:
        port = taken.getsockname()[1]
        r = subprocess.run([SQDJ, "demo", "--port", str(port)], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert f"端口 {port}" in r.stderr and "PORT=8080" in r.stderr
    assert "Error: That port is already in use." not in r.stderr + r.stdout
    assert not (tmp_path / "sqdj.sqlite3").exists()  # no database made, no city generated
