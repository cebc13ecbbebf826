from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestimonyConfig(AppConfig):
    name = "kinlink.testimony"
    verbose_name = _("Testimony")
