"""Sensitive fields: encrypted at rest, readable only through `reveal`, which audits the read.

A model field declared as `SealedTextField` hands back a `Sealed` value that prints as a
placeholder, so a template, a serializer or a log line cannot show the plaintext by accident.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from . import crypto
from .context import Actor
from .models import Action
from .services import record


class Sealed:
    """An encrypted value. Its plaintext comes only from `reveal`."""

    __slots__ = ("token",)

    def __init__(self, token: str):
        self.token = token

    def __str__(self) -> str:
        return "•••"

    __repr__ = __str__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)


class SealedTextField(models.TextField):
    """Encrypted text. Assign a plain `str`; it is encrypted on save."""

    def from_db_value(self, value, expression, connection):
        return None if value in (None, "") else Sealed(value)

    def to_python(self, value):
        if value is None or isinstance(value, Sealed):
            return value
        return value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = Sealed(crypto.encrypt(value)) if value else None
            setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        if value is None or isinstance(value, Sealed):
            return value.token if value else None
        return crypto.encrypt(str(value)) if value != "" else None


def reveal(
    instance: models.Model, field: str, *, reason: str = "", actor: Actor | None = None
) -> str | None:
    """Decrypt one sensitive field and write the read to the audit log.

    Access rules (who may read what) are the caller's service's job; this only
    guarantees that no plaintext leaves the database without an audit entry.
    """
    value: Any = getattr(instance, field)
    if value is None:
        return None
    plaintext = crypto.decrypt(value.token) if isinstance(value, Sealed) else str(value)
    record(
        Action.READ,
        object_type=instance._meta.label_lower,
        object_id=instance.pk,
        field=field,
        detail={"reason": reason} if reason else {},
        actor=actor,
    )
    return plaintext
