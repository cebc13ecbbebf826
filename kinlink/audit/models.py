"""The audit log: append-only entries chained by SHA-256."""

from __future__ import annotations

import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")


class Action(models.TextChoices):
    LOGIN = "login", _("login")
    LOGIN_FAILED = "login_failed", _("failed login")
    LOGOUT = "logout", _("logout")
    CREATE = "create", _("create")
    CHANGE = "change", _("change")
    DELETE = "delete", _("delete")
    READ = "read", _("read of a sensitive field")
    EXPORT = "export", _("export")
    DISCLOSE = "disclose", _("disclosure")
    DENIED = "denied", _("access denied")
    SYSTEM = "system", _("system event")


class Entry(models.Model):
    seq = models.BigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    field = models.CharField(max_length=100, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")

    def payload(self) -> bytes:
        """The canonical bytes the hash covers: every column but the hash itself."""
        body = {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "field": self.field,
            "ip": self.ip,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.payload()).hexdigest()


class ChainHead(models.Model):
    """One row holding the last sequence number and hash, so removing the newest entries shows."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class KeyCanary(models.Model):
    """A known text encrypted with the field key, to tell a wrong key at start-up."""

    token = models.TextField()

    def __str__(self) -> str:
        return "field-key canary"
