"""Timestamps read back exactly, in UTC, on SQLite and through kinlink.postgres's loader on
PostgreSQL (psycopg's compiled parser in place of Django's Python one)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.models import Session
from django.db import connection

from kinlink import postgres

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")
MOMENTS = [
    datetime.datetime(2026, 3, 20, 23, 59, 59, 999_999, tzinfo=TEHRAN),  # Nowruz eve, +03:30
    datetime.datetime(1979, 2, 11, 0, 0, 0, 1, tzinfo=datetime.UTC),
    datetime.datetime(2000, 2, 29, 12, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
]
LITERALS = [
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "2026-03-20 23:59:59.5+03:30",
    "1899-12-31 23:45:00-00:25:21",  # a zone offset with seconds
]


def _stored_moments() -> list[datetime.datetime]:
    for n, moment in enumerate(MOMENTS):
        Session.objects.create(session_key=f"moment-{n}", session_data="", expire_date=moment)
    return [Session.objects.get(session_key=f"moment-{n}").expire_date for n in range(len(MOMENTS))]


def test_a_stored_moment_reads_back_as_the_same_instant_in_utc():
    read = _stored_moments()
    assert read == MOMENTS
    assert all(moment.tzinfo is datetime.UTC for moment in read)
    assert read[0] == datetime.datetime(2026, 3, 20, 20, 29, 59, 999_999, tzinfo=datetime.UTC)


def _read_literals(literals: list[str] = LITERALS) -> list[datetime.datetime]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"'{literal}'::timestamptz" for literal in literals))
        return list(cursor.fetchone())


def test_postgresql_reads_timestamps_with_the_compiled_loader_and_the_same_values():
    if connection.vendor != "postgresql":
        # the SQLite connection is left as Django made it
        postgres._register(sender=None, connection=connection)
        assert not hasattr(connection.connection, "adapters")
        assert [m.tzinfo for m in _stored_moments()] == [datetime.UTC] * len(MOMENTS)
        return
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    connection.ensure_connection()
    oid = connection.connection.adapters.types["timestamptz"].oid
    assert connection.connection.adapters.get_loader(oid, Format.TEXT) is (
        postgres.timestamptz_loader()
    )
    ours = _read_literals()
    try:
        register_tzloader(datetime.UTC, connection.connection)  # Django's own
        djangos = _read_literals()
    finally:
        connection.connection.adapters.register_loader("timestamptz", postgres.timestamptz_loader())
    assert ours == djangos
    assert [m.tzinfo for m in ours] == [datetime.UTC] * len(LITERALS)
    assert ours[2] == datetime.datetime(2026, 3, 20, 20, 29, 59, 500_000, tzinfo=datetime.UTC)


def test_a_session_moved_to_another_zone_still_reads_the_same_instants_in_utc():
    expected = _stored_moments()
    if connection.vendor != "postgresql":
        assert expected == MOMENTS
        return
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Tehran'")
    try:
        moved = [Session.objects.get(expire_date=moment).expire_date for moment in MOMENTS]
        # not 9999-12-31 23:59:59 UTC: in Tehran that is in year 10000, which no parser takes
        literals = _read_literals([x for x in LITERALS if not x.startswith("9999")])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
    assert moved == expected
    assert [m.tzinfo for m in moved + literals] == [datetime.UTC] * 6
    assert literals[1] == datetime.datetime(2026, 3, 20, 20, 29, 59, 500_000, tzinfo=datetime.UTC)
