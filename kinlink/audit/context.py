"""Who is acting, and from where: set per request by middleware, per command by the CLI."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    ip: str | None = None


SYSTEM = Actor(user_id=None, username="system")
_current: ContextVar[Actor] = ContextVar("kinlink_actor", default=SYSTEM)


def actor_for(user: Any, ip: str | None = None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(user_id=None, username="anonymous", ip=ip)
    return Actor(user_id=user.pk, username=user.get_username(), ip=ip)


def current_actor() -> Actor:
    return _current.get()


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def replace_actor(actor: Actor) -> None:
    """Swap the actor for the rest of the current request (API token auth happens in the view)."""
    _current.set(actor)
