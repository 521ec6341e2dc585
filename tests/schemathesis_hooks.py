"""Schemathesis hooks for the CLI run of tests/test_schemathesis_workers.py (loaded through SCHEMATHESIS_HOOKS, in
the `st` process).

- Half of the cases on /{kind}/{id}/ get the id of an existing object of that kind, so that writes reach the
  services and the database (most generated ids name nothing). The ids are in the JSON file named by
  SQDJ_SCHEMATHESIS_IDS: {"orgs": [1, 2, …], …}.
- `ast.parse` is serialized: with 2 workers (threads), Hypothesis describes its strategies' lambdas by parsing their
  source, and CPython 3.11's parser is not safe in two threads at once ("SystemError: AST constructor recursion depth
  mismatch", CPython gh-106905) — a failure of the test tool, not of the API.
"""

from __future__ import annotations

import ast
import json
import os
import threading
import zlib

import schemathesis

with open(os.environ["SQDJ_SCHEMATHESIS_IDS"]) as f:
    IDS: dict[str, list[int]] = json.load(f)

_parse = ast.parse
_parse_lock = threading.Lock()


def _serialized_parse(*args, **kwargs):
    with _parse_lock:
        return _parse(*args, **kwargs)


ast.parse = _serialized_parse  # type: ignore[assignment]


@schemathesis.hook
def before_call(context, case, kwargs):
    if "id" not in (case.path_parameters or {}):
        return
    pool = next((ids for kind, ids in IDS.items() if f"/{kind}/" in case.operation.path), None)
    if not pool:
        return
    pick = zlib.crc32(repr((case.path_parameters, case.body)).encode())  # deterministic, unlike hash()
    if pick % 2:
        case.path_parameters["id"] = pool[(pick // 2) % len(pool)]
