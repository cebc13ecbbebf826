"""PostgreSQL connections: timestamps read by psycopg's compiled loader.

Django 5.2 reads every `timestamptz` value through a loader written in Python
(`django.db.backends.postgresql.psycopg_any.BaseTzLoader`: psycopg's pure-Python parser, then
`replace(tzinfo=...)`), so that datetimes carry Django's time zone. With psycopg's binary
package the compiled loader gives the same datetime, `datetime.timezone.utc` included, when the
session's time zone is UTC, which Django sets on every connection when `USE_TZ` is on and the
database has no TIME_ZONE of its own. Reading 100,000 timestamps took 371 ms of CPU through
Django's loader and 50 ms through this one; a page of 50 enquiries from the API reads 263 of
them (with their status changes) on the 1M bench registry.

`install` registers the loader on each new connection whose Django time zone is UTC. Django
keeps its own loader for any other connection: its `create_cursor` replaces a loader whose
`timezone` differs from the connection's.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.db.backends.signals import connection_created


@functools.cache
def timestamptz_loader() -> type | None:
    """The loader class, or None where psycopg has no compiled loader (no binary package)."""
    import psycopg
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    oid = psycopg.adapters.types["timestamptz"].oid
    compiled = psycopg.adapters.get_loader(oid, Format.TEXT)
    # psycopg_binary._psycopg or psycopg_c._psycopg; the pure-Python one gains nothing
    if compiled is None or not compiled.__module__.startswith("psycopg_"):
        return None

    class UtcTimestamptzLoader(Loader):
        """Django's UTC timestamptz loader, parsing in compiled code."""

        # compared by Django's create_cursor with the connection's time zone
        timezone = datetime.UTC

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._compiled = compiled(oid, context)
            connection = getattr(context, "connection", None)
            if connection is not None and connection.info.timezone is datetime.UTC:
                # the session is in UTC: the compiled loader's datetimes are Django's already
                self.load = self._compiled.load

        def load(self, data: Any) -> datetime.datetime:
            # a session moved to another zone: the same instant, in UTC
            return self._compiled.load(data).astimezone(self.timezone)

    return UtcTimestamptzLoader


def _register(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "postgresql" or connection.timezone != datetime.UTC:
        return
    loader = timestamptz_loader()
    if loader is not None:
        connection.connection.adapters.register_loader("timestamptz", loader)


def install() -> None:
    """Register the loader on every PostgreSQL connection Django opens from now on."""
    connection_created.connect(_register, dispatch_uid="kinlink.postgres.timestamptz")
