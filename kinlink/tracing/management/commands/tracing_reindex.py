from django.core.management.base import BaseCommand

from kinlink.tracing.matching import rebuild_person_keys


class Command(BaseCommand):
    help = "File every person under their matching keys again (after an import or a names update)."

    def handle(self, *args, **options) -> None:
        done = rebuild_person_keys()
        self.stdout.write(f"{done} persons filed")
