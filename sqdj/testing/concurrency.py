"""Two people acting on the same thing at the same moment (security.md R44): each call in a thread of its own, on
a connection of its own, released together. Row locking between connections needs PostgreSQL (SQLite serializes
whole transactions), so tests using it run there (`transaction=True`)."""

from __future__ import annotations

import threading

from django.db import connections


def race(*calls) -> list:
    """Run each call in its own thread (its own connection), released together; return what each returned or
    raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 — the outcome is what the test inspects
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
