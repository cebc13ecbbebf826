"""Encrypt testimony attachments stored in the clear (before encryption at rest)."""

from django.core.management.base import BaseCommand

from kinlink.testimony.services import encrypt_stored_attachments


class Command(BaseCommand):
    help = "Encrypt testimony attachments stored before encryption at rest; safe to re-run."

    def handle(self, *args, **options):
        report = encrypt_stored_attachments()
        self.stdout.write(f"encrypted {report.encrypted} attachments")
        for problem in report.problems:
            self.stderr.write(f"not encrypted: {problem}")
