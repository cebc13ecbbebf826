from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kinlink.audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401
