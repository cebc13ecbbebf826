"""Create, change and delete entries for every model that opts in with `AuditedModel`.

Only field *names* are logged for a change, never values: values may be sensitive.
"""

from __future__ import annotations

from django.db import models


class AuditedModel(models.Model):
    """Base for models whose every create, change and delete goes to the audit log."""

    audit_exclude: tuple[str, ...] = ("updated_at",)

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # kept as loaded; paired up only when the instance is saved (most are only read)
        instance._loaded_row = (field_names, values)
        return instance

    def audit_changed_fields(self) -> list[str]:
        row = getattr(self, "_loaded_row", None)
        if row is None:
            return []
        loaded = dict(zip(*row, strict=True))
        changed = []
        for field in self._meta.concrete_fields:
            if field.attname in self.audit_exclude or field.attname not in loaded:
                continue
            before = loaded[field.attname]
            now = getattr(self, field.attname)
            if hasattr(now, "token"):  # a sealed (encrypted) value compares by its ciphertext
                now = now.token
            if hasattr(before, "token"):
                before = before.token
            if before != now:
                changed.append(field.name)
        return changed

    def audit_label(self) -> str:
        return self._meta.label_lower
