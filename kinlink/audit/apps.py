from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kinlink.audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks, signals  # noqa: F401

        post_migrate.connect(_create_key_canary, sender=self)


def _create_key_canary(sender, using="default", **kwargs) -> None:
    from .keys import ensure_canary

    ensure_canary()
