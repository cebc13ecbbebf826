from django.core.management.base import BaseCommand

from kinlink.tracing.matching import rebuild_all_keys


class Command(BaseCommand):
    help = (
        "File every person and open enquiry under their matching keys again (after an "
        "import or a names update; `kinlink migrate` does it when the key rules change)."
    )

    def handle(self, *args, **options) -> None:
        persons, enquiries = rebuild_all_keys()
        self.stdout.write(f"{persons} persons and {enquiries} enquiries filed")
