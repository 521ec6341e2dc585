"""Data written once for a whole test module or package: the synthetic city takes seconds to generate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction


def generated_once(django_db_blocker, make: Callable[[], Any]) -> Iterator[Any]:
    """For a module- or package-scoped fixture: `make()` runs inside a transaction that stays open for the scope's
    tests (each test runs in its own savepoint through the `db` fixture) and is rolled back after them, so no other
    test sees what it wrote. Yields what `make()` returned."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            made = make()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    try:
        yield made
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
