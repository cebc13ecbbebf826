from django.core.management.base import BaseCommand

from kinlink.testimony.models import Testimony
from kinlink.testimony.services import reindex_testimony


class Command(BaseCommand):
    help = "Rebuild the search index of every testimony (each account read is audited)."

    def handle(self, *args, **options) -> None:
        count = 0
        for testimony in Testimony.objects.order_by("pk").iterator(chunk_size=500):
            reindex_testimony(testimony)
            count += 1
        self.stdout.write(f"search index rebuilt for {count} testimonies")
