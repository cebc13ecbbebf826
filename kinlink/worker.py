"""`kinlink worker`: the background jobs, each a Django management command of its app.

Jobs are idempotent (safe to run twice a day), so a worker restarted at any moment, or two
workers by mistake, do no harm.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.management import call_command

# (command, what it does) in the order they run each day
DAILY_JOBS: list[tuple[str, str]] = [
    (
        "cases_reminders",
        "renewal tasks for expiring documents, reminders for due and overdue tasks",
    ),
    ("apply_retention", "pseudonymise or delete records past their retention period"),
    ("testimony_exports", "finish evidence exports left waiting or interrupted"),
    ("testimony_encrypt_attachments", "encrypt testimony attachments stored in the clear"),
]


def run_daily_jobs(log: Callable[[str], None] = print) -> None:
    for command, purpose in DAILY_JOBS:
        log(f"{datetime.now():%Y-%m-%d %H:%M} {command}: {purpose}")
        call_command(command)


def seconds_until(hour: int, minute: int, now: datetime | None = None) -> float:
    now = now or datetime.now()
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


def run_forever(hour: int, minute: int, log: Callable[[str], None] = print) -> None:
    run_daily_jobs(log)
    while True:
        time.sleep(seconds_until(hour, minute))
        run_daily_jobs(log)
