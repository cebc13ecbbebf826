"""Deadlines that must not be missed: renewal tasks for expiring documents, reminders for
tasks due soon or overdue, and the emails that carry them. Each step is idempotent.

Emails leave the system, so they name case references, dates and the titles kinlink itself
wrote (plan and renewal tasks), never a person's name or a title typed by hand.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from kinlink.accounts.models import User
from kinlink.accounts.roles import Role

from .models import (
    Document,
    DocumentStatus,
    DocumentType,
    Reminder,
    ReminderKind,
    Task,
    TaskKind,
    TaskStatus,
)
from .selectors import DUE_SOON_DAYS

log = logging.getLogger(__name__)

DEFAULT_RENEWAL_LEAD_DAYS = 60
EMAIL_RETRY_DAYS = 3
EMAIL_MAX_LINES = 50
DUMMY_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


# Renewals --------------------------------------------------------------------------------


def renewal_lead_days(document_type: DocumentType) -> int:
    """Days before expiry that the renewal task falls due: the document type's own setting,
    else the CASES_RENEWAL_LEAD_DAYS setting, else 60."""
    if document_type.renewal_lead_days is not None:
        return document_type.renewal_lead_days
    return int(getattr(settings, "CASES_RENEWAL_LEAD_DAYS", DEFAULT_RENEWAL_LEAD_DAYS))


def renewal_due_on(document: Document, today: date) -> date:
    """The lead time before expiry; today when that has passed; the expiry day at the latest."""
    start = document.expires_on - timedelta(days=renewal_lead_days(document.document_type))
    return max(start, min(today, document.expires_on))


def ensure_renewal_task(document: Document, today: date | None = None) -> Task | None:
    """The renewal task for a current document's expiry date, created once.

    Returns the task when this call created it; None when it existed or is not needed.
    """
    if document.expires_on is None or document.status != DocumentStatus.CURRENT:
        return None
    if document.case.closed_on is not None:
        return None
    existing = Task.objects.filter(
        document=document, kind=TaskKind.RENEWAL, for_expiry=document.expires_on
    )
    if existing.exists():
        return None
    case = document.case
    try:
        with transaction.atomic():
            return Task.objects.create(
                case=case,
                title=f"Renew {document.document_type.name}",
                kind=TaskKind.RENEWAL,
                owner=case.caseworker,
                due_on=renewal_due_on(document, today or timezone.localdate()),
                document=document,
                for_expiry=document.expires_on,
            )
    except IntegrityError:  # a concurrent run created it a moment ago
        return None


def cancel_renewals(document: Document, keep_expiry: date | None = None) -> None:
    """Open renewal tasks of a document that was replaced, lost, or got a new expiry date."""
    stale = document.tasks.filter(kind=TaskKind.RENEWAL, status=TaskStatus.OPEN)
    if keep_expiry is not None:
        stale = stale.exclude(for_expiry=keep_expiry)
    for task in stale:
        task.status = TaskStatus.CANCELLED
        task.completed_at = timezone.now()
        task.save()


def create_missing_renewal_tasks(today: date) -> int:
    """Catch every current document of an open case whose renewal task does not exist yet
    (imported documents, a changed lead time, a run that failed)."""
    has_task = Task.objects.filter(
        document=OuterRef("pk"), kind=TaskKind.RENEWAL, for_expiry=OuterRef("expires_on")
    )
    documents = (
        Document.objects.filter(
            status=DocumentStatus.CURRENT,
            expires_on__isnull=False,
            case__closed_on__isnull=True,
        )
        .exclude(Exists(has_task))
        .select_related("case", "document_type")
    )
    return sum(1 for document in documents if ensure_renewal_task(document, today))


# Reminders -------------------------------------------------------------------------------


def _open_tasks_of_open_cases():
    return Task.objects.filter(
        status=TaskStatus.OPEN, owner__isnull=False, case__closed_on__isnull=True
    )


def _without_reminder(
    tasks: QuerySet[Task], kind: str, recipient: int | OuterRef
) -> QuerySet[Task]:
    """Tasks that have no reminder of this kind for this recipient and due date yet."""
    sent = Reminder.objects.filter(
        task=OuterRef("pk"), recipient=recipient, kind=kind, due_on=OuterRef("due_on")
    )
    return tasks.exclude(Exists(sent))


def _new_reminders(
    tasks: QuerySet[Task], kind: str, recipient: int | OuterRef, today: date
) -> list[Reminder]:
    """Unsaved reminders for the tasks that lack one; `recipient` is a user id, or
    OuterRef("owner") for each task's owner."""
    rows = _without_reminder(tasks, kind, recipient).values_list("id", "owner_id", "due_on")
    return [
        Reminder(
            task_id=task_id,
            recipient_id=recipient if isinstance(recipient, int) else owner_id,
            kind=kind,
            due_on=due,
            created_on=today,
        )
        for task_id, owner_id, due in rows.iterator(chunk_size=5000)
    ]


def _wanted_reminders(today: date) -> list[Reminder]:
    due_soon = _open_tasks_of_open_cases().filter(
        due_on__gte=today, due_on__lt=today + timedelta(days=DUE_SOON_DAYS)
    )
    overdue = _open_tasks_of_open_cases().filter(due_on__lt=today)
    wanted = _new_reminders(due_soon, ReminderKind.DUE_SOON, OuterRef("owner"), today)
    wanted += _new_reminders(overdue, ReminderKind.OVERDUE, OuterRef("owner"), today)
    # Each supervisor of a case's team hears of its overdue tasks too.
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True, team__isnull=False)
    for supervisor_id, team_id in supervisors.values_list("id", "team_id"):
        team_overdue = overdue.filter(case__team_id=team_id).exclude(owner_id=supervisor_id)
        wanted += _new_reminders(team_overdue, ReminderKind.OVERDUE, supervisor_id, today)
    return wanted


def create_reminders(today: date) -> int:
    """One reminder per task, recipient, kind and due date; a second run adds none."""
    wanted = _wanted_reminders(today)
    Reminder.objects.bulk_create(wanted, ignore_conflicts=True, batch_size=1000)
    return len(wanted)


def reminders_for(user, today: date) -> list[Reminder]:
    """The user's reminders from the last few days for tasks still open."""
    return list(
        Reminder.objects.filter(
            recipient=user,
            created_on__gte=today - timedelta(days=EMAIL_RETRY_DAYS),
            task__status=TaskStatus.OPEN,
        )
        .select_related("task", "task__case")
        .order_by("kind", "due_on")
    )


# Email -----------------------------------------------------------------------------------


def mail_is_configured() -> bool:
    return settings.EMAIL_BACKEND != DUMMY_BACKEND


def recipient_language(user) -> str:
    """The language the user chose in Preferences, else the site's default."""
    codes = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in codes else settings.LANGUAGE_CODE


def _line(reminder: Reminder) -> dict:
    task = reminder.task
    # Plan and renewal titles are kinlink's own words (shown in the recipient's language);
    # a title typed by hand may name a person, so it stays out of the email.
    title = task.label if task.kind != TaskKind.FREE else gettext("a task added by hand")
    return {"reference": task.case.reference, "title": title, "due_on": reminder.due_on}


def _message(reminders: list[Reminder], recipient) -> tuple[str, str, str]:
    """Subject, body and language of one person's reminder email, written in the language
    and calendar of their preferences."""
    language = recipient_language(recipient)
    with translation.override(language):
        overdue = [r for r in reminders if r.kind == ReminderKind.OVERDUE]
        due_soon = [r for r in reminders if r.kind != ReminderKind.OVERDUE]
        shown_overdue = overdue[:EMAIL_MAX_LINES]
        shown_soon = due_soon[: max(EMAIL_MAX_LINES - len(shown_overdue), 0)]
        base = getattr(settings, "KINLINK_BASE_URL", "").rstrip("/")
        context = {
            "overdue": [_line(r) for r in shown_overdue],
            "due_soon": [_line(r) for r in shown_soon],
            "overdue_count": len(overdue),
            "due_soon_count": len(due_soon),
            "more": len(reminders) - len(shown_overdue) - len(shown_soon),
            "link": f"{base}{reverse('cases:deadlines')}" if base else "",
            "calendar": recipient.calendar or "gregorian",
        }
        subject = render_to_string(
            "cases/email/reminders_subject.txt",
            {"overdue": len(overdue), "soon": len(due_soon), "days": DUE_SOON_DAYS},
        )
        body = render_to_string("cases/email/reminders.txt", context)
    return " ".join(subject.split()), body.strip() + "\n", language


def email_pending_reminders(today: date) -> int:
    """One email per person holding reminders not mailed yet; a failed send is retried by
    the next runs for a few days. Returns the number of emails sent."""
    if not mail_is_configured():
        return 0
    pending = (
        Reminder.objects.filter(
            emailed_at__isnull=True,
            created_on__gte=today - timedelta(days=EMAIL_RETRY_DAYS),
            task__status=TaskStatus.OPEN,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .select_related("task", "task__case", "task__document__document_type", "recipient")
        .order_by("recipient_id", "kind", "due_on")
    )
    by_recipient: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in pending.iterator(chunk_size=2000):
        by_recipient[reminder.recipient_id].append(reminder)
    sent = 0
    for recipient_id, reminders in by_recipient.items():
        recipient = reminders[0].recipient
        subject, body, language = _message(reminders, recipient)
        email = EmailMessage(
            subject, body, to=[recipient.email], headers={"Content-Language": language}
        )
        try:
            email.send()
        except (smtplib.SMTPException, OSError) as exc:
            log.warning("reminder email to user %s failed: %s", recipient_id, exc)
            continue
        newest = max(r.pk for r in reminders)
        pending.filter(recipient_id=recipient_id, pk__lte=newest).update(emailed_at=timezone.now())
        sent += 1
    return sent
