"""Every write about cases and every rule: opening, moving through stages, plans, documents,
referrals, configuration of pathways, and the daily reminders job."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kinlink.accounts.models import User
from kinlink.accounts.roles import Role, works_on_records
from kinlink.audit import crypto
from kinlink.audit.models import Action
from kinlink.audit.sensitive import reveal
from kinlink.audit.services import record
from kinlink.people.models import Person, VersionAction
from kinlink.people.selectors import can_view_person
from kinlink.people.services import save_version

from . import deadlines, selectors
from .models import (
    Case,
    Document,
    DocumentStatus,
    DocumentType,
    Outcome,
    Pathway,
    Reassignment,
    Referral,
    ReferralOutcome,
    ReferralStatus,
    ServiceType,
    Stage,
    StageMove,
    Task,
    TaskKind,
    TaskStatus,
    TaskTemplate,
)

MAX_SCAN_BYTES = 20 * 1024 * 1024
CLOSED_REFERRAL_STATUSES = {
    ReferralStatus.COMPLETED,
    ReferralStatus.DECLINED,
    ReferralStatus.CANCELLED,
}


# Access ----------------------------------------------------------------------------------


def require_case_work(user, case: Case) -> None:
    """Raise unless the user may change this case (their caseload, a case-working role)."""
    if not selectors.can_work_on_case(user, case):
        raise PermissionDenied("this case is not in your caseload")


def require_case_view(user, case: Case) -> None:
    if not selectors.can_view_case(user, case):
        raise PermissionDenied("this case is not in your caseload")


def note_case_read(user, case: Case) -> None:
    """A read outside one's own caseload (the data-protection officer's oversight) is logged."""
    if not selectors.is_in_own_caseload(user, case):
        record(Action.READ, object_type="cases.case", object_id=case.pk, field="case")


def may_configure_cases(user) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.ADMIN


def require_configuration(user) -> None:
    if not may_configure_cases(user):
        raise PermissionDenied("only administrators define pathways, stages and document types")


def _moment(day_or_moment: date | datetime | None) -> datetime:
    """A move recorded for a past day is placed at noon of that day; today means now."""
    now = timezone.now()
    if day_or_moment is None:
        return now
    if isinstance(day_or_moment, datetime):
        return day_or_moment
    if day_or_moment >= timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.combine(day_or_moment, time(12, 0)))


# Cases -----------------------------------------------------------------------------------


def next_case_reference() -> str:
    last = Case.objects.aggregate(top=Max("id"))["top"] or 0
    return f"C-{last + 1:06d}"


def _first_stage(pathway: Pathway) -> Stage:
    stage = pathway.stages.order_by("position", "id").first()
    if stage is None:
        raise ValidationError({"pathway": "this pathway has no stages yet"})
    return stage


@transaction.atomic
def open_case(
    *,
    user,
    person: Person,
    pathway: Pathway | None = None,
    caseworker=None,
    opened_on: date | None = None,
    reason: str = "",
) -> Case:
    """Open a case for a person in the user's caseload, in the first stage of a pathway."""
    if not works_on_records(user.role) or not can_view_person(user, person):
        raise PermissionDenied("this person is not in your caseload")
    if Case.objects.filter(person=person, closed_on__isnull=True).exists():
        raise ValidationError({"person": "this person already has an open case"})
    pathway = pathway or selectors.default_pathway()
    if pathway is None or not pathway.active:
        raise ValidationError({"pathway": "choose an active pathway"})
    caseworker = caseworker or (user if user.role == Role.CASEWORKER else person.caseworker)
    opened_at = _moment(opened_on)
    stage = _first_stage(pathway)
    case = Case.objects.create(
        reference=next_case_reference(),
        person=person,
        pathway=pathway,
        stage=stage,
        stage_entered_at=opened_at,
        caseworker=caseworker,
        team=(caseworker.team if caseworker is not None else None) or person.team,
        opened_on=timezone.localdate(opened_at),
    )
    StageMove.objects.create(
        case=case,
        from_stage=None,
        to_stage=stage,
        moved_at=opened_at,
        moved_by=user,
        reason=reason or "case opened",
    )
    create_stage_tasks(case=case, stage=stage, entered_on=case.opened_on)
    return case


def _check_move(case: Case, to_stage: Stage, reason: str, moved_at: datetime) -> None:
    if to_stage.pathway_id != case.pathway_id:
        raise ValidationError({"to_stage": "that stage belongs to another pathway"})
    if to_stage.pk == case.stage_id:
        raise ValidationError({"to_stage": "the case is already in this stage"})
    if not reason.strip():
        raise ValidationError({"reason": "say why the case moves"})
    if moved_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"moved_at": "a move cannot be dated in the future"})
    if moved_at < case.stage_entered_at:
        raise ValidationError(
            {"moved_at": "a move cannot be dated before the case entered its current stage"}
        )


@transaction.atomic
def move_case(
    *,
    user,
    case: Case,
    to_stage: Stage,
    reason: str,
    moved_at: date | datetime | None = None,
    outcome: str = "",
) -> StageMove:
    """Move a case to another stage of its pathway: dated, attributed and explained.

    Entering a closing stage closes the case and needs its outcome; leaving one reopens it.
    Entering a stage adds the stage's template tasks the case has not had yet.
    """
    require_case_work(user, case)
    given, case = case, Case.objects.select_for_update().get(pk=case.pk)
    moment = _moment(moved_at)
    _check_move(case, to_stage, reason, moment)
    if outcome and outcome not in Outcome.values:
        raise ValidationError({"outcome": f"unknown outcome {outcome!r}"})
    if to_stage.is_final and not (outcome or case.outcome):
        raise ValidationError({"outcome": "say how the case ended"})
    if not to_stage.is_final and case.closed_on is not None:
        _check_can_reopen(case)
    move = StageMove.objects.create(
        case=case,
        from_stage=case.stage,
        to_stage=to_stage,
        moved_at=moment,
        moved_by=user,
        reason=reason.strip(),
    )
    case.stage, case.stage_entered_at = to_stage, moment
    case.outcome = outcome or case.outcome
    case.closed_on = timezone.localdate(moment) if to_stage.is_final else None
    case.save()
    if to_stage.is_final:
        _cancel_open_tasks(case, user)
    create_stage_tasks(case=case, stage=to_stage, entered_on=timezone.localdate(moment))
    given.refresh_from_db()  # the caller's copy shows the move too
    return move


def _cancel_open_tasks(case: Case, user) -> None:
    """A closed case has no open task: its deadlines leave every list and reminder. Reopening
    the case leaves them cancelled; the caseworker reopens the ones still needed."""
    for task in case.tasks.filter(status=TaskStatus.OPEN):
        task.status, task.completed_at, task.completed_by = (
            TaskStatus.CANCELLED,
            timezone.now(),
            user,
        )
        task.save()


def _check_can_reopen(case: Case) -> None:
    others = Case.objects.filter(person_id=case.person_id, closed_on__isnull=True)
    if others.exclude(pk=case.pk).exists():
        raise ValidationError({"to_stage": "this person has another open case"})


def create_stage_tasks(*, case: Case, stage: Stage, entered_on: date) -> list[Task]:
    """Add the stage's template tasks that this case has never had (idempotent)."""
    had = set(case.tasks.filter(template__isnull=False).values_list("template_id", flat=True))
    templates = stage.task_templates.filter(active=True).exclude(pk__in=had)
    return [
        Task.objects.create(
            case=case,
            title=template.title,
            notes=template.description,
            kind=TaskKind.PLAN,
            owner=case.caseworker,
            due_on=entered_on + timedelta(days=template.due_after_days),
            template=template,
        )
        for template in templates.order_by("position", "id")
    ]


def reassignment_candidates(supervisor):
    """The active caseworkers and supervisors of the supervisor's team."""
    if supervisor.role != Role.SUPERVISOR or not supervisor.team_id:
        return User.objects.none()
    return User.objects.filter(
        team_id=supervisor.team_id,
        is_active=True,
        role__in=[Role.CASEWORKER, Role.SUPERVISOR],
    ).order_by("username")


@transaction.atomic
def reassign_case(
    *,
    user,
    case: Case,
    caseworker,
    reason: str,
    include_tasks: bool = True,
    include_person: bool = True,
) -> Reassignment:
    """A supervisor hands a case to another caseworker of the team, saying why.

    The previous caseworker's open tasks on the case go along when `include_tasks`; the
    person's record goes along when `include_person` and the previous caseworker held it, so
    that the new caseworker may open it and the previous one no longer sees either. Recorded
    as a Reassignment (audited on creation) and in the person's version history.
    """
    require_case_work(user, case)
    if user.role != Role.SUPERVISOR:
        raise PermissionDenied("only a supervisor reassigns cases")
    if caseworker is None or not reassignment_candidates(user).filter(pk=caseworker.pk).exists():
        if caseworker is not None and caseworker.team_id != user.team_id:
            raise ValidationError({"caseworker": "choose someone from your team"})
        raise ValidationError({"caseworker": "choose an active caseworker of your team"})
    if caseworker.pk == case.caseworker_id:
        raise ValidationError({"caseworker": "the case is already with this caseworker"})
    if not reason.strip():
        raise ValidationError({"reason": "say why the case changes hands"})
    case = Case.objects.select_for_update().get(pk=case.pk)
    previous = case.caseworker
    case.caseworker, case.team = caseworker, caseworker.team
    case.save()
    moved = 0
    if include_tasks:
        # Saved one by one, so that each change of owner is in the audit log.
        for task in case.tasks.filter(status=TaskStatus.OPEN, owner=previous):
            task.owner = caseworker
            task.save()
            moved += 1
    person_moved = False
    person = case.person
    if include_person and previous is not None and person.caseworker_id == previous.pk:
        person.caseworker, person.team = caseworker, caseworker.team
        person.save()
        save_version(person, VersionAction.EDIT, by=user, changed=["caseworker_id", "team_id"])
        person_moved = True
    return Reassignment.objects.create(
        case=case,
        from_caseworker=previous,
        to_caseworker=caseworker,
        reassigned_by=user,
        reassigned_at=timezone.now(),
        reason=reason.strip(),
        tasks_moved=moved,
        person_moved=person_moved,
    )


# Tasks -----------------------------------------------------------------------------------


def _require_open(case: Case) -> None:
    if case.closed_on is not None:
        raise ValidationError({"case": "the case is closed; move it to an open stage first"})


def _check_owner(case: Case, owner) -> None:
    if owner is None:
        return
    if not works_on_records(owner.role) or not owner.is_active:
        raise ValidationError({"owner": "a task's owner is an active caseworker or supervisor"})
    same_team = case.team_id is not None and owner.team_id == case.team_id
    if owner.pk != case.caseworker_id and not same_team:
        raise ValidationError({"owner": "a task's owner works on this case or in its team"})


@transaction.atomic
def add_task(
    *,
    user,
    case: Case,
    title: str,
    due_on: date | None = None,
    owner=None,
    notes: str = "",
) -> Task:
    require_case_work(user, case)
    _require_open(case)
    if not title.strip():
        raise ValidationError({"title": "a task needs a title"})
    owner = owner or case.caseworker or user
    _check_owner(case, owner)
    return Task.objects.create(
        case=case,
        title=title.strip(),
        notes=notes,
        kind=TaskKind.FREE,
        owner=owner,
        due_on=due_on,
    )


@transaction.atomic
def update_task(
    *,
    user,
    task: Task,
    title: str | None = None,
    due_on: date | None = None,
    owner=None,
    notes: str | None = None,
) -> Task:
    require_case_work(user, task.case)
    if title is not None:
        if not title.strip():
            raise ValidationError({"title": "a task needs a title"})
        task.title = title.strip()
    if owner is not None:
        _check_owner(task.case, owner)
        task.owner = owner
    if due_on is not None:
        task.due_on = due_on
    if notes is not None:
        task.notes = notes
    task.save()
    return task


@transaction.atomic
def set_task_status(*, user, task: Task, status: str) -> Task:
    """Mark a task done, not needed, or open again."""
    require_case_work(user, task.case)
    if status not in TaskStatus.values:
        raise ValidationError({"status": f"unknown status {status!r}"})
    if status == TaskStatus.OPEN:
        _require_open(task.case)
    task.status = status
    finished = status != TaskStatus.OPEN
    task.completed_at = timezone.now() if finished else None
    task.completed_by = user if finished else None
    task.save()
    return task


# Documents -------------------------------------------------------------------------------


def _check_document_dates(issued_on: date | None, expires_on: date | None) -> None:
    if issued_on and expires_on and expires_on < issued_on:
        raise ValidationError({"expires_on": "a document cannot expire before it was issued"})
    if issued_on and issued_on > timezone.localdate():
        raise ValidationError({"issued_on": "the issue date is in the future"})


def _store_scan(document: Document, upload) -> None:
    """Encrypt the scan into a file under MEDIA_ROOT; record the original's SHA-256 and size."""
    content = upload.read()
    if len(content) > MAX_SCAN_BYTES:
        raise ValidationError({"scan": f"a scan may be at most {MAX_SCAN_BYTES // 2**20} MB"})
    if not content:
        raise ValidationError({"scan": "the file is empty"})
    document.scan_key = uuid.uuid4().hex
    document.scan_sha256 = hashlib.sha256(content).hexdigest()
    document.scan_size = len(content)
    document.scan_content_type = (getattr(upload, "content_type", "") or "")[:100]
    document.scan.save("scan", ContentFile(crypto.fernet().encrypt(content)), save=False)


@transaction.atomic
def add_document(
    *,
    user,
    case: Case,
    document_type: DocumentType,
    issuing_country: str = "",
    number: str = "",
    issued_on: date | None = None,
    expires_on: date | None = None,
    scan=None,
    replaces: Document | None = None,
) -> Document:
    """Record an identity paper, permit or status. An expiry date brings a renewal task."""
    require_case_work(user, case)
    _check_document_dates(issued_on, expires_on)
    if replaces is not None and replaces.case_id != case.pk:
        raise ValidationError({"replaces": "that document belongs to another case"})
    document = Document(
        case=case,
        document_type=document_type,
        issuing_country=issuing_country.strip(),
        number=number.strip() or None,
        issued_on=issued_on,
        expires_on=expires_on,
        added_by=user,
    )
    if scan is not None:
        _store_scan(document, scan)
    document.save()
    if replaces is not None:
        mark_document(user=user, document=replaces, status=DocumentStatus.REPLACED)
    deadlines.ensure_renewal_task(document)
    return document


@transaction.atomic
def update_document(
    *,
    user,
    document: Document,
    issuing_country: str | None = None,
    issued_on: date | None = None,
    expires_on: date | None = None,
    number: str | None = None,
    scan=None,
) -> Document:
    require_case_work(user, document.case)
    if issuing_country is not None:
        document.issuing_country = issuing_country.strip()
    if issued_on is not None:
        document.issued_on = issued_on
    if expires_on is not None:
        document.expires_on = expires_on
    _check_document_dates(document.issued_on, document.expires_on)
    if number:
        document.number = number.strip()
    if scan is not None:
        old = document.scan.name
        _store_scan(document, scan)
        transaction.on_commit(lambda: document.scan.storage.delete(old) if old else None)
    document.save()
    deadlines.cancel_renewals(document, keep_expiry=document.expires_on)
    deadlines.ensure_renewal_task(document)
    return document


@transaction.atomic
def mark_document(*, user, document: Document, status: str) -> Document:
    """A document replaced by a newer one, or lost, needs no renewal any more."""
    require_case_work(user, document.case)
    if status not in DocumentStatus.values:
        raise ValidationError({"status": f"unknown status {status!r}"})
    document.status = status
    document.save()
    if status != DocumentStatus.CURRENT:
        deadlines.cancel_renewals(document)
    else:
        deadlines.ensure_renewal_task(document)
    return document


def read_document_number(*, user, document: Document, reason: str) -> str | None:
    require_case_view(user, document.case)
    if not reason.strip():
        raise ValidationError({"reason": "say why you need the number"})
    return reveal(document, "number", reason=reason.strip())


class ScanIntegrityError(Exception):
    """The stored scan does not match the SHA-256 recorded when it was uploaded."""


def read_document_scan(*, user, document: Document) -> bytes:
    """Decrypt a scan for a user who may see the case, check its fingerprint, audit the read."""
    require_case_view(user, document.case)
    if not document.scan:
        raise ValidationError({"scan": "this document has no scan"})
    with document.scan.open("rb") as handle:
        content = crypto.fernet().decrypt(handle.read())
    if hashlib.sha256(content).hexdigest() != document.scan_sha256:
        raise ScanIntegrityError(f"the scan of document {document.pk} was altered")
    record(Action.READ, object_type="cases.document", object_id=document.pk, field="scan")
    return content


def rotate_scan_keys() -> int:
    """Re-encrypt every stored scan with the newest field key; for `kinlink keys rotate`,
    after a new key is added first and before the old one is removed. Each file is checked
    against its SHA-256 and replaced atomically; a re-run simply rotates again."""
    fernet = crypto.fernet()
    done = 0
    for document in Document.objects.exclude(scan="").only("id", "scan", "scan_sha256"):
        path = Path(document.scan.storage.path(document.scan.name))
        rotated = fernet.rotate(path.read_bytes())
        if hashlib.sha256(fernet.decrypt(rotated)).hexdigest() != document.scan_sha256:
            raise ScanIntegrityError(f"the scan of document {document.pk} was altered")
        partial = path.with_name(path.name + ".rotating")
        partial.write_bytes(rotated)
        os.replace(partial, path)
        done += 1
    record(Action.SYSTEM, detail={"scan_key_rotation": {"files": done}})
    return done


# Referrals -------------------------------------------------------------------------------


@transaction.atomic
def add_referral(
    *,
    user,
    case: Case,
    service_type: str,
    partner: str,
    referred_on: date | None = None,
    status: str = ReferralStatus.PLANNED,
    notes: str = "",
) -> Referral:
    require_case_work(user, case)
    if service_type not in ServiceType.values:
        raise ValidationError({"service_type": f"unknown service {service_type!r}"})
    if not partner.strip():
        raise ValidationError({"partner": "name the partner organisation"})
    if status not in ReferralStatus.values:
        raise ValidationError({"status": f"unknown status {status!r}"})
    today = timezone.localdate()
    return Referral.objects.create(
        case=case,
        service_type=service_type,
        partner=partner.strip(),
        status=status,
        notes=notes,
        referred_on=referred_on or today,
        closed_on=today if status in CLOSED_REFERRAL_STATUSES else None,
        created_by=user,
    )


@transaction.atomic
def update_referral(
    *,
    user,
    referral: Referral,
    status: str | None = None,
    outcome: str | None = None,
    notes: str | None = None,
    partner: str | None = None,
) -> Referral:
    """Record where a referral stands and, once it ends, how far it met the person's needs."""
    require_case_work(user, referral.case)
    if status is not None:
        if status not in ReferralStatus.values:
            raise ValidationError({"status": f"unknown status {status!r}"})
        referral.status = status
        ended = status in CLOSED_REFERRAL_STATUSES
        referral.closed_on = (referral.closed_on or timezone.localdate()) if ended else None
    if outcome is not None:
        if outcome not in ReferralOutcome.values:
            raise ValidationError({"outcome": f"unknown outcome {outcome!r}"})
        referral.outcome = outcome
    if notes is not None:
        referral.notes = notes
    if partner is not None and partner.strip():
        referral.partner = partner.strip()
    referral.save()
    return referral


# Configuration (administrators) -----------------------------------------------------------


@transaction.atomic
def save_pathway(*, user, pathway: Pathway) -> Pathway:
    require_configuration(user)
    if pathway.is_default:
        Pathway.objects.exclude(pk=pathway.pk).filter(is_default=True).update(is_default=False)
    pathway.save()
    return pathway


@transaction.atomic
def save_stage(*, user, stage: Stage) -> Stage:
    require_configuration(user)
    twins = Stage.objects.filter(pathway_id=stage.pathway_id, name=stage.name)
    if twins.exclude(pk=stage.pk).exists():
        raise ValidationError({"name": "this pathway already has a stage of that name"})
    stage.save()
    return stage


@transaction.atomic
def delete_stage(*, user, stage: Stage) -> None:
    require_configuration(user)
    if stage.cases.exists() or stage.moves_in.exists():
        raise ValidationError({"stage": "cases have been in this stage; rename it instead"})
    stage.delete()


@transaction.atomic
def reorder_stages(*, user, pathway: Pathway, stage_ids: list[int]) -> list[Stage]:
    """Put a pathway's stages in the given order (every stage id of the pathway, once)."""
    require_configuration(user)
    stages = {stage.pk: stage for stage in pathway.stages.all()}
    if len(stage_ids) != len(set(stage_ids)) or set(stage_ids) != set(stages):
        raise ValidationError({"stages": "list every stage of this pathway once"})
    ordered = []
    for position, stage_id in enumerate(stage_ids, start=1):
        stage = stages[stage_id]
        if stage.position != position:
            stage.position = position
            stage.save()
        ordered.append(stage)
    return ordered


@transaction.atomic
def save_task_template(*, user, template: TaskTemplate) -> TaskTemplate:
    require_configuration(user)
    template.save()
    return template


@transaction.atomic
def save_document_type(*, user, document_type: DocumentType) -> DocumentType:
    require_configuration(user)
    document_type.save()
    return document_type


# Daily reminders -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderReport:
    today: date
    renewal_tasks_created: int
    reminders_created: int
    emails_sent: int

    def __str__(self) -> str:
        return (
            f"{self.today.isoformat()}: {self.renewal_tasks_created} renewal tasks, "
            f"{self.reminders_created} reminders, {self.emails_sent} emails"
        )


def run_daily_reminders(today: date | None = None) -> ReminderReport:
    """The daily job behind `kinlink worker`: renewal tasks for expiring documents, reminders
    for tasks due soon or overdue, and one email per person when mail is configured.
    Running it again the same day creates and sends nothing new."""
    today = today or timezone.localdate()
    created_tasks = deadlines.create_missing_renewal_tasks(today)
    created = deadlines.create_reminders(today)
    sent = deadlines.email_pending_reminders(today)
    return ReminderReport(today, created_tasks, created, sent)
