"""Property-based tests (hypothesis): the audit chain verifies after any sequence of entries
with arbitrary Unicode details, and detects a change to any one of them; a sealed field gives
back exactly the text put in, whatever it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kinlink.audit import crypto
from kinlink.audit.models import Action, Entry
from kinlink.audit.sensitive import Sealed, SealedTextField
from kinlink.audit.services import record, verify_chain

TESTS = Path(__file__).resolve().parents[1]
SETTINGS = settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)

# Text as it can reach the application: any code point but lone surrogates (which no UTF-8
# request can carry) and NUL (which forms and serializers refuse, and PostgreSQL cannot store
# in text or jsonb).
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=80)
DETAIL = st.dictionaries(
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12),
    st.one_of(
        TEXT, st.integers(-(2**53), 2**53), st.booleans(), st.none(), st.lists(TEXT, max_size=3)
    ),
    max_size=4,
)
ENTRY = st.fixed_dictionaries(
    {
        "action": st.sampled_from(list(Action.values)),
        "object_type": st.text(
            st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30
        ),
        "object_id": st.one_of(st.integers(0, 10**12), TEXT.map(lambda t: t[:64])),
        "field": st.text(
            st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40
        ),
        "detail": DETAIL,
    }
)


def test_the_existing_suite_has_property_tests_for_names_and_dates():
    for path in ("names/test_normalize.py", "names/test_keys.py", "test_calendars.py"):
        text = (TESTS / path).read_text()
        assert "from hypothesis import" in text and "@given" in text, path


@pytest.mark.django_db
@SETTINGS
@given(entries=st.lists(ENTRY, min_size=1, max_size=6), victim=st.integers(0, 5))
def test_the_audit_chain_verifies_after_any_entries_and_catches_a_change(entries, victim):
    # Each example starts from the same log: its entries and its tampering are rolled back.
    point = transaction.savepoint()
    try:
        _append_verify_and_tamper(entries, victim)
    finally:
        transaction.savepoint_rollback(point)


def _append_verify_and_tamper(entries, victim):
    before = Entry.objects.count()
    written = [record(**entry) for entry in entries]
    report = verify_chain()
    assert report.ok, report.problem
    assert report.checked == before + len(entries)
    # What was stored is what was hashed: reading back gives the same hashes.
    for entry in written:
        stored = Entry.objects.get(seq=entry.seq)
        assert stored.compute_hash() == entry.hash
    # Change one stored entry behind the ORM's back: verify names it.
    target = written[victim % len(written)]
    table = Entry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
        else:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(
            f"UPDATE {table} SET field = %s WHERE seq = %s",  # noqa: S608 - table name from the model
            [target.field + "x", target.seq],
        )
        if connection.vendor != "sqlite":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    broken = verify_chain()
    assert not broken.ok and broken.broken_seq == target.seq


@pytest.mark.django_db
@SETTINGS
@given(text=st.text(st.characters(exclude_categories=("Cs",)), max_size=300))
def test_a_sealed_value_round_trips_any_text(text):
    token = crypto.encrypt(text)
    assert token.startswith("gAAAAA") and token != text  # a Fernet token, never the text
    assert crypto.decrypt(token) == text
    field = SealedTextField()
    prepared = field.get_prep_value(text)
    if text == "":
        assert prepared is None
        return
    sealed = field.from_db_value(prepared, None, connection)
    assert isinstance(sealed, Sealed) and str(sealed) == "•••"
    assert crypto.decrypt(sealed.token) == text
