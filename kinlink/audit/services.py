"""Writing to and checking the audit log. Every entry goes through `record`."""

from __future__ import annotations

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
    with transaction.atomic():
        seq, prev_hash = _lock_head()
        at, made = timezone.now(), []
        for item in entries:
            object_id = item.get("object_id", "")
            seq += 1
            entry = Entry(
                seq=seq,
                at=at,
                actor_id=actor.user_id,
                actor_username=actor.username[:150],
                action=item["action"],
                object_type=item.get("object_type", ""),
                object_id=str(object_id)[:64] if object_id not in (None, "") else "",
                field=item.get("field", ""),
                ip=actor.ip,
                detail=item.get("detail") or {},
                prev_hash=prev_hash,
            )
            entry.hash = entry.compute_hash()
            prev_hash = entry.hash
            made.append(entry)
        Entry.objects.bulk_create(made)
        _move_head(seq, prev_hash)
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
