"""`kinlink backup` and `kinlink restore`: every table and file in one encrypted archive.

The dump is logical (one JSON line per row, values exactly as stored: microseconds, ciphertext
of sealed fields), so a backup taken on SQLite restores onto PostgreSQL and the other way round,
and the audit chain still verifies. The field key is not in the archive; its fingerprint is,
so a restore can say at once whether the key at hand opens the data.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.core.serializers import sort_dependencies
from django.db import connection, models, transaction
from django.utils import timezone

from kinlink.audit import crypto
from kinlink.audit.models import Action, Entry
from kinlink.audit.sensitive import Sealed, SealedTextField
from kinlink.audit.services import record, verify_chain

from .archive import BackupError, decrypt_file, encrypt_file

FORMAT = 1
Progress = Callable[[str, int], None] | None

# Log-in sessions are not worth keeping and would let an old session cookie in again.
_NOT_BACKED_UP = frozenset({"sessions.session"})


@dataclass(frozen=True)
class BackupReport:
    path: Path
    rows: dict[str, int]
    files: int
    sha256: str


def _models_in_order() -> list[type[models.Model]]:
    app_models = [(config, list(config.get_models())) for config in apps.get_app_configs()]
    ordered = sort_dependencies(app_models, allow_cycles=True)
    return [
        m
        for m in ordered
        if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in _NOT_BACKED_UP
    ]


def _encode(value: Any) -> Any:
    if isinstance(value, Sealed):
        return value.token
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, SealedTextField):
        return Sealed(value)
    if isinstance(value, dict) and set(value) == {"$b64"}:
        return base64.b64decode(value["$b64"])
    if isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def _dump_rows(model: type[models.Model]) -> Iterator[str]:
    names = [f.attname for f in model._meta.concrete_fields]
    for row in model._base_manager.order_by("pk").values_list(*names).iterator(chunk_size=2000):
        yield (
            json.dumps([_encode(v) for v in row], ensure_ascii=False, separators=(",", ":")) + "\n"
        )


def _media_files() -> Iterator[Path]:
    root = Path(settings.MEDIA_ROOT)
    if root.exists():
        yield from sorted(p for p in root.rglob("*") if p.is_file())


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def key_fingerprint() -> str:
    return hashlib.sha256(crypto.configured_keys()[0].encode()).hexdigest()[:16]


def create_backup(path: Path, passphrase: str, progress: Progress = None) -> BackupReport:
    """Write every table and file into one encrypted archive at `path`."""
    path = Path(path)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database_vendor": connection.vendor,
        "key_fingerprints": [
            hashlib.sha256(k.encode()).hexdigest()[:16] for k in crypto.configured_keys()
        ],
        "tables": {},
        "files": {},
    }
    with tempfile.TemporaryDirectory(prefix="kinlink-backup-") as scratch:
        plain = Path(scratch) / "backup.tar"
        # One consistent snapshot: on PostgreSQL a repeatable-read transaction, on SQLite the
        # write lock taken at BEGIN.
        with transaction.atomic(), tarfile.open(plain, "w") as tar:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            for model in _models_in_order():
                label = model._meta.label_lower
                data = "".join(_dump_rows(model)).encode("utf-8")
                _add_bytes(tar, f"db/{label}.jsonl", data)
                manifest["tables"][label] = {
                    "rows": data.count(b"\n"),
                    "columns": [f.attname for f in model._meta.concrete_fields],
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
                if progress:
                    progress(label, data.count(b"\n"))
            root = Path(settings.MEDIA_ROOT)
            for file in _media_files():
                name = file.relative_to(root).as_posix()
                manifest["files"][name] = _sha256_file(file)
                tar.add(file, arcname=f"files/{name}")
            _add_bytes(
                tar, "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode()
            )
        tmp_out = path.with_name(path.name + ".partial")
        encrypt_file(plain, tmp_out, passphrase)
        os.replace(tmp_out, path)
    record(
        Action.EXPORT,
        object_type="backup",
        detail={"file": path.name, "tables": len(manifest["tables"])},
    )
    rows = {label: info["rows"] for label, info in manifest["tables"].items()}
    return BackupReport(path, rows, len(manifest["files"]), _sha256_file(path))


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


@dataclass(frozen=True)
class RestoreReport:
    rows: dict[str, int]
    files: int
    audit_entries: int
    already_restored: bool = False


def open_backup(path: Path, passphrase: str, into: Path) -> dict[str, Any]:
    """Decrypt and unpack an archive into a directory; check every hash; return the manifest."""
    plain = into / "backup.tar"
    decrypt_file(Path(path), plain, passphrase)
    with tarfile.open(plain, "r") as tar:
        tar.extractall(into / "unpacked", filter="data")
    plain.unlink()
    unpacked = into / "unpacked"
    manifest = json.loads((unpacked / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for label, info in manifest["tables"].items():
        data = (unpacked / "db" / f"{label}.jsonl").read_bytes()
        if hashlib.sha256(data).hexdigest() != info["sha256"]:
            raise BackupError(f"table {label} does not match its hash in the manifest")
    for name, digest in manifest["files"].items():
        if _sha256_file(unpacked / "files" / name) != digest:
            raise BackupError(f"file {name} does not match its hash in the manifest")
    return manifest


def _holds_data() -> bool:
    """A database that has been used has users or audit entries; `migrate` alone makes neither
    (it does make content types, permissions and seeded vocabularies, which the backup replaces)."""
    return get_user_model()._base_manager.exists() or Entry.objects.exists()


def restore_backup(path: Path, passphrase: str, progress: Progress = None) -> RestoreReport:
    """Load an archive into an empty, migrated database and the media directory.

    Everything happens in one transaction, the audit entry that records the restore included:
    killed at any moment, the database is either left as it was or holds the whole backup and
    that entry, never part of it. Run again, a restore that did finish says so and changes
    nothing; one that did not starts over. (Files are placed just before the commit; a run
    killed in between leaves them, and the next run writes them again.)
    """
    digest = _sha256_file(Path(path))
    with tempfile.TemporaryDirectory(prefix="kinlink-restore-") as scratch:
        manifest = open_backup(Path(path), passphrase, Path(scratch))
        if key_fingerprint() not in manifest["key_fingerprints"]:
            raise BackupError(
                "the configured field key is not one this backup was written with: set "
                "KINLINK_FIELD_KEYS to the key kept with your key records, then restore again"
            )
        unpacked = Path(scratch) / "unpacked"
        by_label = {m._meta.label_lower: m for m in _models_in_order()}
        unknown = sorted(set(manifest["tables"]) - set(by_label))
        if unknown:
            raise BackupError(
                f"this kinlink does not know the tables {', '.join(unknown)}; upgrade first"
            )
        with transaction.atomic():
            if _holds_data() and _restored_from(digest):
                rows = {label: info["rows"] for label, info in manifest["tables"].items()}
                return RestoreReport(
                    rows, len(manifest["files"]), Entry.objects.count(), already_restored=True
                )
            if _holds_data():
                raise BackupError(
                    "the database already holds data (users or audit entries): restore needs an "
                    "empty, migrated database"
                )
            for model in reversed(list(by_label.values())):
                model._base_manager.all()._raw_delete(using=connection.alias)
            counts = {}
            for label, model in by_label.items():
                info = manifest["tables"].get(label)
                if info is None:
                    continue
                counts[label] = _load_table(
                    model, info["columns"], unpacked / "db" / f"{label}.jsonl"
                )
                if progress:
                    progress(label, counts[label])
            _reset_sequences(list(by_label.values()))
            if counts != {label: info["rows"] for label, info in manifest["tables"].items()}:
                raise BackupError("row counts after loading differ from the manifest")
            report = verify_chain()
            if not report.ok:
                raise BackupError(f"the restored audit log does not verify: {report.problem}")
            _place_files(unpacked / "files")
            record(
                Action.SYSTEM,
                object_type="backup.restore",
                detail={"restored_from": Path(path).name, "archive_sha256": digest},
            )
    return RestoreReport(counts, len(manifest["files"]), Entry.objects.count())


def _restored_from(digest: str) -> bool:
    """Whether a restore of the archive with this SHA-256 was committed here."""
    return Entry.objects.filter(
        action=Action.SYSTEM, object_type="backup.restore", detail__archive_sha256=digest
    ).exists()


def _load_table(model: type[models.Model], columns: list[str], source: Path) -> int:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    missing = [c for c in columns if c not in fields]
    if missing:
        raise BackupError(
            f"{model._meta.label_lower}: columns {missing} are unknown to this version"
        )
    batch, loaded = [], 0
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            values = json.loads(line)
            batch.append(
                model(**{c: _decode(fields[c], v) for c, v in zip(columns, values, strict=True)})
            )
            if len(batch) >= 1000:
                model._base_manager.bulk_create(batch)
                loaded, batch = loaded + len(batch), []
    if batch:
        model._base_manager.bulk_create(batch)
        loaded += len(batch)
    return loaded


def _reset_sequences(all_models: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), all_models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _place_files(source: Path) -> None:
    if not source.exists():
        return
    target = Path(settings.MEDIA_ROOT)
    target.mkdir(parents=True, exist_ok=True)
    for file in sorted(p for p in source.rglob("*") if p.is_file()):
        destination = target / file.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".partial")
        shutil.copyfile(file, partial)
        os.replace(partial, destination)
