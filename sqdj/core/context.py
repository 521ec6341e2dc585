"""Who is acting, for the change log: set by the middleware for requests and by `acting_as()` elsewhere."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class ChangeContext:
    user: object | None = None
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    remote_addr: str | None = None


_current: ContextVar[ChangeContext | None] = ContextVar("sqdj_change_context", default=None)


def current() -> ChangeContext | None:
    return _current.get()


@contextmanager
def acting_as(user, remote_addr: str | None = None):
    """Attribute every change made inside the block to `user` (CLI commands, services, tests)."""
    outer = _current.get()
    if outer is not None and outer.user is not None and getattr(outer.user, "pk", None) == getattr(user, "pk", None):
        yield outer
        return
    token = _current.set(ChangeContext(user=user, remote_addr=remote_addr))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
