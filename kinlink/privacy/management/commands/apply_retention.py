"""The daily retention job: `python -m django apply_retention [--date YYYY-MM-DD] [--dry-run]`."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kinlink.audit.context import SYSTEM, acting_as
from kinlink.privacy.services import apply_retention, describe


class Command(BaseCommand):
    help = (
        "Pseudonymise or delete the records past their retention period (set per record "
        "type on the retention page) and print what was done. Safe to run more than once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="run as if today were this day (YYYY-MM-DD)")
        parser.add_argument(
            "--dry-run", action="store_true", help="list what is due, change nothing"
        )

    def handle(self, *args, **options):
        now = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {exc}; write the day as YYYY-MM-DD") from exc
            now = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        with acting_as(SYSTEM):
            results = apply_retention(now=now, dry_run=options["dry_run"])
        prefix = "dry run, nothing changed: " if options["dry_run"] else ""
        for result in results:
            self.stdout.write(prefix + describe(result))
        if not results:
            self.stdout.write("no retention rule is enabled")
