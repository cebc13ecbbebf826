from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "kinlink.tracing"
    verbose_name = _("Tracing")

    def ready(self) -> None:
        from . import receivers  # noqa: F401
