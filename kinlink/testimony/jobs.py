"""Evidence exports built in the background, with progress a page can poll.

A job is a database row (`ExportJob`). Asking for an export adds a row and, after commit,
starts a thread in the web process that runs it; `kinlink worker` (the
`testimony_exports` command) runs any job left waiting or stopped mid-way (its process
was killed: no heartbeat for STALE). Nothing else is needed on one machine.

Running a job twice is safe: the bundle is built in a temporary file and stored with its
`EvidenceExport` row in one transaction, so a killed job leaves no half-made bundle. A
job is claimed by a conditional update, so two runners never build the same job at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kinlink.audit.context import acting_as, actor_for, current_actor

from . import evidence, selectors
from .models import ExportJob, JobStatus, Purpose

log = logging.getLogger(__name__)

STALE = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 3


def request_export(
    *,
    user,
    recipient: str,
    purpose: str,
    note: str = "",
    inline_limit: int = 0,
    testimony_ids: list[int] | None = None,
) -> ExportJob:
    """Queue an export for `user`. Up to `inline_limit` testimonies it is built at once
    (the caller waits); otherwise it starts in a thread after commit, unless the setting
    TESTIMONY_EXPORT_THREADS is False (then `kinlink worker` or `run_job` runs it)."""
    if not selectors.may_export_evidence(user):
        raise PermissionDenied(_("Only supervisors and data-protection officers export evidence."))
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Unknown purpose.")})
    if not recipient.strip():
        raise ValidationError({"recipient": _("Name the recipient.")})
    total = selectors.testimonies_to_export(user, purpose, testimony_ids).count()
    if not total:
        raise ValidationError(
            {"purpose": _("No testimony you may see has consent for this purpose.")}
        )
    job = ExportJob.objects.create(
        recipient=recipient.strip(),
        purpose=purpose,
        note=note,
        testimonies=sorted(set(testimony_ids or [])),
        requested_by=user,
        total=total + 1,
    )
    if total <= inline_limit:
        return run_job(job.pk)
    if getattr(settings, "TESTIMONY_EXPORT_THREADS", True):
        transaction.on_commit(lambda: start_thread(job.pk))
    return job


def retry(*, user, job: ExportJob) -> ExportJob:
    """Start a failed job again, or one whose runner died (no heartbeat for STALE)."""
    if not selectors.export_jobs_visible_to(user).filter(pk=job.pk).exists():
        raise PermissionDenied(_("This export is not yours."))
    stale = timezone.now() - STALE
    restartable = Q(status=JobStatus.FAILED) | Q(status=JobStatus.RUNNING, heartbeat__lt=stale)
    if ExportJob.objects.filter(restartable, pk=job.pk).update(
        status=JobStatus.QUEUED, attempts=0, error=""
    ) and getattr(settings, "TESTIMONY_EXPORT_THREADS", True):
        transaction.on_commit(lambda: start_thread(job.pk))
    return ExportJob.objects.get(pk=job.pk)


def start_thread(job_id: int) -> threading.Thread:
    thread = threading.Thread(
        target=_run_in_thread, args=(job_id,), daemon=True, name=f"evidence-export-{job_id}"
    )
    thread.start()
    return thread


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run_job(job_id)
    except Exception:  # a thread has no caller to tell; the job row says it failed
        log.exception("evidence export job %s failed", job_id)
    finally:
        close_old_connections()


def _claim(job_id: int) -> bool:
    """Take a waiting job, or one whose runner died; False when someone else runs it."""
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat__lt=now - STALE)
    return bool(
        ExportJob.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS).update(
            status=JobStatus.RUNNING,
            heartbeat=now,
            done=0,
            error="",
            attempts=F("attempts") + 1,
        )
    )


def run_job(job_id: int, on_progress: evidence.Progress | None = None) -> ExportJob:
    """Build the bundle of one job, writing progress as it goes (and telling
    `on_progress(done, total)`, for a command line)."""
    if not _claim(job_id):
        return ExportJob.objects.get(pk=job_id)
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(done=done, total=total, heartbeat=timezone.now())
        if on_progress is not None:
            on_progress(done, total)

    try:
        # In a thread or a command the requester becomes the actor; in the request itself
        # the actor (with the address) is already theirs.
        acting = current_actor()
        if acting.user_id != job.requested_by_id:
            acting = actor_for(job.requested_by)
        with acting_as(acting):
            export = evidence.export_evidence(
                user=job.requested_by,
                recipient=job.recipient,
                purpose=job.purpose,
                note=job.note,
                progress=progress,
                testimony_ids=job.testimonies or None,
            )
    except (ValidationError, PermissionDenied) as exc:
        message = "; ".join(getattr(exc, "messages", [str(exc)]))
        ExportJob.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error=message[:500])
    except Exception as exc:
        ExportJob.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        raise
    else:
        ExportJob.objects.filter(pk=job_id).update(
            status=JobStatus.DONE, export=export, done=job.total, heartbeat=timezone.now()
        )
    return ExportJob.objects.get(pk=job_id)


def run_pending_jobs() -> list[ExportJob]:
    """Run every job waiting, or stopped mid-way, oldest first (for `kinlink worker`)."""
    stale = timezone.now() - STALE
    pending = ExportJob.objects.filter(
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat__lt=stale),
        attempts__lt=MAX_ATTEMPTS,
    ).order_by("id")
    return [run_job(pk) for pk in list(pending.values_list("pk", flat=True))]


def job_state(job: ExportJob) -> dict:
    """What the progress endpoint answers."""
    return {
        "id": job.pk,
        "status": job.status,
        "percent": job.percent,
        "done": job.done,
        "total": job.total,
        "export": job.export.reference if job.export_id else None,
        "error": job.error,
    }
