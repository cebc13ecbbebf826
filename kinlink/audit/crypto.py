"""Field encryption keys: kept outside the database (environment or a key file)."""

from __future__ import annotations

import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class FieldKeyError(ImproperlyConfigured):
    """The field key is missing or cannot read what the database holds."""


def _keys_from_file() -> list[str]:
    path = settings.FIELD_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode() + "\n")
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def configured_keys() -> list[str]:
    """The keys, newest first: KINLINK_FIELD_KEYS when set, else the key file."""
    return list(settings.FIELD_KEYS) or _keys_from_file()


@lru_cache(maxsize=1)
def fernet() -> MultiFernet:
    keys = configured_keys()
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as exc:
        raise FieldKeyError(
            "KINLINK_FIELD_KEYS (or the field_keys file) holds a malformed key: "
            "each key must be 32 url-safe base64-encoded bytes as made by `kinlink keys new`"
        ) from exc


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise FieldKeyError(
            "a sensitive field cannot be decrypted with the configured field keys: "
            "the key is wrong or missing (see docs/OPERATIONS.md, 'Keys')"
        ) from exc


def reset_cache() -> None:
    fernet.cache_clear()
