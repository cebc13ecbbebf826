import pytest
from django.db import connection, transaction

from kinlink.audit.models import AppendOnlyError, Entry
from kinlink.audit.services import record, verify_chain
from kinlink.cli import main

pytestmark = pytest.mark.django_db


def _write(n: int) -> list[Entry]:
    return [
        record("system", object_type="test.thing", object_id=i, detail={"i": i}) for i in range(n)
    ]


def _raw_update(sql: str, params: list) -> None:
    """Tamper as someone with database access would: around the append-only trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_update")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
        cursor.execute(sql, params)


def test_a_fresh_chain_verifies():
    _write(5)
    report = verify_chain()
    assert report.ok and report.checked == 5


def test_each_entry_links_to_the_hash_of_the_one_before():
    first, second = _write(2)
    assert second.prev_hash == first.hash
    assert first.hash == first.compute_hash()


def test_editing_one_row_in_the_database_breaks_the_chain_at_that_entry():
    entries = _write(6)
    target = entries[3]
    _raw_update(
        "UPDATE audit_entry SET actor_username = %s WHERE seq = %s", ["mallory", target.seq]
    )
    report = verify_chain()
    assert not report.ok
    assert report.broken_seq == target.seq
    assert "altered" in report.problem


def test_audit_verify_command_exits_nonzero_and_names_the_altered_entry(capsys):
    entries = _write(4)
    assert main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out
    _raw_update("UPDATE audit_entry SET detail = %s WHERE seq = %s", ['{"i": 99}', entries[1].seq])
    assert main(["audit", "verify"]) == 1
    assert f"entry #{entries[1].seq}" in capsys.readouterr().err


def test_removing_an_entry_in_the_middle_is_detected():
    entries = _write(5)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_update")
        cursor.execute("DELETE FROM audit_entry WHERE seq = %s", [entries[2].seq])
    report = verify_chain()
    assert not report.ok and report.broken_seq == entries[2].seq


def test_removing_the_newest_entries_is_detected():
    entries = _write(5)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_update")
        cursor.execute("DELETE FROM audit_entry WHERE seq >= %s", [entries[3].seq])
    report = verify_chain()
    assert not report.ok
    assert "removed" in report.problem


def test_the_orm_refuses_to_change_or_delete_entries():
    entry = _write(1)[0]
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()


def test_the_database_refuses_a_plain_update_of_an_entry():
    entry = _write(1)[0]
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_entry SET action = 'x' WHERE seq = %s", [entry.seq])
    assert Entry.objects.get(pk=entry.pk).action == "system"
