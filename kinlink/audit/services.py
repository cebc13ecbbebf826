"""Writing to and checking the audit log. Every entry goes through `record`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .context import Actor, current_actor
from .models import ChainHead, Entry

GENESIS = "0" * 64


# The chain head's statements, in SQL as written rather than through the ORM: every audited
# request runs them and they never change (double-quoted names: PostgreSQL and SQLite alike).
_READ_HEAD = 'SELECT "seq", "hash" FROM "audit_chainhead" WHERE "id" = 1'
_LOCK_HEAD = 'SELECT "seq", "hash" FROM "audit_chainhead" WHERE "id" = 1 FOR UPDATE'
_MOVE_HEAD = 'UPDATE "audit_chainhead" SET "seq" = %s, "hash" = %s WHERE "id" = 1'


def _lock_head() -> tuple[int, str]:
    """The chain head's sequence number and hash, its row locked until the transaction ends
    (FOR UPDATE where the database has it; SQLite lets one writer at a time anyway)."""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_HEAD if connection.features.has_select_for_update else _READ_HEAD)
        row = cursor.fetchone()
    if row is None:  # the first entry ever
        ChainHead.objects.get_or_create(pk=1)
        return _lock_head()
    return row[0], row[1]


def _move_head(seq: int, hash_: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_MOVE_HEAD, [seq, hash_])


def record(
    action: str,
    *,
    object_type: str = "",
    object_id: Any = "",
    field: str = "",
    detail: dict | None = None,
    actor: Actor | None = None,
) -> Entry:
    """Append one entry to the chain. Runs inside the caller's transaction when there is one,
    so an entry exists exactly when the change it describes was committed."""
    return record_many(
        [
            {
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "field": field,
                "detail": detail,
            }
        ],
        actor=actor,
    )[0]


def record_many(entries: list[dict[str, Any]], *, actor: Actor | None = None) -> list[Entry]:
    """Append several entries (each a dict of `record`'s keyword arguments but `actor`) in
    one transaction: the chain's head is locked once and the entries are inserted together,
    so a page that reads many records holds the lock that serialises every audit write
    once, not once per record. Each entry still names its own object."""
    if not entries:  # nothing to record: no lock taken, no transaction opened
        return []
    actor = actor or current_actor()
    made = [_unchained(item, actor) for item in entries]
    if _alone_on_postgresql():
        return _append_in_two_round_trips(made)
    with transaction.atomic():
        seq, prev_hash = _lock_head()
        _chain(made, seq, prev_hash, timezone.now())
        Entry.objects.bulk_create(made)
        _move_head(made[-1].seq, made[-1].hash)
    return made


def _unchained(item: dict[str, Any], actor: Actor) -> Entry:
    """An entry with everything but its place in the chain (seq, time, hashes)."""
    object_id = item.get("object_id", "")
    return Entry(
        actor_id=actor.user_id,
        actor_username=actor.username[:150],
        action=item["action"],
        object_type=item.get("object_type", ""),
        object_id=str(object_id)[:64] if object_id not in (None, "") else "",
        field=item.get("field", ""),
        ip=actor.ip,
        detail=item.get("detail") or {},
    )


def _chain(made: list[Entry], seq: int, prev_hash: str, at) -> None:
    """Put the entries after the head (`seq`, `prev_hash`), all at time `at`."""
    for entry in made:
        seq += 1
        entry.seq, entry.at, entry.prev_hash = seq, at, prev_hash
        entry.hash = entry.compute_hash()
        prev_hash = entry.hash


# -- appending in two round trips (PostgreSQL, outside any transaction) ----------------------
#
# Every audited request appends under one lock, the chain head's row, which serialises them.
# In a transaction of Django's, the lock is held over three round trips to the server (insert,
# move the head, commit), and in a busy web process each one also waits for the interpreter
# before it goes on: under load the lock was held for tens of milliseconds and requests queued
# behind it. Outside a transaction (a page that only reads and logs the read), the transaction
# is instead opened with the lock in one round trip and the insert, the head's move and the
# commit are sent together in a second: the lock is held over one round trip. Same rows, same
# order, same time stamps (taken once the lock is held); inside a transaction, or on SQLite,
# the path above.

_ENTRY_COLUMNS = ("seq", "at", "actor_id", "actor_username", "action", "object_type")
_ENTRY_COLUMNS += ("object_id", "field", "ip", "detail", "prev_hash", "hash")


def _alone_on_postgresql() -> bool:
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and connection.get_autocommit()
    )


def _append_in_two_round_trips(made: list[Entry]) -> list[Entry]:
    fields = [Entry._meta.get_field(name) for name in _ENTRY_COLUMNS]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # column names from the model, values as parameters
    insert = (
        'INSERT INTO "audit_entry" ('  # noqa: S608
        + ", ".join(f'"{field.column}"' for field in fields)
        + ") VALUES "
        + ", ".join([row] * len(made))
        + ' RETURNING "id"'
    )
    with connection.cursor() as cursor:
        cursor.execute("BEGIN; " + _LOCK_HEAD)
        try:
            cursor.nextset()  # past BEGIN, to the head's row
            row_ = cursor.fetchone()
            if row_ is None:  # the first entry ever: no head row yet
                cursor.execute("ROLLBACK")
                ChainHead.objects.get_or_create(pk=1)
                return _append_in_two_round_trips(made)
            _chain(made, row_[0], row_[1], timezone.now())
            params = [
                field.get_db_prep_save(getattr(entry, field.attname), connection)
                for entry in made
                for field in fields
            ]
            cursor.execute(
                f"{insert}; {_MOVE_HEAD}; COMMIT", [*params, made[-1].seq, made[-1].hash]
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            while cursor.nextset():  # the head's move and the commit
                pass
        except BaseException:
            with contextlib.suppress(Exception):
                cursor.execute("ROLLBACK")
            raise
    for entry, pk in zip(made, ids, strict=True):
        entry.pk = pk
        entry._state.adding = False
        entry._state.db = connection.alias
    return made


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""


def _entries_in_order(chunk: int = 2000) -> Iterator[Entry]:
    return Entry.objects.order_by("seq").iterator(chunk_size=chunk)


def verify_chain(progress: Callable[[int], None] | None = None) -> ChainReport:
    """Recompute every hash and link; name the first entry that does not hold."""
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    for entry in _entries_in_order():
        if entry.seq != expected_seq:
            return ChainReport(
                False,
                checked,
                expected_seq,
                f"entry #{expected_seq} is missing (next is #{entry.seq})",
            )
        if entry.prev_hash != prev_hash:
            return ChainReport(
                False,
                checked,
                entry.seq,
                f"entry #{entry.seq} does not link to entry #{entry.seq - 1}",
            )
        if entry.compute_hash() != entry.hash:
            return ChainReport(False, checked, entry.seq, f"entry #{entry.seq} was altered")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
        if progress and checked % 1000 == 0:
            progress(checked)
    head = ChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev_hash:
        return ChainReport(
            False,
            checked,
            checked + 1,
            f"the log ends at entry #{checked} but entry #{head_seq} was written: "
            "the newest entries were removed",
        )
    return ChainReport(True, checked)


def database_vendor() -> str:
    return connection.vendor
