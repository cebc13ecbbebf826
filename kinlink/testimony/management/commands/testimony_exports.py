"""Run evidence exports left waiting or stopped mid-way (their process was killed)."""

from django.core.management.base import BaseCommand

from kinlink.testimony.jobs import run_pending_jobs


class Command(BaseCommand):
    help = "Build the evidence bundles of export jobs that are waiting or were interrupted."

    def handle(self, *args, **options):
        for job in run_pending_jobs():
            line = f"export job {job.pk}: {job.status}"
            if job.export_id:
                line += f" ({job.export.reference})"
            if job.error:
                line += f" - {job.error}"
            self.stdout.write(line)
