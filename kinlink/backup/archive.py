"""The encrypted container of a backup: a passphrase-derived key, AES-GCM chunks.

Each chunk is authenticated together with its position and whether it is the last one,
so a reordered, truncated or edited archive fails to open instead of restoring wrong data.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"KINLINK-BACKUP-1\n"
CHUNK = 1 << 20
_HEADER = struct.Struct(">QB I")  # chunk index, last flag, ciphertext length


class BackupError(Exception):
    """The archive cannot be opened or does not hold what its manifest says."""


def _derive_key(passphrase: str, salt: bytes) -> bytes:
    if len(passphrase) < 12:
        raise BackupError("the backup passphrase must have at least 12 characters")
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode("utf-8"))


def _chunks(handle: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    current = handle.read(CHUNK)
    while True:
        following = handle.read(CHUNK)
        yield current, not following
        if not following:
            return
        current = following


def encrypt_file(plain: Path, sealed: Path, passphrase: str) -> None:
    salt = os.urandom(16)
    aead = AESGCM(_derive_key(passphrase, salt))
    with plain.open("rb") as source, sealed.open("wb") as target:
        target.write(MAGIC + salt)
        for index, (data, last) in enumerate(_chunks(source)):
            nonce = os.urandom(12)
            header_ad = struct.pack(">QB", index, last)
            body = nonce + aead.encrypt(nonce, data, MAGIC + header_ad)
            target.write(_HEADER.pack(index, last, len(body)) + body)


def decrypt_file(sealed: Path, plain: Path, passphrase: str) -> None:
    with sealed.open("rb") as source, plain.open("wb") as target:
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{sealed} is not a kinlink backup")
        salt = source.read(16)
        aead = AESGCM(_derive_key(passphrase, salt))
        expected, finished = 0, False
        while True:
            header = source.read(_HEADER.size)
            if not header:
                break
            if len(header) < _HEADER.size or finished:
                raise BackupError("the backup is damaged: data after its last chunk")
            index, last, length = _HEADER.unpack(header)
            body = source.read(length)
            if index != expected or len(body) != length:
                raise BackupError(f"the backup is damaged at chunk {expected}")
            try:
                data = aead.decrypt(body[:12], body[12:], MAGIC + struct.pack(">QB", index, last))
            except InvalidTag:
                raise BackupError(
                    f"chunk {index} does not authenticate: wrong passphrase or a changed archive"
                ) from None
            target.write(data)
            expected, finished = expected + 1, bool(last)
        if not finished:
            raise BackupError("the backup is truncated: its last chunk is missing")
