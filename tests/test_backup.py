"""Backup and restore round trips, in real processes, across SQLite and PostgreSQL."""

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kinlink.backup.archive import BackupError, decrypt_file, encrypt_file

KINLINK = [sys.executable, "-m", "kinlink.cli"]
PASSPHRASE = "correct horse battery staple"


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    dropped = ("DATABASE_URL", "KINLINK_TEST_DB", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(
        {"KINLINK_DATA": str(data_dir), "KINLINK_BACKUP_PASSPHRASE": PASSPHRASE, **extra}
    )
    return environment


def _run(args, data_dir: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        KINLINK + args,
        capture_output=True,
        text=True,
        env=_env(data_dir, **env),
        timeout=300,
        check=False,
    )


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        skip = {"django_migrations", "django_session", "sqlite_sequence"}
        return {
            t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608 - names from sqlite_master
            for t in tables
            if t not in skip
        }


def _file_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def demo_with_a_file(demo_copy):
    source = demo_copy
    scan = source / "files" / "documents" / "scan-001.bin"
    scan.parent.mkdir(parents=True)
    scan.write_bytes(os.urandom(300_000))
    return source


def test_a_backup_restores_onto_a_fresh_sqlite_database_losing_nothing(tmp_path, demo_with_a_file):
    archive = tmp_path / "office.klb"
    made = _run(["backup", str(archive)], demo_with_a_file)
    assert made.returncode == 0, made.stderr
    assert b"Hossein" not in archive.read_bytes() and b"P-000001" not in archive.read_bytes()
    assert _run(["backup", "--check", str(archive)], demo_with_a_file).returncode == 0
    target = tmp_path / "target"
    target.mkdir()
    (target / "field_keys").write_text((demo_with_a_file / "field_keys").read_text())
    restored = _run(["restore", str(archive)], target)
    assert restored.returncode == 0, restored.stderr
    before = _counts(demo_with_a_file / "kinlink.sqlite3")
    after = _counts(target / "kinlink.sqlite3")
    # the source logged the backup after its dump; the target logged the restore after loading
    assert after == before
    assert _file_hashes(target / "files") == _file_hashes(demo_with_a_file / "files")
    assert _run(["audit", "verify"], target).returncode == 0


def test_restore_refuses_a_wrong_key_a_wrong_passphrase_and_a_database_with_data(
    tmp_path, demo_with_a_file
):
    archive = tmp_path / "office.klb"
    assert _run(["backup", str(archive)], demo_with_a_file).returncode == 0
    fresh = tmp_path / "fresh"
    wrong_key = _run(["restore", str(archive)], fresh)
    assert wrong_key.returncode == 1 and "field key" in wrong_key.stderr
    wrong_phrase = _run(
        ["restore", str(archive)], fresh, KINLINK_BACKUP_PASSPHRASE="not the passphrase!"
    )
    assert wrong_phrase.returncode == 1 and "wrong passphrase" in wrong_phrase.stderr
    occupied = _run(["restore", str(archive)], demo_with_a_file)
    assert occupied.returncode == 1 and "already holds data" in occupied.stderr


def test_one_changed_byte_makes_the_archive_fail_to_open(tmp_path):
    plain, sealed, out = tmp_path / "p", tmp_path / "s", tmp_path / "o"
    plain.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    encrypt_file(plain, sealed, PASSPHRASE)
    decrypt_file(sealed, out, PASSPHRASE)
    assert out.read_bytes() == plain.read_bytes()
    data = bytearray(sealed.read_bytes())
    data[len(data) // 2] ^= 1
    sealed.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="does not authenticate"):
        decrypt_file(sealed, out, PASSPHRASE)


def test_a_truncated_archive_is_refused(tmp_path):
    plain, sealed, out = tmp_path / "p", tmp_path / "s", tmp_path / "o"
    plain.write_bytes(os.urandom(2 * 1024 * 1024 + 5))
    encrypt_file(plain, sealed, PASSPHRASE)
    data = sealed.read_bytes()
    sealed.write_bytes(data[: len(data) - (2 * 1024 * 1024 + 5 - 2 * 1024 * 1024) - 12 - 16 - 13])
    with pytest.raises(BackupError):
        decrypt_file(sealed, out, PASSPHRASE)


@pytest.fixture
def postgres_url():
    """A throwaway PostgreSQL server of this test's own."""
    root = Path(__file__).resolve().parent.parent / "scripts"
    out = subprocess.run(
        [str(root / "pg_up.sh")], check=True, capture_output=True, text=True
    ).stdout
    values = dict(line.split("=", 1) for line in out.split())
    try:
        yield f"postgresql://postgres@127.0.0.1:{values['PGPORT']}/kinlink_test"
    finally:
        subprocess.run([str(root / "pg_down.sh"), values["PGTMP"]], check=False)


def test_a_backup_travels_from_sqlite_to_postgresql_and_back_losing_nothing(
    tmp_path, demo_with_a_file, postgres_url
):
    first, second = tmp_path / "from-sqlite.klb", tmp_path / "from-postgres.klb"
    assert _run(["backup", str(first)], demo_with_a_file).returncode == 0
    on_postgres = tmp_path / "pg-data"
    on_postgres.mkdir()
    (on_postgres / "field_keys").write_text((demo_with_a_file / "field_keys").read_text())
    restored = _run(["restore", str(first)], on_postgres, DATABASE_URL=postgres_url)
    assert restored.returncode == 0, restored.stderr
    assert _run(["audit", "verify"], on_postgres, DATABASE_URL=postgres_url).returncode == 0
    assert _run(["backup", str(second)], on_postgres, DATABASE_URL=postgres_url).returncode == 0
    back = tmp_path / "back"
    back.mkdir()
    (back / "field_keys").write_text((demo_with_a_file / "field_keys").read_text())
    assert _run(["restore", str(second)], back).returncode == 0
    before, after = _counts(demo_with_a_file / "kinlink.sqlite3"), _counts(back / "kinlink.sqlite3")
    # the source holds its dump plus the entry logging the backup (taken after the dump); the end
    # holds the same dump plus one entry for each of the two restores
    assert after.pop("audit_entry") == before.pop("audit_entry") + 1
    assert after == before
    assert _file_hashes(back / "files") == _file_hashes(demo_with_a_file / "files")
    assert _run(["audit", "verify"], back).returncode == 0
