from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "kinlink.web"
    verbose_name = _("Web")

    def ready(self) -> None:
        from kinlink import postgres

        postgres.install()
