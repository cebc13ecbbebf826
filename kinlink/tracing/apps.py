from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "kinlink.tracing"
    verbose_name = _("Tracing")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import receivers  # noqa: F401

        post_migrate.connect(_refile_when_keys_changed, sender=self)


def _refile_when_keys_changed(sender, using="default", verbosity=1, **kwargs) -> None:
    """`kinlink migrate` after an upgrade whose matching keys changed files every person
    and enquiry again, so that candidates keep being found."""
    from .matching import ensure_keys_current

    done = ensure_keys_current()
    if done is not None and verbosity and any(done):
        print(f"matching keys updated: {done[0]} persons, {done[1]} enquiries filed again")
