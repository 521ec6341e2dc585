"""Query counts in tests: count what a request runs, find repeated identical queries, and compare a count with the
recorded baseline (`query_counts.json`, one number per page or endpoint and database vendor, like NetBox's).

A test that adds a query fails with the new count and the SQL; if the query is wanted, record the new count:

    SQDJ_RECORD_QUERY_COUNTS=1 .venv/bin/pytest -p no:xdist tests/test_query_counts.py
    SQDJ_RECORD_QUERY_COUNTS=1 scripts/with-postgres.sh .venv/bin/pytest -p no:xdist tests/test_query_counts.py

(one process: the file is rewritten as each test passes) and commit the file with the change that explains it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

BASELINE = Path(__file__).with_name("query_counts.json")


@contextmanager
def captured():
    """`with captured() as queries:` … then `queries` is the list of SQL statements run (savepoints included)."""
    with CaptureQueriesContext(connection) as ctx:
        queries: list[str] = []
        yield queries
    queries.extend(q["sql"] for q in ctx.captured_queries)


def repeated(queries: list[str]) -> dict[str, int]:
    """The statements run more than once, identical to the letter (a cache or a join would do)."""
    return {sql: n for sql, n in Counter(queries).items() if n > 1 and not sql.startswith(("SAVEPOINT", "RELEASE"))}


def describe(queries: list[str]) -> str:
    return "\n".join(f"{i:3d} {sql[:400]}" for i, sql in enumerate(queries, 1))


def vendor() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


def _load() -> dict:
    return json.loads(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}


def baseline(name: str) -> int | None:
    """The recorded count of `name` on this database vendor (None: not recorded)."""
    return _load().get(vendor(), {}).get(name)


def record(name: str, count: int) -> None:
    data = _load()
    data.setdefault(vendor(), {})[name] = count
    data[vendor()] = dict(sorted(data[vendor()].items()))
    BASELINE.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def recording() -> bool:
    return os.environ.get("SQDJ_RECORD_QUERY_COUNTS") == "1"
