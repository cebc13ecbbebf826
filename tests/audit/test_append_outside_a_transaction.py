"""A read logged outside any transaction (a page that only reads) is appended on PostgreSQL in
two round trips: the transaction opens with the head's lock, then the insert, the head's move
and the commit go together, so the lock that serialises every audited request is held over
one round trip. The rows and the chain are those of the path inside a transaction."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kinlink.audit.context import Actor, acting_as
from kinlink.audit.models import ChainHead, Entry
from kinlink.audit.services import record, record_many, verify_chain

pytestmark = pytest.mark.django_db(transaction=True)

ACTOR = Actor(user_id=7, username="sara", ip="10.1.2.3")
READS = [
    {
        "action": "read",
        "object_type": "people.person",
        "object_id": n,
        "field": "candidate",
        "detail": {"reason": "matching candidate outside the caseload", "enquiry": "E-1", "n": n},
    }
    for n in range(3)
]
COLUMNS = ["seq", "at", "actor_id", "actor_username", "action", "object_type", "object_id"]
COLUMNS += ["field", "ip", "detail", "prev_hash", "hash"]


def _stored(entries: list[Entry]) -> list[tuple]:
    rows = Entry.objects.filter(pk__in=[e.pk for e in entries]).order_by("seq")
    return list(rows.values_list(*COLUMNS))


def _idle() -> bool:
    if connection.vendor != "postgresql":
        return True
    from psycopg import pq

    return connection.connection.info.transaction_status == pq.TransactionStatus.IDLE


def test_outside_a_transaction_the_same_rows_as_inside_one():
    with acting_as(ACTOR):
        outside = record_many(READS)  # also the first entry ever: no head row yet
        with transaction.atomic():
            inside = record_many(READS)
    assert all(e.pk for e in outside + inside)
    assert [e.seq for e in outside + inside] == list(range(1, 7))
    assert inside[0].prev_hash == outside[-1].hash
    stored_outside, stored_inside = _stored(outside), _stored(inside)
    # what was returned is what was stored
    assert stored_outside == [tuple(getattr(e, c) for c in COLUMNS) for e in outside]
    # and the rows differ only in their place in the chain
    place = {"seq", "at", "prev_hash", "hash"}
    keep = [i for i, c in enumerate(COLUMNS) if c not in place]
    assert [[r[i] for i in keep] for r in stored_outside] == [
        [r[i] for i in keep] for r in stored_inside
    ]
    head = ChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (6, inside[-1].hash)
    assert verify_chain().ok and verify_chain().checked == 6
    assert _idle()


def test_two_round_trips_on_postgresql_and_the_transaction_path_elsewhere():
    record("system", object_type="test.thing")
    with CaptureQueriesContext(connection) as queries:
        record_many(READS)
    if connection.vendor == "postgresql":
        assert len(queries) == 2
        assert queries[0]["sql"].startswith("BEGIN; ")
        assert queries[1]["sql"].rstrip().endswith("COMMIT")
    else:
        assert len(queries) > 2
    assert verify_chain().ok and _idle()


def test_a_failed_append_leaves_no_transaction_open_and_the_chain_whole():
    record("system", object_type="test.thing")
    with pytest.raises(TypeError):
        record_many([{"action": "read", "detail": {"not json": object()}}])
    assert _idle()
    assert Entry.objects.count() == 1
    record("system", object_type="test.thing")
    assert verify_chain().ok and verify_chain().checked == 2
