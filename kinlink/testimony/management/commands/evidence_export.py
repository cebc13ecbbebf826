"""Build an evidence bundle from the command line, as the page's background job does,
showing its progress; the job row is kept, so an interrupted run is finished by
`testimony_exports` (or by running this again)."""

import shutil
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from kinlink.testimony import jobs, selectors
from kinlink.testimony.models import JobStatus, Purpose

BAR = 30  # characters of the progress bar


class Command(BaseCommand):
    help = "Export an evidence bundle for a recipient and purpose, as a named staff member."

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True, help="the exporting user")
        parser.add_argument("--recipient", required=True)
        parser.add_argument("--purpose", required=True, choices=Purpose.values)
        parser.add_argument("--note", default="")
        parser.add_argument(
            "--testimonies", default="", help="only these, by reference: T-000001,T-000002"
        )
        parser.add_argument("--out", help="also copy the bundle to this path")

    def handle(self, *args, username, recipient, purpose, note, out, testimonies="", **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        try:
            ids = selectors.testimony_ids_from_references(user, testimonies.split(","))
            job = jobs.request_export(
                user=user, recipient=recipient, purpose=purpose, note=note, testimony_ids=ids
            )
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc

        def step(done: int, total: int) -> None:
            filled = done * BAR // total
            bar = "#" * filled + "-" * (BAR - filled)
            sys.stderr.write(
                f"\r[{bar}] {done * 100 // total:3d}% ({done}/{total - 1} testimonies)"
            )

        try:
            job = jobs.run_job(job.pk, on_progress=step)
        finally:
            sys.stderr.write("\n")
        if job.status != JobStatus.DONE:
            raise CommandError(f"export job {job.pk} {job.status}: {job.error}")
        export = job.export
        if out:
            with export.file.open("rb") as source, open(out, "wb") as target:
                shutil.copyfileobj(source, target)
        self.stdout.write(
            f"{export.reference}: {export.testimony_count} testimonies, {export.event_count} "
            f"events, {export.attachment_count} files; digest {export.manifest_sha256}"
            + (f"; copied to {out}" if out else "")
        )
