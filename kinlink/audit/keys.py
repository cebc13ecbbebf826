"""Field-key operations: a canary that proves the configured key opens the database,
and rotation that re-encrypts every sealed value with the newest key, online."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cryptography.fernet import Fernet
from django.apps import apps
from django.db import models, transaction

from . import crypto
from .models import Action
from .sensitive import Sealed, SealedTextField
from .services import record

CANARY_TEXT = "kinlink field-key canary"
# Files encrypted with the field keys, re-encrypted after the sealed values: label ->
# function returning how many files it re-encrypted. Apps register theirs in `ready()`,
# so `audit` imports no domain app.
FILE_ROTATIONS: dict[str, Callable[[], int]] = {}


def register_file_rotation(label: str, rotate: Callable[[], int]) -> None:
    FILE_ROTATIONS[label] = rotate


def new_key() -> str:
    return Fernet.generate_key().decode()


def sealed_fields() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every concrete model with sealed fields, and those fields' names."""
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, SealedTextField)]
        if names and not model._meta.proxy:
            yield model, names


def ensure_canary() -> None:
    from .models import KeyCanary

    if not KeyCanary.objects.filter(pk=1).exists():
        KeyCanary.objects.create(pk=1, token=crypto.encrypt(CANARY_TEXT))


def canary_opens() -> bool | None:
    """True when the configured keys decrypt the canary, False when not, None before migrate."""
    from django.db.utils import DatabaseError

    from .models import KeyCanary

    try:
        canary = KeyCanary.objects.filter(pk=1).first()
    except DatabaseError:
        return None
    if canary is None:
        return None
    try:
        return crypto.decrypt(canary.token) == CANARY_TEXT
    except crypto.FieldKeyError:
        return False


@dataclass(frozen=True)
class RotationReport:
    values: int
    by_model: dict[str, int]


def rotate_field_keys(
    batch: int = 500, progress: Callable[[int], None] | None = None
) -> RotationReport:
    """Re-encrypt every sealed value with the first configured key.

    Older keys keep decrypting until this finishes, so the application stays up; each batch
    commits on its own, and a re-run after an interruption simply continues.
    """
    from .models import KeyCanary

    fernet = crypto.fernet()
    by_model: dict[str, int] = {}
    done = 0
    for model, names in sealed_fields():
        label = model._meta.label_lower
        ids = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            with transaction.atomic():
                rows = model._base_manager.select_for_update().filter(
                    pk__in=ids[start : start + batch]
                )
                for row in rows:
                    changed = {}
                    for name in names:
                        value = getattr(row, name)
                        if isinstance(value, Sealed):
                            token = fernet.rotate(value.token.encode()).decode()
                            changed[name] = Sealed(token)
                    if changed:
                        model._base_manager.filter(pk=row.pk).update(**changed)
                        done += len(changed)
                        by_model[label] = by_model.get(label, 0) + len(changed)
            if progress:
                progress(done)
    canary = KeyCanary.objects.filter(pk=1).first()
    if canary is not None:
        KeyCanary.objects.filter(pk=1).update(token=fernet.rotate(canary.token.encode()).decode())
    record(Action.SYSTEM, detail={"key_rotation": {"values": done}})
    for label, rotate in FILE_ROTATIONS.items():
        if files := rotate():
            by_model[label] = files
    return RotationReport(done, by_model)
