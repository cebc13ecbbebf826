"""The daily deadlines job: `python -m django cases_reminders [--date YYYY-MM-DD]`."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kinlink.audit.context import SYSTEM, acting_as
from kinlink.cases.services import run_daily_reminders


class Command(BaseCommand):
    help = (
        "Create renewal tasks for expiring documents and reminders for tasks due soon or "
        "overdue, and email them when mail is configured. Safe to run more than once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="run as if today were this day (YYYY-MM-DD)")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(f"--date: {exc}; write the day as YYYY-MM-DD") from exc
        with acting_as(SYSTEM):
            report = run_daily_reminders(today)
        self.stdout.write(str(report))
