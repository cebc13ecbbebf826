from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .context import actor_for
from .middleware import client_ip
from .models import Action
from .services import record
from .tracking import AuditedModel


@receiver(user_logged_in)
def _log_login(sender, request, user, **kwargs):
    ip = client_ip(request) if request is not None else None
    record(Action.LOGIN, object_type="accounts.user", object_id=user.pk, actor=actor_for(user, ip))


@receiver(user_logged_out)
def _log_logout(sender, request, user, **kwargs):
    if user is None:
        return
    ip = client_ip(request) if request is not None else None
    record(Action.LOGOUT, object_type="accounts.user", object_id=user.pk, actor=actor_for(user, ip))


@receiver(user_login_failed)
def _log_failed_login(sender, credentials, request=None, **kwargs):
    from .context import Actor

    ip = client_ip(request) if request is not None else None
    username = str(credentials.get("username", ""))[:150]
    record(
        Action.LOGIN_FAILED,
        object_type="accounts.user",
        detail={"username": username},
        actor=Actor(user_id=None, username="anonymous", ip=ip),
    )


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, AuditedModel):
        return
    if created:
        record(Action.CREATE, object_type=instance.audit_label(), object_id=instance.pk)
    else:
        changed = instance.audit_changed_fields()
        record(
            Action.CHANGE,
            object_type=instance.audit_label(),
            object_id=instance.pk,
            detail={"fields": changed},
        )
    fields = instance._meta.concrete_fields
    instance._loaded_row = (
        [f.attname for f in fields],
        [getattr(instance, f.attname) for f in fields],
    )


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if isinstance(instance, AuditedModel):
        record(Action.DELETE, object_type=instance.audit_label(), object_id=instance.pk)
