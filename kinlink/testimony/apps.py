from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestimonyConfig(AppConfig):
    name = "kinlink.testimony"
    verbose_name = _("Testimony")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from kinlink.audit.keys import register_file_rotation

        from .models import Testimony
        from .services import forget_versions_of_erased, rotate_attachment_keys

        # An erased account takes its earlier versions with it (privacy/ erases).
        post_save.connect(forget_versions_of_erased, sender=Testimony, dispatch_uid="t-versions")
        # `kinlink keys rotate` re-encrypts the attachment files with the newest key too.
        register_file_rotation("testimony.attachment files", rotate_attachment_keys)
