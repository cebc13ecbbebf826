"""Data-subject rights and retention: every rule and every write of the privacy app.

- Subject access: a data-protection officer exports everything held about a person
  (`export_subject_data`), audited with the reason.
- Erasure and pseudonymisation: a DPO records a request (`record_request`), then carries it
  out (`carry_out_request`) unless a legal hold applies (`legal_holds`), or refuses it.
- Retention: `apply_retention` pseudonymises or deletes what is past the period its
  record type keeps it (`RetentionRule`), idempotently.

The audit log keeps object ids and field names only, so it needs no change when a person is
erased and `kinlink audit verify` still passes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kinlink.audit.context import Actor, acting_as, actor_for, current_actor
from kinlink.audit.models import Action
from kinlink.audit.services import record
from kinlink.cases.models import Case
from kinlink.people.models import Consent, Person
from kinlink.testimony.models import Participant, Testimony, Use
from kinlink.testimony.selectors import uses_in_force
from kinlink.tracing.models import Enquiry, EnquiryStatus

from . import export, scrub, selectors
from .models import (
    DEFAULT_PERIODS,
    ErasureRequest,
    LegalGround,
    Method,
    Pseudonym,
    RecordType,
    Requester,
    RequestState,
    RetentionAction,
    RetentionMark,
    RetentionRule,
)

EXPORT_FORMATS = ("json", "pdf")
CONTENT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


# -- who may -------------------------------------------------------------------------------


def require_dpo(user) -> None:
    if not selectors.is_dpo(user):
        raise PermissionDenied(_("Only data-protection officers handle data-subject rights."))


def require_retention_editor(user) -> None:
    if not selectors.may_set_retention(user):
        raise PermissionDenied(
            _("Only data-protection officers and administrators set retention periods.")
        )


def _as(user) -> Actor:
    """The user as the actor of the entries a service writes: the request's actor (with its
    address) when the service runs inside the user's request, else the user themself."""
    current = current_actor()
    return current if current.user_id == user.pk else actor_for(user, current.ip)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ValidationError({"reason": _("Say why (for the audit log).")})
    return reason[:300]


# -- subject access ------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectExport:
    content: bytes
    content_type: str
    filename: str
    rows: int


def export_subject_data(*, user, person: Person, reason: str, fmt: str) -> SubjectExport:
    """Everything held about a person as JSON or PDF. Each sealed value is an audited read,
    and the export itself is an audit entry naming the person, the format and the reason."""
    require_dpo(user)
    if fmt not in EXPORT_FORMATS:
        raise ValidationError({"format": _("Choose JSON or PDF.")})
    reason = _reason(reason)
    with acting_as(_as(user)):
        held = selectors.holdings_of(person)
        document = export.build_document(
            held, reason=f"subject access: {reason}", requested_by=user.get_username()
        )
        content = export.to_json(document) if fmt == "json" else export.to_pdf(document)
        rows = sum(document["counts"].values())
        _audit_export(person, fmt, reason, rows, len(document["audit_entries"]), user, document)
    return SubjectExport(
        content=content,
        content_type=CONTENT_TYPES[fmt],
        filename=f"subject-access-{person.reference}.{fmt}",
        rows=rows,
    )


def _audit_export(
    person: Person, fmt: str, reason: str, rows: int, entries: int, user, document
) -> None:
    """Who, what (format, sections, rows), why (the reason; the purpose is subject access)
    and for whom (the data subject), like every export."""
    record(
        Action.EXPORT,
        object_type="people.person",
        object_id=person.pk,
        detail={
            "subject_access": person.reference,
            "by": user.get_username(),
            "what": "subject access",
            "format": fmt,
            "columns": sorted(document["counts"]),
            "purpose": "subject access",
            "reason": reason,
            "for": f"data subject {person.reference}",
            "rows": rows,
            "audit_entries": entries,
            "hidden_names_withheld": document.get("hidden_names_withheld", 0),
        },
    )


# -- legal holds ---------------------------------------------------------------------------


def _court_testimonies(testimonies: models.QuerySet[Testimony]) -> list[Testimony]:
    return [t for t in testimonies if Use.COURT in uses_in_force(t)]


def legal_holds(person: Person) -> list[str]:
    """Why this person may not be erased or pseudonymised now (empty: nothing stops it).

    - an open case: the person is being supported; close the case first;
    - an enquiry not closed, made by them or looking for them: tracing is under way;
    - a testimony they gave, or one naming them as a victim or alleged perpetrator, whose
      newest consent allows use in court: it may be evidence in proceedings.
    """
    ids = selectors.subject_ids(person)
    holds: list[str] = []
    for case in Case.objects.filter(person_id__in=ids, closed_on__isnull=True):
        holds.append(_("Case %(ref)s is open.") % {"ref": case.reference})
    open_enquiries = Enquiry.objects.filter(
        models.Q(enquirer_id__in=ids) | models.Q(sought_person_id__in=ids)
    ).exclude(status=EnquiryStatus.CLOSED)
    for enquiry in open_enquiries.order_by("pk"):
        holds.append(_("Enquiry %(ref)s is not closed.") % {"ref": enquiry.reference})
    told = Testimony.objects.filter(witness_id__in=ids).order_by("pk")
    for testimony in _court_testimonies(told):
        holds.append(
            _("Testimony %(ref)s may be used in court (consent in force).")
            % {"ref": testimony.reference}
        )
    naming = Testimony.objects.filter(
        pk__in=Participant.objects.filter(person_id__in=ids).values("event__testimony_id")
    ).order_by("pk")
    for testimony in _court_testimonies(naming):
        holds.append(
            _("Testimony %(ref)s names this person and may be used in court.")
            % {"ref": testimony.reference}
        )
    return holds


# -- requests ------------------------------------------------------------------------------


def _next_request_reference() -> str:
    last = ErasureRequest.objects.aggregate(top=Max("id"))["top"] or 0
    return f"DR-{last + 1:06d}"


@transaction.atomic
def record_request(
    *,
    user,
    person: Person,
    ground: str,
    requested_by: str,
    requested_on: dt.date,
    ground_detail: str = "",
) -> ErasureRequest:
    """A DPO records that a person's data must be erased or pseudonymised, and why."""
    require_dpo(user)
    with acting_as(_as(user)):
        return _new_request(
            user=user,
            person=person,
            ground=ground,
            requested_by=requested_by,
            requested_on=requested_on,
            ground_detail=ground_detail,
        )


def _new_request(*, user, person, ground, requested_by, requested_on, ground_detail):
    if ground not in LegalGround.values:
        raise ValidationError({"ground": _("Choose the legal ground.")})
    if requested_by not in Requester.values:
        raise ValidationError({"requested_by": _("Say who asked.")})
    if requested_on > timezone.localdate():
        raise ValidationError({"requested_on": _("A request cannot come from the future.")})
    if person.merged_into_id is not None:
        raise ValidationError(
            {"person": _("This record was merged; make the request for the record it joined.")}
        )
    if ErasureRequest.objects.filter(person=person, state=RequestState.OPEN).exists():
        raise ValidationError({"person": _("This person already has an open request.")})
    return ErasureRequest.objects.create(
        reference=_next_request_reference(),
        person=person,
        person_reference=person.reference,
        ground=ground,
        ground_detail=ground_detail.strip()[:300],
        requested_by=requested_by,
        requested_on=requested_on,
        recorded_by=user,
    )


@transaction.atomic
def refuse_request(*, user, request: ErasureRequest, reason: str) -> ErasureRequest:
    require_dpo(user)
    if not request.is_open:
        raise ValidationError(_("This request was already decided."))
    request.state = RequestState.REFUSED
    request.refusal_reason = _reason(reason)
    request.decided_by = user
    request.decided_at = timezone.now()
    with acting_as(_as(user)):
        request.save()
    return request


def pseudonym_for(person: Person) -> str:
    """The person's pseudonym, made once (random, so it reveals nothing) and kept."""
    existing = Pseudonym.objects.filter(person=person).first()
    if existing is not None:
        return existing.label
    while True:
        label = f"Pseudonym {secrets.token_hex(4).upper()}"
        if not Pseudonym.objects.filter(label=label).exists():
            return Pseudonym.objects.create(person=person, label=label).label


@transaction.atomic
def carry_out_request(
    *, user, request: ErasureRequest, method: str, confirm_reference: str
) -> ErasureRequest:
    """Erase or pseudonymise the request's person, unless a legal hold applies.

    The DPO confirms by typing the person's reference. Erasure leaves a person row with the
    reference only (the tombstone, with this request); pseudonymisation keeps the records
    that figures are made from, with names replaced by a stable pseudonym."""
    require_dpo(user)
    if not request.is_open:
        raise ValidationError(_("This request was already decided."))
    if method not in Method.values:
        raise ValidationError({"method": _("Choose erasure or pseudonymisation.")})
    if (confirm_reference or "").strip() != request.person_reference:
        raise ValidationError({"confirm_reference": _("Type the person's reference to confirm.")})
    with acting_as(_as(user)):
        return _carry_out(request, method=method, user=user)


def _carry_out(request: ErasureRequest, *, method: str, user) -> ErasureRequest:
    person = Person.objects.select_for_update().get(pk=request.person_id)
    holds = legal_holds(person)
    if holds:
        raise ValidationError({"person": holds})
    erase = method == Method.ERASE
    ids = selectors.subject_ids(person)
    pseudonym = None if erase else pseudonym_for(person)
    tally = scrub.Tally()
    scrub.scrub_testimonies(ids, erase=erase, pseudonym=pseudonym, tally=tally)
    scrub.scrub_cases(ids, erase=erase, tally=tally)
    scrub.scrub_notices(ids, tally=tally)
    scrub.scrub_enquiries(ids, erase=erase, pseudonym=pseudonym, tally=tally)
    scrub.scrub_person_links(ids, erase=erase, tally=tally)
    for record_ in Person.objects.filter(pk__in=ids).order_by("-pk"):
        scrub.scrub_person(
            record_,
            erase=erase,
            pseudonym=pseudonym if record_.pk == person.pk else None,
            tally=tally,
        )
    request.method = method
    request.state = RequestState.DONE
    request.decided_by = user
    request.decided_at = timezone.now()
    request.summary = dict(sorted(tally.items()))
    request.save()
    record(
        Action.DELETE if erase else Action.CHANGE,
        object_type="people.person",
        object_id=person.pk,
        detail={
            "privacy": "erasure" if erase else "pseudonymisation",
            "request": request.reference,
            "ground": request.ground,
            "records": len(ids),
            "changed": request.summary,
        },
    )
    return request


# -- retention -----------------------------------------------------------------------------


def ensure_default_rules() -> list[RetentionRule]:
    for record_type, days in DEFAULT_PERIODS.items():
        RetentionRule.objects.get_or_create(record_type=record_type, defaults={"period_days": days})
    return list(selectors.retention_rules())


@transaction.atomic
def update_retention_rule(
    *, user, rule: RetentionRule, period_days: int, enabled: bool
) -> RetentionRule:
    require_retention_editor(user)
    if not 1 <= period_days <= 36600:
        raise ValidationError({"period_days": _("Give a period between 1 day and 100 years.")})
    rule.period_days = period_days
    rule.enabled = enabled
    rule.updated_by = user
    with acting_as(_as(user)):
        rule.save()
    return rule


@dataclass
class RetentionResult:
    record_type: str
    action: str
    period_days: int
    cutoff: dt.datetime
    acted_on: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.acted_on)


def _marked(record_type: str) -> models.QuerySet:
    return RetentionMark.objects.filter(record_type=record_type).values("object_id")


def _closed_enquiries(rule: RetentionRule, result: RetentionResult, dry_run: bool) -> None:
    due = (
        Enquiry.objects.filter(status=EnquiryStatus.CLOSED, closed_at__lt=result.cutoff)
        .exclude(pk__in=_marked(rule.record_type))
        .order_by("pk")
    )
    for enquiry in due:
        result.acted_on.append(enquiry.reference)
        if not dry_run:
            scrub.pseudonymise_enquiry(enquiry, tally=scrub.Tally())
            RetentionMark.objects.create(record_type=rule.record_type, object_id=enquiry.pk)


def _closed_cases(rule: RetentionRule, result: RetentionResult, dry_run: bool) -> None:
    due = (
        Case.objects.filter(closed_on__lt=result.cutoff.date())
        .exclude(pk__in=_marked(rule.record_type))
        .order_by("pk")
    )
    for case in due:
        result.acted_on.append(case.reference)
        if not dry_run:
            scrub.pseudonymise_case(case, tally=scrub.Tally())
            RetentionMark.objects.create(record_type=rule.record_type, object_id=case.pk)


def inactive_persons(cutoff: dt.datetime) -> models.QuerySet[Person]:
    """Persons with nothing open and nothing recorded since `cutoff`, who gave no testimony
    and are named in none (testimonies are evidence: a DPO decides on them one by one)."""
    recent_enquiries = Enquiry.objects.filter(
        models.Q(closed_at__gte=cutoff) | ~models.Q(status=EnquiryStatus.CLOSED)
    )
    return (
        Person.objects.filter(
            merged_into__isnull=True, updated_at__lt=cutoff, created_at__lt=cutoff
        )
        .exclude(pk__in=ErasureRequest.objects.filter(state=RequestState.DONE).values("person"))
        .exclude(pk__in=ErasureRequest.objects.filter(state=RequestState.OPEN).values("person"))
        .exclude(
            pk__in=Case.objects.filter(
                models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=cutoff.date())
            ).values("person")
        )
        .exclude(pk__in=recent_enquiries.values("enquirer"))
        .exclude(
            pk__in=recent_enquiries.filter(sought_person__isnull=False).values("sought_person")
        )
        .exclude(pk__in=Consent.objects.filter(recorded_at__gte=cutoff).values("person"))
        .exclude(pk__in=Testimony.objects.values("witness"))
        .exclude(pk__in=Participant.objects.filter(person__isnull=False).values("person"))
        .order_by("pk")
    )


def _inactive_persons(rule: RetentionRule, result: RetentionResult, dry_run: bool) -> None:
    for person in inactive_persons(result.cutoff):
        if legal_holds(person):  # records merged into this one may still be open
            result.skipped.append(person.reference)
            continue
        result.acted_on.append(person.reference)
        if not dry_run:
            request = _new_request(
                user=None,
                person=person,
                ground=LegalGround.RETENTION,
                requested_by=Requester.RETENTION,
                requested_on=timezone.localdate(),
                ground_detail=f"no activity for {rule.period_days} days",
            )
            _carry_out(request, method=Method.PSEUDONYMISE, user=None)


def _login_records(rule: RetentionRule, result: RetentionResult, dry_run: bool) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        due = model.objects.filter(attempt_time__lt=result.cutoff)
        result.acted_on += [
            f"{model._meta.label_lower}:{pk}" for pk in due.values_list("pk", flat=True)
        ]
        if not dry_run:
            due.delete()


APPLIERS = {
    RecordType.CLOSED_ENQUIRY: _closed_enquiries,
    RecordType.CLOSED_CASE: _closed_cases,
    RecordType.INACTIVE_PERSON: _inactive_persons,
    RecordType.LOGIN_RECORDS: _login_records,
}


def apply_retention(
    *, now: dt.datetime | None = None, dry_run: bool = False, actor: Actor | None = None
) -> list[RetentionResult]:
    """Apply every enabled rule. Each rule runs in its own transaction and leaves marks, so
    an interrupted run continues where it stopped and a second run changes nothing."""
    now = now or timezone.now()
    results = []
    for rule in ensure_default_rules():
        if not rule.enabled:
            continue
        result = RetentionResult(
            record_type=rule.record_type,
            action=rule.action,
            period_days=rule.period_days,
            cutoff=now - dt.timedelta(days=rule.period_days),
        )
        with transaction.atomic():
            APPLIERS[rule.record_type](rule, result, dry_run)
            if result.acted_on and not dry_run:
                record(
                    Action.SYSTEM,
                    object_type="privacy.retentionrule",
                    object_id=rule.pk,
                    detail={
                        "retention": rule.record_type,
                        "action": rule.action,
                        "period_days": rule.period_days,
                        "count": result.count,
                    },
                    actor=actor,
                )
        results.append(result)
    return results


def describe(result: RetentionResult) -> str:
    verb = "pseudonymised" if result.action == RetentionAction.PSEUDONYMISE else "deleted"
    line = (
        f"{result.record_type}: {verb} {result.count} "
        f"(older than {result.period_days} days, before {result.cutoff:%Y-%m-%d})"
    )
    if result.skipped:
        line += f"; held back {len(result.skipped)}: {', '.join(result.skipped)}"
    return line


def overview(person: Person) -> dict[str, Any]:
    """What the data page shows: counts per record type, holds, requests; no values."""
    held = selectors.holdings_of(person)
    return {
        "person": person,
        "records": held.ids,
        "counts": held.counts(),
        "holds": legal_holds(person),
        "requests": list(selectors.requests_for(person)),
        "done": selectors.is_pseudonymised_or_erased(person),
    }
