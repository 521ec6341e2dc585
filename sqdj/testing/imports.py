"""Helpers to run `sqdj import` in tests and read its one JSON object."""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.core.management import call_command
from openpyxl import Workbook


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    text = "\n".join(",".join("" if v is None else str(v) for v in r) for r in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def run_import(kind: str, path: Path, *args: str) -> tuple[int, dict]:
    """(exit status, the JSON object printed on stdout)."""
    out = io.StringIO()
    status = 0
    try:
        call_command("import", kind, str(path), "--json", *args, stdout=out)
    except SystemExit as exc:
        status = exc.code
    return status, json.loads(out.getvalue())
