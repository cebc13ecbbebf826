"""The mechanics of erasing and pseudonymising, record type by record type.

Called only by `services` (which decides whether a person or record may be erased, and
audits the act) inside its transaction. Every change goes through the ORM, so audited
models write their usual change and delete entries (field names, never values). Files are
removed from storage only once the transaction commits, so a failed erasure loses nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.core.files.storage import Storage
from django.db import models, transaction

from kinlink.audit.sensitive import reveal
from kinlink.cases.models import Case, Document, Referral, StageMove, Task
from kinlink.people.models import (
    Consent,
    NameKind,
    Person,
    PersonMerge,
    PersonName,
    PersonVersion,
    Relationship,
)
from kinlink.testimony.models import (
    Attachment,
    Event,
    EvidenceExport,
    NamingConsent,
    Participant,
    SearchTerm,
    Testimony,
    TestimonyConsent,
)
from kinlink.tracing.models import (
    Candidate,
    CandidateDecision,
    Enquiry,
    EnquiryKey,
    FamilyMessage,
    PersonKey,
    StatusChange,
    TracingNotice,
)

ERASED_LABEL = "[erased]"


class Tally(Counter):
    """How many rows of each kind were changed or deleted: the only thing kept about it."""

    def bump(self, what: str, n: int = 1) -> None:
        if n:
            self[what] += n


def delete_file_on_commit(storage: Storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def year_band(year: int | None) -> int | None:
    """The middle of the five-year band a year falls in (1967 -> 1967 in 1965-1969)."""
    return None if year is None else year - year % 5 + 2


def _save(row: models.Model, tally: Tally, what: str, **values) -> None:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed:
        row.save()
        tally.bump(what)


def _delete(queryset: models.QuerySet, tally: Tally, what: str) -> None:
    n = queryset.count()
    if n:
        queryset.delete()
        tally.bump(what, n)


# -- people ----------------------------------------------------------------------------------


def scrub_person(person: Person, *, erase: bool, pseudonym: str | None, tally: Tally) -> None:
    """Names replaced by the pseudonym (or gone), sealed fields blanked, the birth year kept as
    a five-year band when pseudonymising; on erasure only the reference stays."""
    _delete(PersonName.objects.filter(person=person), tally, "people.personname")
    _delete(PersonVersion.objects.filter(person=person), tally, "people.personversion")
    _delete(PersonKey.objects.filter(person=person), tally, "tracing.personkey")
    common = {
        "contact": None,
        "last_known_location": None,
        "birth_place": "",
        "birth_date": None,
        "birth_month": None,
        "birth_entered": "",
        "birth_calendar": "gregorian",
        "languages": "",
    }
    if erase:
        values = common | {
            "gender": "",
            "birth_year": None,
            "birth_year_end": None,
            "birth_year_margin": 0,
            "nationality": "",
            "status": "unknown",
        }
    else:
        band = year_band(person.birth_year)
        values = common | {
            "birth_year": band,
            "birth_year_end": None,
            "birth_year_margin": 2 if band is not None else 0,
        }
    _save(person, tally, "people.person", **values)
    if pseudonym and person.merged_into_id is None:
        PersonName.objects.create(
            person=person, kind=NameKind.LEGAL, given_name=pseudonym, script="Latn"
        )


def scrub_person_links(ids: list[int], *, erase: bool, tally: Tally) -> None:
    """Relationships, consents and merge records: free text blanked; relationships erased."""
    relationships = Relationship.objects.filter(
        models.Q(person_id__in=ids) | models.Q(relative_id__in=ids)
    )
    if erase:
        _delete(relationships, tally, "people.relationship")
    else:
        for rel in relationships:
            _save(rel, tally, "people.relationship", note="")
    consents = Consent.objects.filter(models.Q(person_id__in=ids) | models.Q(recipient_id__in=ids))
    values = person_values(ids)
    for consent in consents:
        coverage = ERASED_LABEL if spells_any(consent.coverage, values) else consent.coverage
        _save(consent, tally, "people.consent", note="", withdrawal_reason="", coverage=coverage)
    merges = PersonMerge.objects.filter(models.Q(survivor_id__in=ids) | models.Q(merged_id__in=ids))
    for merge in merges:
        # `moved` holds old field values (birth place, sealed ciphertext) for an undo.
        _save(merge, tally, "people.personmerge", reason=ERASED_LABEL, moved={})
    for consent in NamingConsent.objects.filter(person_id__in=ids):
        _save(consent, tally, "testimony.namingconsent", note="")


def person_values(ids: list[int]) -> list[str]:
    """What would identify these records in free text: every part of every name, the birth
    place, the contact and the location (read through `reveal`, so the check is audited)."""
    values: set[str] = set()
    for name in PersonName.objects.filter(person_id__in=ids):
        values.update((name.given_name, name.family_name, name.father_name, name.mother_name))
    for person in Person.objects.filter(pk__in=ids):
        values.add(person.birth_place)
        for field in ("contact", "last_known_location"):
            values.add(reveal(person, field, reason="erasure: free text checked") or "")
    return sorted(v.strip() for v in values if len(v.strip()) >= 2)


def spells_any(text: str, values: Iterable[str]) -> bool:
    folded = (text or "").casefold()
    return bool(folded) and any(value.casefold() in folded for value in values)


# -- tracing ---------------------------------------------------------------------------------


def scrub_notices(ids: list[int], *, tally: Tally) -> None:
    """Public tracing notices the person asked for, or that look for them, are deleted with
    their photo (a sealed column of the row, kept nowhere else), so no address of one can
    answer again, even if its enquiry were reopened."""
    notices = TracingNotice.objects.filter(
        models.Q(enquirer_id__in=ids)
        | models.Q(enquiry__enquirer_id__in=ids)
        | models.Q(enquiry__sought_person_id__in=ids)
    )
    for notice in notices.order_by("pk"):
        notice.delete()
        tally.bump("tracing.tracingnotice")


def _scrub_enquiry_texts(enquiry: Enquiry, *, delete_messages: bool, tally: Tally) -> None:
    messages = FamilyMessage.objects.filter(enquiry=enquiry)
    if delete_messages:
        for message in messages.order_by("-id"):  # replies before what they answer
            message.delete()
            tally.bump("tracing.familymessage")
    else:
        for message in messages:
            _save(message, tally, "tracing.familymessage", text="", review_note="")
    for change in StatusChange.objects.filter(enquiry=enquiry).exclude(note=""):
        _save(change, tally, "tracing.statuschange", note="")
    for candidate in Candidate.objects.filter(enquiry=enquiry):
        # Explanations and evidence quote the sought names.
        _save(
            candidate,
            tally,
            "tracing.candidate",
            explanation="",
            evidence=[],
            decision_reason="",
        )
    for decision in CandidateDecision.objects.filter(candidate__enquiry=enquiry):
        _save(decision, tally, "tracing.candidatedecision", reason="")
    _delete(EnquiryKey.objects.filter(enquiry=enquiry), tally, "tracing.enquirykey")


def scrub_enquiry_sought(enquiry: Enquiry, *, label: str, keep_band: bool, tally: Tally) -> None:
    """The sought person as the family described them: names and places gone, the birth year
    kept as a five-year band when `keep_band`."""
    band = year_band(enquiry.sought_birth_year) if keep_band else None
    _save(
        enquiry,
        tally,
        "tracing.enquiry",
        sought_given_name=label,
        sought_family_name="",
        sought_father_name="",
        sought_mother_name="",
        sought_other_names="",
        sought_birth_place="",
        sought_birth_entered="",
        sought_birth_year=band,
        sought_birth_year_end=None,
        sought_birth_margin=2 if band is not None else 0,
        last_news_when="",
        last_news_where="",
        last_news_circumstances="",
    )


def pseudonymise_enquiry(enquiry: Enquiry, *, tally: Tally) -> None:
    """What retention does to a closed enquiry: status, outcome, dates, relationship kind,
    gender and birth-year band stay for the figures; every name, place, contact and
    message goes."""
    scrub_enquiry_sought(enquiry, label="", keep_band=True, tally=tally)
    _save(enquiry, tally, "tracing.enquiry", enquirer_contact=None, relationship_detail="")
    for notice in TracingNotice.objects.filter(enquiry=enquiry):
        notice.delete()
        tally.bump("tracing.tracingnotice")
    _scrub_enquiry_texts(enquiry, delete_messages=False, tally=tally)


def scrub_enquiries(ids: list[int], *, erase: bool, pseudonym: str | None, tally: Tally) -> None:
    for enquiry in Enquiry.objects.filter(enquirer_id__in=ids).order_by("pk"):
        if erase:
            _delete_enquiry(enquiry, tally)
        else:
            _save(enquiry, tally, "tracing.enquiry", enquirer_contact=None, relationship_detail="")
            _scrub_enquiry_texts(enquiry, delete_messages=False, tally=tally)
    for enquiry in Enquiry.objects.filter(sought_person_id__in=ids).order_by("pk"):
        scrub_enquiry_sought(
            enquiry, label="" if erase else (pseudonym or ""), keep_band=not erase, tally=tally
        )
        _scrub_enquiry_texts(enquiry, delete_messages=erase, tally=tally)
    candidacies = Candidate.objects.filter(person_id__in=ids)
    if erase:
        _delete(candidacies, tally, "tracing.candidate")
    else:
        for candidate in candidacies:
            _save(
                candidate,
                tally,
                "tracing.candidate",
                explanation="",
                evidence=[],
                decision_reason="",
            )
        for decision in CandidateDecision.objects.filter(candidate__person_id__in=ids):
            _save(decision, tally, "tracing.candidatedecision", reason="")


def _delete_enquiry(enquiry: Enquiry, tally: Tally) -> None:
    _scrub_enquiry_texts(enquiry, delete_messages=True, tally=tally)
    enquiry.delete()  # status changes, candidates, notifications go with it
    tally.bump("tracing.enquiry")


# -- cases -----------------------------------------------------------------------------------


def pseudonymise_case(case: Case, *, tally: Tally) -> None:
    """Stages, dates, outcome, document types and expiry dates stay for the figures; document
    numbers and scans, notes and reasons go."""
    for document in Document.objects.filter(case=case):
        delete_file_on_commit(document.scan.storage, document.scan.name)
        _save(
            document,
            tally,
            "cases.document",
            number=None,
            scan="",
            scan_key="",
            scan_sha256="",
            scan_size=None,
            scan_content_type="",
        )
    for task in Task.objects.filter(case=case).exclude(notes=""):
        _save(task, tally, "cases.task", notes="")
    for task in Task.objects.filter(case=case, kind="free"):
        _save(task, tally, "cases.task", title=ERASED_LABEL)
    for referral in Referral.objects.filter(case=case).exclude(notes=""):
        _save(referral, tally, "cases.referral", notes="")
    for move in StageMove.objects.filter(case=case):
        _save(move, tally, "cases.stagemove", reason=ERASED_LABEL)


def scrub_cases(ids: list[int], *, erase: bool, tally: Tally) -> None:
    for case in Case.objects.filter(person_id__in=ids).order_by("pk"):
        if erase:
            for document in Document.objects.filter(case=case):
                delete_file_on_commit(document.scan.storage, document.scan.name)
            for what in (Task, Document, Referral, StageMove):
                _delete(what.objects.filter(case=case), tally, what._meta.label_lower)
            case.delete()
            tally.bump("cases.case")
        else:
            pseudonymise_case(case, tally=tally)


# -- testimony -------------------------------------------------------------------------------


def affected_testimonies(ids: list[int]) -> list[Testimony]:
    """Testimonies told by the person or naming them as a victim or perpetrator."""
    return list(
        Testimony.objects.filter(
            models.Q(witness_id__in=ids) | models.Q(events__participants__person_id__in=ids)
        )
        .distinct()
        .order_by("pk")
    )


def scrub_evidence_exports(references: Iterable[str], tally: Tally) -> None:
    """Stored bundles holding these testimonies lose their file; the row keeps the reference,
    digests and counts, so a recipient can still check the copy they were given."""
    wanted = set(references)
    for export in EvidenceExport.objects.all().order_by("pk"):
        listed = (export.items or {}).get("testimonies", [])
        if not any(item.get("reference") in wanted for item in listed):
            continue
        delete_file_on_commit(export.file.storage, export.file.name)
        _save(
            export,
            tally,
            "testimony.evidenceexport",
            file="",
            items={"testimonies": [{"reference": i.get("reference")} for i in listed]},
        )


def _delete_attachments(testimony: Testimony, tally: Tally) -> None:
    for attachment in Attachment.objects.filter(testimony=testimony):
        delete_file_on_commit(attachment.file.storage, attachment.file.name)
        attachment.delete()
        tally.bump("testimony.attachment")


def scrub_testimonies(ids: list[int], *, erase: bool, pseudonym: str | None, tally: Tally) -> None:
    from kinlink.testimony.services import reindex_testimony

    touched = affected_testimonies(ids)
    scrub_evidence_exports([t.reference for t in touched], tally)
    label = ERASED_LABEL if erase else (pseudonym or ERASED_LABEL)
    for participant in Participant.objects.filter(person_id__in=ids):
        _save(participant, tally, "testimony.participant", person=None, description=label)
    for testimony in touched:
        if testimony.witness_id not in ids:
            reindex_testimony(testimony)  # the names it was indexed under are gone now
            continue
        _delete(SearchTerm.objects.filter(testimony=testimony), tally, "testimony.searchterm")
        _delete_attachments(testimony, tally)
        if erase:
            _delete(
                Participant.objects.filter(event__testimony=testimony),
                tally,
                "testimony.participant",
            )
            _delete(Event.objects.filter(testimony=testimony), tally, "testimony.event")
            _delete(
                TestimonyConsent.objects.filter(testimony=testimony),
                tally,
                "testimony.testimonyconsent",
            )
            testimony.delete()
            tally.bump("testimony.testimony")
            continue
        _save(
            testimony,
            tally,
            "testimony.testimony",
            account=None,
            recorded_place="",
            source_url="",
        )
        for event in Event.objects.filter(testimony=testimony):
            _save(
                event,
                tally,
                "testimony.event",
                passage=None,
                passage_start=None,
                passage_end=None,
                place_detail="",
            )
        for consent in TestimonyConsent.objects.filter(testimony=testimony).exclude(note=""):
            _save(consent, tally, "testimony.testimonyconsent", note="")
