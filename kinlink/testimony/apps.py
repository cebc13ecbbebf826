from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestimonyConfig(AppConfig):
    name = "kinlink.testimony"
    verbose_name = _("Testimony")

    def ready(self) -> None:
        from kinlink.audit.keys import register_file_rotation

        from .services import rotate_attachment_keys

        # `kinlink keys rotate` re-encrypts the attachment files with the newest key too.
        register_file_rotation("testimony.attachment files", rotate_attachment_keys)
