"""Random keys for the search index and for pseudonyms, stored sealed with the field key.

They are keys, not personal data: they are opened with `crypto.decrypt` (no `reveal`
entry, which would be one per search) and never shown. Being sealed, they are re-encrypted
by field-key rotation like any sensitive value, so the index and the pseudonyms survive it.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from kinlink.audit import crypto


def new_key() -> str:
    return secrets.token_hex(32)


@lru_cache(maxsize=64)
def key_bytes(token: str) -> bytes:
    """The key inside a sealed value's ciphertext."""
    return bytes.fromhex(crypto.decrypt(token))


def named_key(name: str) -> bytes:
    """The installation's key called `name`, created on first use."""
    from .models import SecretKey

    row = SecretKey.objects.filter(name=name).first()
    if row is None:
        SecretKey.objects.get_or_create(name=name, defaults={"key": new_key()})
        row = SecretKey.objects.get(name=name)
    return key_bytes(row.key.token)
