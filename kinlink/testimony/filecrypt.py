"""Attachments encrypted at rest with the field keys, in chunks so that any size streams.

A stored file is ``MAGIC`` followed by records, each a 4-byte big-endian length and one
Fernet token holding up to one MiB of the original. Fernet authenticates each token; the
SHA-256 and size of the whole original, recorded at upload, are checked on every read, so
reordered, dropped or altered records are all caught. The keys are `audit.crypto`'s, kept
outside the database; `kinlink keys rotate` re-encrypts every file (`rotate_file`).
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from cryptography.fernet import InvalidToken

from kinlink.audit import crypto

MAGIC = b"KLENC1\n"
CHUNK = 1 << 20
_LENGTH = struct.Struct(">I")


class DecryptionError(Exception):
    """The stored file is not a whole, authentic encryption under the configured keys."""


def encrypt_stream(source: IO[bytes], target: IO[bytes]) -> tuple[str, int]:
    """Encrypt everything readable from `source` into `target`; the original's SHA-256 and
    size."""
    fernet = crypto.fernet()
    digest, size = hashlib.sha256(), 0
    target.write(MAGIC)
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        token = fernet.encrypt(chunk)
        target.write(_LENGTH.pack(len(token)))
        target.write(token)
    return digest.hexdigest(), size


def _tokens(source: IO[bytes]) -> Iterator[bytes]:
    if source.read(len(MAGIC)) != MAGIC:
        raise DecryptionError("not an encrypted attachment")
    while header := source.read(_LENGTH.size):
        if len(header) != _LENGTH.size:
            raise DecryptionError("the file is cut short")
        (length,) = _LENGTH.unpack(header)
        token = source.read(length)
        if len(token) != length:
            raise DecryptionError("the file is cut short")
        yield token


def decrypt_stream(source: IO[bytes]) -> Iterator[bytes]:
    """The original's chunks, in order."""
    fernet = crypto.fernet()
    for token in _tokens(source):
        try:
            yield fernet.decrypt(token)
        except InvalidToken as exc:
            raise DecryptionError("a part of the file was altered or the key is missing") from exc


def plaintext_fingerprint(source: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in decrypt_stream(source):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def rotate_file(path: Path, sha256: str) -> None:
    """Re-encrypt one file with the newest key, checking the original's SHA-256 on the way;
    the file is replaced atomically, so an interrupted rotation leaves the old file whole."""
    fernet = crypto.fernet()
    partial = path.with_name(path.name + ".rotating")
    digest = hashlib.sha256()
    with path.open("rb") as source, partial.open("wb") as target:
        target.write(MAGIC)
        for token in _tokens(source):
            try:
                rotated = fernet.rotate(token)
                digest.update(fernet.decrypt(rotated))
            except InvalidToken as exc:
                raise DecryptionError("a part of the file was altered") from exc
            target.write(_LENGTH.pack(len(rotated)))
            target.write(rotated)
    if digest.hexdigest() != sha256:
        partial.unlink()
        raise DecryptionError("the file does not match the SHA-256 taken at upload")
    os.replace(partial, path)
