"""Every write about testimonies and every rule: who may record, read, consent and export.

Services take typed keyword arguments and a `user`, so the web pages, the API, the CLI and
the tests share one rule. Access is checked through `selectors`; a record outside the user's
reach raises PermissionDenied (pages and endpoints answer 404 before getting here).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import re
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kinlink.audit import crypto
from kinlink.audit.models import Action
from kinlink.audit.sensitive import Sealed, reveal
from kinlink.audit.services import record
from kinlink.names import detect_script, normalize, skeleton
from kinlink.people.models import ConsentMethod, Person
from kinlink.people.selectors import persons_visible_to

from . import filecrypt, search, selectors
from .models import (
    NAMING_PURPOSES,
    AccountVersion,
    Attachment,
    AttachmentKind,
    DatePrecision,
    Event,
    EventType,
    EventVersion,
    MentionedPerson,
    NamingConsent,
    Participant,
    ParticipantRole,
    Place,
    PlaceAlias,
    PlaceKind,
    SearchTerm,
    SourceKind,
    Testimony,
    TestimonyConsent,
    Use,
)

CHUNK = 1 << 20


class AttachmentIntegrityError(Exception):
    """The file on disk is not the file that was uploaded."""

    def __init__(self, attachment: Attachment, problem: str):
        super().__init__(f"attachment {attachment.pk} ({attachment.original_name}): {problem}")
        self.attachment = attachment
        self.problem = problem


# -- access --------------------------------------------------------------------------------


def _require_recorder(user) -> None:
    if not selectors.may_record_testimonies(user):
        raise PermissionDenied(_("Only caseworkers and supervisors record testimonies."))


def _require_visible(user, testimony: Testimony) -> None:
    if not selectors.can_view_testimony(user, testimony):
        raise PermissionDenied(_("This testimony is not in your caseload."))


def _require_person_visible(user, person: Person) -> None:
    if not persons_visible_to(user).filter(pk=person.pk).exists():
        raise PermissionDenied(_("This person is not in your caseload."))


def _require_person_in_reach(user, person: Person) -> None:
    """A person is in reach when visible, or part of a testimony the user may see."""
    in_testimony = selectors.testimonies_visible_to(user).filter(witness=person).exists()
    in_event = selectors.events_visible_to(user).filter(participants__person=person).exists()
    if not (in_testimony or in_event):
        _require_person_visible(user, person)


def _next_reference(prefix: str, model) -> str:
    last = model.objects.aggregate(top=Max("id"))["top"] or 0
    return f"{prefix}-{last + 1:06d}"


# -- testimonies ----------------------------------------------------------------------------


@transaction.atomic
def record_testimony(
    *,
    user,
    witness: Person,
    recorded_on: dt.date,
    account: str,
    language: str = "",
    recorded_place: str = "",
    interviewer=None,
    source_kind: str = SourceKind.INTERVIEW,
    source_url: str = "",
    source_captured_on: dt.date | None = None,
    uses: Iterable[str] = (),
    consent_given_on: dt.date | None = None,
    consent_method: str = ConsentMethod.IN_PERSON,
) -> Testimony:
    """Record what a witness said, with the uses they consented to at the time."""
    _require_recorder(user)
    _require_person_visible(user, witness)
    _check_testimony_fields(account, recorded_on, source_kind, source_url, source_captured_on)
    testimony = Testimony.objects.create(
        reference=_next_reference("T", Testimony),
        witness=witness,
        recorded_on=recorded_on,
        recorded_place=recorded_place.strip(),
        interviewer=interviewer or user,
        language=language,
        account=account,
        source_kind=source_kind,
        source_url=source_url if source_kind == SourceKind.PUBLICATION else "",
        source_captured_on=source_captured_on if source_kind == SourceKind.PUBLICATION else None,
        caseworker=user,
        team=user.team,
    )
    AccountVersion.objects.create(testimony=testimony, number=1, account=account, recorded_by=user)
    for use in dict.fromkeys(uses):
        _add_use_record(
            testimony,
            use=use,
            granted=True,
            given_on=consent_given_on or recorded_on,
            method=consent_method,
            by=user,
        )
    _index(testimony, search.text_terms(account) | _people_terms([witness]))
    return testimony


def _check_testimony_fields(
    account: str,
    recorded_on: dt.date,
    source_kind: str,
    source_url: str,
    captured_on: dt.date | None,
) -> None:
    errors: dict[str, str] = {}
    if not account.strip():
        errors["account"] = _("The account is empty.")
    if recorded_on > timezone.localdate():
        errors["recorded_on"] = _("The date recorded is in the future.")
    if source_kind not in SourceKind.values:
        errors["source_kind"] = _("Unknown source.")
    if source_kind == SourceKind.PUBLICATION and not source_url:
        errors["source_url"] = _("A published source needs its address.")
    if source_kind == SourceKind.PUBLICATION and captured_on is None:
        errors["source_captured_on"] = _("A published source needs the date it was captured.")
    if errors:
        raise ValidationError(errors)


def reveal_account(*, user, testimony: Testimony, reason: str) -> str:
    """A staff member reads an account; the read is audited with the reason."""
    _require_visible(user, testimony)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you need to read the account.")})
    return reveal(testimony, "account", reason=reason.strip()) or ""


# -- consent -------------------------------------------------------------------------------


def _add_use_record(testimony: Testimony, **fields) -> TestimonyConsent:
    if fields["use"] not in Use.values:
        raise ValidationError({"use": _("Unknown use.")})
    if fields["method"] not in ConsentMethod.values:
        raise ValidationError({"method": _("Say how the consent was obtained.")})
    by = fields.pop("by")
    return TestimonyConsent.objects.create(testimony=testimony, recorded_by=by, **fields)


@transaction.atomic
def record_use_consent(
    *,
    user,
    testimony: Testimony,
    use: str,
    granted: bool,
    given_on: dt.date,
    method: str,
    note: str = "",
) -> TestimonyConsent:
    """A new record of the witness's decision about one use; the newest one is in force.
    A withdrawal (`granted=False`) binds every later export."""
    _require_visible(user, testimony)
    return _add_use_record(
        testimony,
        use=use,
        granted=granted,
        given_on=given_on,
        method=method,
        note=note,
        by=user,
    )


@transaction.atomic
def record_naming_consent(
    *,
    user,
    person: Person,
    purpose: str,
    granted: bool,
    given_on: dt.date,
    method: str,
    note: str = "",
) -> NamingConsent:
    """A person agrees (or no longer agrees) to appear by name in bundles for `purpose`."""
    _require_person_in_reach(user, person)
    if purpose not in NAMING_PURPOSES:
        raise ValidationError({"purpose": _("Nobody is named in bundles for this purpose.")})
    if method not in ConsentMethod.values:
        raise ValidationError({"method": _("Say how the consent was obtained.")})
    return NamingConsent.objects.create(
        person=person,
        purpose=purpose,
        granted=granted,
        given_on=given_on,
        method=method,
        note=note,
        recorded_by=user,
    )


# -- events --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantInput:
    role: str
    person: Person | None = None
    description: str = ""


def period_of(day: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """The first and last day a date of this precision may mean."""
    if precision == DatePrecision.DAY:
        return day, day
    if precision == DatePrecision.MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    if precision == DatePrecision.YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if precision == DatePrecision.ABOUT:
        return dt.date(day.year - 1, 1, 1), dt.date(day.year + 1, 12, 31)
    raise ValidationError({"precision": _("Unknown date precision.")})


def _event_period(
    start: dt.date | None, start_precision: str, end: dt.date | None, end_precision: str
) -> tuple[dt.date | None, dt.date | None]:
    if start is None:
        if end is not None:
            raise ValidationError({"start": _("An event with an end needs a start.")})
        return None, None
    earliest, latest = period_of(start, start_precision)
    if end is not None:
        _end_first, latest = period_of(end, end_precision)
        if latest < earliest:
            raise ValidationError({"end": _("The event ends before it starts.")})
    return earliest, latest


def _locate_passage(
    account: str, quote: str, start: int | None, end: int | None
) -> tuple[str, int | None, int | None]:
    """The passage as (text, start, end), from a quote or from offsets into the account."""
    if quote.strip():
        position = account.find(quote.strip())
        if position < 0:
            raise ValidationError({"passage": _("This passage is not in the account.")})
        return quote.strip(), position, position + len(quote.strip())
    if start is not None and end is not None:
        if not 0 <= start < end <= len(account):
            raise ValidationError({"passage": _("The passage lies outside the account.")})
        return account[start:end], start, end
    return "", None, None


@transaction.atomic
def add_event(
    *,
    user,
    testimony: Testimony,
    event_type: EventType,
    place: Place | None = None,
    place_detail: str = "",
    start: dt.date | None = None,
    start_precision: str = DatePrecision.DAY,
    end: dt.date | None = None,
    end_precision: str = DatePrecision.DAY,
    participants: Sequence[ParticipantInput] = (),
    passage: str = "",
    passage_start: int | None = None,
    passage_end: int | None = None,
) -> Event:
    """Add one thing that happened, as this testimony tells it."""
    _require_recorder(user)
    _require_visible(user, testimony)
    earliest, latest = _event_period(start, start_precision, end, end_precision)
    quote, p_start, p_end = "", None, None
    if passage.strip() or passage_start is not None:
        account = reveal(testimony, "account", reason="anchoring the passage of an event") or ""
        quote, p_start, p_end = _locate_passage(account, passage, passage_start, passage_end)
    for participant in participants:
        _check_participant(user, participant)
    event = Event.objects.create(
        testimony=testimony,
        event_type=event_type,
        place=place,
        place_detail=place_detail.strip(),
        start=_truncate(start, start_precision),
        start_precision=start_precision,
        end=_truncate(end, end_precision),
        end_precision=end_precision,
        earliest=earliest,
        latest=latest,
        passage=quote or None,
        passage_start=p_start,
        passage_end=p_end,
        created_by=user,
    )
    for participant in participants:
        Participant.objects.create(
            event=event,
            role=participant.role,
            person=participant.person,
            description=participant.description.strip(),
        )
    EventVersion.objects.create(
        event=event, number=1, snapshot=_event_snapshot(event, quote), recorded_by=user
    )
    _index(testimony, _event_terms(event, participants))
    return event


def _event_snapshot(event: Event, passage: str) -> str:
    """The event as JSON: what a version keeps (sealed, as it holds the passage)."""

    def day(value: dt.date | None) -> str:
        return value.isoformat() if value else ""

    participants = [
        {"role": p.role, "person": p.person_id, "description": p.description}
        for p in event.participants.order_by("id")
    ]
    return json.dumps(
        {
            "type": event.event_type.code,
            "place": event.place.name if event.place else "",
            "place_id": event.place_id,
            "place_detail": event.place_detail,
            "start": day(event.start),
            "start_precision": event.start_precision,
            "end": day(event.end),
            "end_precision": event.end_precision,
            "participants": participants,
            "passage": passage,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


# -- corrections: every change is a new version, the original is never overwritten ----------


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this is corrected.")})
    return reason.strip()[:500]


def _ensure_first_account_version(testimony: Testimony) -> None:
    # Testimonies recorded before versions existed: their current account is version 1
    # (the sealed value is copied as it is, without decrypting it).
    if not testimony.versions.exists():
        AccountVersion.objects.create(
            testimony=testimony,
            number=testimony.account_version,
            account=testimony.account,
            recorded_by=testimony.caseworker,
        )


@transaction.atomic
def correct_account(*, user, testimony: Testimony, account: str, reason: str) -> AccountVersion:
    """Correct an account: the new text becomes a new version, in force from now; every
    earlier version stays readable in the history. Passages of events are found again in
    the new text (their own text does not change)."""
    _require_recorder(user)
    _require_visible(user, testimony)
    why = _require_reason(reason)
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if not account.strip():
        raise ValidationError({"account": _("The account is empty.")})
    current = reveal(testimony, "account", reason=f"correcting the account: {why}") or ""
    if account == current:
        raise ValidationError({"account": _("The account is unchanged.")})
    _ensure_first_account_version(testimony)
    number = testimony.account_version + 1
    version = AccountVersion.objects.create(
        testimony=testimony, number=number, account=account, reason=why, recorded_by=user
    )
    testimony.account = account
    testimony.account_version = number
    testimony.save()
    for event in testimony.events.exclude(passage=None):
        passage = reveal(event, "passage", reason="anchoring a passage in a corrected account")
        position = account.find(passage or "\0")
        Event.objects.filter(pk=event.pk).update(
            passage_start=position if position >= 0 else None,
            passage_end=position + len(passage or "") if position >= 0 else None,
        )
    reindex_testimony(testimony)
    return version


@transaction.atomic
def correct_event(
    *,
    user,
    event: Event,
    reason: str,
    event_type: EventType,
    place: Place | None = None,
    place_detail: str = "",
    start: dt.date | None = None,
    start_precision: str = DatePrecision.DAY,
    end: dt.date | None = None,
    end_precision: str = DatePrecision.DAY,
    participants: Sequence[ParticipantInput] = (),
    passage: str | None = None,
) -> EventVersion:
    """Correct an event with its whole new state; it becomes a new version and every
    earlier version stays in the history. `passage=None` keeps the passage as it is."""
    _require_recorder(user)
    _require_visible(user, event.testimony)
    why = _require_reason(reason)
    event = Event.objects.select_for_update().select_related("testimony").get(pk=event.pk)
    testimony = event.testimony
    earliest, latest = _event_period(start, start_precision, end, end_precision)
    old = reveal(event, "passage", reason=f"correcting the event: {why}") or ""
    quote, p_start, p_end = old, event.passage_start, event.passage_end
    if passage is not None:
        quote, p_start, p_end = "", None, None
    if passage is not None and passage.strip():
        account = reveal(testimony, "account", reason="anchoring the passage of an event") or ""
        quote, p_start, p_end = _locate_passage(account, passage, None, None)
    for participant in participants:
        _check_participant(user, participant)
    if not event.versions.exists():
        EventVersion.objects.create(
            event=event,
            number=event.version,
            snapshot=_event_snapshot(event, old),
            recorded_by=event.created_by,
        )
    event.event_type = event_type
    event.place = place
    event.place_detail = place_detail.strip()
    event.start = _truncate(start, start_precision)
    event.start_precision = start_precision
    event.end = _truncate(end, end_precision)
    event.end_precision = end_precision
    event.earliest, event.latest = earliest, latest
    event.passage = quote or None
    event.passage_start, event.passage_end = p_start, p_end
    event.version += 1
    event.save()
    event.participants.all().delete()
    for participant in participants:
        Participant.objects.create(
            event=event,
            role=participant.role,
            person=participant.person,
            description=participant.description.strip(),
        )
    version = EventVersion.objects.create(
        event=event,
        number=event.version,
        snapshot=_event_snapshot(event, quote),
        reason=why,
        recorded_by=user,
    )
    reindex_testimony(testimony)
    return version


def forget_versions_of_erased(sender, instance, **kwargs) -> None:
    """When an account is erased (privacy/ sets it to nothing on erasure or
    pseudonymisation; no correction can empty it), its earlier versions go too, with the
    names it mentions and the passages kept in its events' versions: a version must not
    keep what was erased."""
    if instance.account is not None:
        return
    AccountVersion.objects.filter(testimony=instance).delete()
    MentionedPerson.objects.filter(testimony=instance).delete()
    for version in EventVersion.objects.filter(event__testimony=instance):
        snapshot = json.loads(crypto.decrypt(version.snapshot.token))
        if snapshot.get("passage"):
            EventVersion.objects.filter(pk=version.pk).update(
                snapshot=Sealed(crypto.encrypt(json.dumps({**snapshot, "passage": ""})))
            )


@dataclass(frozen=True)
class VersionText:
    number: int
    recorded_at: dt.datetime
    recorded_by: str
    reason: str
    text: str


@dataclass(frozen=True)
class EventHistory:
    event: Event
    versions: list[VersionText]  # text: the snapshot as JSON


def reveal_history(*, user, testimony: Testimony, reason: str) -> tuple[list, list]:
    """Every version of the account and of each event, newest first, for a user who may
    see the testimony; each version read is audited with the reason."""
    _require_visible(user, testimony)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you need to read the history.")})
    why = f"reading the history: {reason.strip()}"

    def who(row) -> str:
        return row.recorded_by.display_name if row.recorded_by else ""

    accounts = [
        VersionText(v.number, v.recorded_at, who(v), v.reason, reveal(v, "account", reason=why))
        for v in selectors.account_versions(testimony)
    ]
    if not accounts:  # recorded before versions were kept, never corrected
        text = reveal(testimony, "account", reason=why) or ""
        by = testimony.caseworker.display_name if testimony.caseworker else ""
        accounts = [VersionText(testimony.account_version, testimony.created_at, by, "", text)]
    events = [
        EventHistory(
            event,
            [
                VersionText(
                    v.number, v.recorded_at, who(v), v.reason, reveal(v, "snapshot", reason=why)
                )
                for v in event.versions.select_related("recorded_by").order_by("-number")
            ],
        )
        for event in testimony.events.select_related("event_type").order_by("id")
    ]
    return accounts, events


# -- people mentioned but not linked -------------------------------------------------------


@transaction.atomic
def add_mentioned_person(*, user, testimony: Testimony, names: Iterable[str]) -> MentionedPerson:
    """Someone the account names who is not linked as a person: every bundle redacts their
    names and aliases (any script)."""
    _require_recorder(user)
    _require_visible(user, testimony)
    cleaned = list(dict.fromkeys(n.strip() for n in names if normalize(n)))
    if not cleaned:
        raise ValidationError({"names": _("Give at least one name.")})
    return MentionedPerson.objects.create(
        testimony=testimony, names="\n".join(cleaned), added_by=user
    )


def _truncate(day: dt.date | None, precision: str) -> dt.date | None:
    if day is None:
        return None
    if precision == DatePrecision.MONTH:
        return day.replace(day=1)
    if precision in (DatePrecision.YEAR, DatePrecision.ABOUT):
        return dt.date(day.year, 1, 1)
    return day


def _check_participant(user, participant: ParticipantInput) -> None:
    if participant.role not in ParticipantRole.values:
        raise ValidationError({"participants": _("Unknown role in an event.")})
    if participant.person is None and not participant.description.strip():
        raise ValidationError({"participants": _("Name a person or describe them.")})
    if participant.person is not None:
        _require_person_visible(user, participant.person)


def _event_terms(event: Event, participants: Sequence[ParticipantInput]) -> set[str]:
    texts = [event.event_type.name, str(event.event_type.label), event.place_detail]
    if event.place is not None:
        texts += [event.place.name, *event.place.aliases.values_list("name", flat=True)]
    texts += [p.description for p in participants]
    terms = set().union(*(search.text_terms(text) for text in texts if text))
    return terms | _people_terms([p.person for p in participants if p.person is not None])


# -- places and vocabulary ----------------------------------------------------------------


def _require_vocabulary_editor(user) -> None:
    if not (selectors.may_record_testimonies(user) or selectors.may_export_evidence(user)):
        raise PermissionDenied(_("Your role does not edit the vocabularies."))


@transaction.atomic
def create_place(
    *,
    user,
    name: str,
    kind: str = PlaceKind.OTHER,
    country: str = "",
    note: str = "",
    aliases: Iterable[str] = (),
) -> Place:
    _require_vocabulary_editor(user)
    if not normalize(name):
        raise ValidationError({"name": _("A place needs a name.")})
    if kind not in PlaceKind.values:
        raise ValidationError({"kind": _("Unknown kind of place.")})
    place = Place.objects.create(name=name.strip(), kind=kind, country=country, note=note)
    for alias in [name, *aliases]:
        add_place_alias(user=user, place=place, name=alias)
    return place


def add_place_alias(*, user, place: Place, name: str) -> PlaceAlias | None:
    """Another name of a place, in any script. Returns None when it is already known."""
    _require_vocabulary_editor(user)
    normalised = normalize(name)
    if not normalised:
        raise ValidationError({"name": _("A place needs a name.")})
    if place.aliases.filter(normalized=normalised).exists():
        return None
    alias = PlaceAlias.objects.create(
        place=place,
        name=name.strip(),
        script=str(detect_script(name)),
        normalized=normalised,
        skeleton=skeleton(name),
    )
    for event in place.events.all():
        _index(event.testimony, search.text_terms(name))
    return alias


def add_event_type(*, user, name: str, code: str = "") -> EventType:
    _require_vocabulary_editor(user)
    code = code or slugify(name).replace("-", "_")
    if not code or not name.strip():
        raise ValidationError({"name": _("An event type needs a name.")})
    if EventType.objects.filter(code=code).exists():
        raise ValidationError({"name": _("This event type exists already.")})
    return EventType.objects.create(code=code, name=name.strip())


def set_event_type_active(*, user, event_type: EventType, active: bool) -> EventType:
    """Types are retired, never deleted: old events keep theirs."""
    _require_vocabulary_editor(user)
    event_type.active = active
    event_type.save(update_fields=["active"])
    return event_type


# -- attachments ---------------------------------------------------------------------------


def _storage_name(original: str) -> str:
    # Files are stored under a random name: the name a user gave may itself identify someone.
    suffix = PurePath(original).suffix.lower()
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
    return f"{uuid.uuid4().hex}{suffix}"


def fingerprint(handle: IO[bytes]) -> tuple[str, int]:
    """SHA-256 and size of everything readable from a file object."""
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


@transaction.atomic
def add_attachment(
    *,
    user,
    testimony: Testimony,
    upload: UploadedFile,
    kind: str,
    description: str = "",
    identifies_people: bool = True,
) -> Attachment:
    """Store a file with its SHA-256 and size, taken from the upload and checked on disk."""
    _require_recorder(user)
    _require_visible(user, testimony)
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Unknown kind of attachment.")})
    upload.seek(0)
    sha256, size = fingerprint(upload)
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    attachment = Attachment(
        testimony=testimony,
        kind=kind,
        original_name=PurePath(upload.name or "file").name[:255],
        content_type=(getattr(upload, "content_type", "") or "")[:100],
        size=size,
        sha256=sha256,
        description=description.strip(),
        identifies_people=identifies_people,
        uploaded_by=user,
        encrypted=True,
    )
    _store_encrypted(attachment, upload)
    attachment.save()
    return attachment


def _store_encrypted(attachment: Attachment, source: IO[bytes]) -> None:
    """Encrypt `source` into the attachment's file and check, by decrypting what was
    stored, that it holds the bytes fingerprinted at upload."""
    with tempfile.TemporaryFile() as sealed:
        if filecrypt.encrypt_stream(source, sealed) != (attachment.sha256, attachment.size):
            raise ValidationError({"file": _("The file changed while it was stored; try again.")})
        sealed.seek(0)
        attachment.file.save(_storage_name(attachment.original_name), File(sealed), save=False)
    try:
        with attachment.file.storage.open(attachment.file.name, "rb") as stored:
            intact = filecrypt.plaintext_fingerprint(stored) == (attachment.sha256, attachment.size)
    except filecrypt.DecryptionError:
        intact = False
    if not intact:
        attachment.file.delete(save=False)
        raise ValidationError({"file": _("The file was not stored intact; try again.")})


def _original_chunks(attachment: Attachment, stored: IO[bytes]):
    """The uploaded bytes of a stored file: decrypted, or as stored for a file kept from
    before encryption at rest."""
    if attachment.encrypted:
        yield from filecrypt.decrypt_stream(stored)
    else:
        while chunk := stored.read(CHUNK):
            yield chunk


def _verified_copy(attachment: Attachment) -> IO[bytes]:
    """A private copy of the stored file, checked against the fingerprint taken at upload.
    Serving the copy means the bytes sent are the bytes checked."""
    copy = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)  # noqa: SIM115
    digest, size = hashlib.sha256(), 0
    try:
        with attachment.file.storage.open(attachment.file.name, "rb") as stored:
            for chunk in _original_chunks(attachment, stored):
                digest.update(chunk)
                size += len(chunk)
                copy.write(chunk)
    except filecrypt.DecryptionError as exc:
        copy.close()
        raise AttachmentIntegrityError(attachment, str(exc)) from exc
    except (OSError, ValueError) as exc:
        copy.close()
        raise AttachmentIntegrityError(attachment, "the file is missing") from exc
    if (digest.hexdigest(), size) != (attachment.sha256, attachment.size):
        copy.close()
        raise AttachmentIntegrityError(
            attachment,
            f"SHA-256 {digest.hexdigest()} and {size} bytes on disk, "
            f"{attachment.sha256} and {attachment.size} bytes at upload",
        )
    copy.seek(0)
    return copy


def check_attachment(attachment: Attachment) -> IO[bytes]:
    """Verify one attachment; a mismatch is audited and raised. The caller closes the copy."""
    try:
        return _verified_copy(attachment)
    except AttachmentIntegrityError as exc:
        record(
            Action.DENIED,
            object_type=attachment._meta.label_lower,
            object_id=attachment.pk,
            field="file",
            detail={"integrity": exc.problem, "sha256": attachment.sha256},
        )
        raise


@dataclass(frozen=True)
class StoredFilesReport:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _stored_problem(field, sha256: str, size: int, encrypted: bool = False) -> str | None:
    try:
        with field.storage.open(field.name, "rb") as stored:
            actual = filecrypt.plaintext_fingerprint(stored) if encrypted else fingerprint(stored)
    except filecrypt.DecryptionError as exc:
        return str(exc)
    except (OSError, ValueError):
        return "the file is missing"
    if actual != (sha256, size):
        return f"SHA-256 {actual[0]} and {actual[1]} bytes on disk, {sha256} and {size} recorded"
    return None


def verify_stored_files() -> StoredFilesReport:
    """Check every stored attachment and evidence bundle against the fingerprint recorded
    when it was stored; each mismatch is audited. For `kinlink evidence verify --stored`."""
    from .models import EvidenceExport

    checked, problems = 0, []
    stored = [
        *(
            (a, a.file, a.sha256, a.size, a.original_name, a.encrypted)
            for a in Attachment.objects.all()
        ),
        *((e, e.file, e.sha256, e.size, e.reference, False) for e in EvidenceExport.objects.all()),
    ]
    for item, field, sha256, size, label, encrypted in stored:
        checked += 1
        problem = _stored_problem(field, sha256, size, encrypted)
        if problem is not None:
            record(
                Action.DENIED,
                object_type=item._meta.label_lower,
                object_id=item.pk,
                field="file",
                detail={"integrity": problem, "sha256": sha256},
            )
            problems.append(f"{item._meta.verbose_name} {item.pk} ({label}): {problem}")
    return StoredFilesReport(checked, problems)


@dataclass(frozen=True)
class EncryptionReport:
    encrypted: int
    problems: list[str]


def encrypt_stored_attachments() -> EncryptionReport:
    """Encrypt attachments stored in the clear before encryption at rest. Each file is
    checked against its upload fingerprint first (a file that fails is left as it is and
    reported); the encrypted copy is written under a new name, the row then points to it
    and the clear file is removed after commit. Safe to interrupt and to run again."""
    done, problems = 0, []
    for attachment in Attachment.objects.filter(encrypted=False).order_by("pk"):
        try:
            with _verified_copy(attachment) as original, transaction.atomic():
                old = attachment.file.name
                attachment.encrypted = True
                _store_encrypted(attachment, original)
                attachment.save(update_fields=["file", "encrypted"])
                storage = attachment.file.storage
                transaction.on_commit(lambda s=storage, name=old: s.delete(name))
        except (AttachmentIntegrityError, ValidationError) as exc:
            problems.append(f"attachment {attachment.pk} ({attachment.original_name}): {exc}")
            continue
        done += 1
    if done:
        record(Action.SYSTEM, detail={"attachment_encryption": {"files": done}})
    return EncryptionReport(done, problems)


def rotate_attachment_keys() -> int:
    """Re-encrypt every encrypted attachment with the newest field key, for `kinlink keys
    rotate` (registered with `audit.keys`). Each file is checked against its SHA-256."""
    from pathlib import Path

    done = 0
    for attachment in Attachment.objects.filter(encrypted=True).only("id", "file", "sha256"):
        try:
            path = Path(attachment.file.storage.path(attachment.file.name))
            filecrypt.rotate_file(path, attachment.sha256)
        except (filecrypt.DecryptionError, OSError) as exc:
            raise AttachmentIntegrityError(attachment, str(exc)) from exc
        done += 1
    record(Action.SYSTEM, detail={"attachment_key_rotation": {"files": done}})
    return done


def open_attachment(*, user, attachment: Attachment) -> IO[bytes]:
    """The verified bytes of an attachment for download; tampering refuses the download."""
    _require_visible(user, attachment.testimony)
    copy = check_attachment(attachment)
    record(
        Action.READ,
        object_type=attachment._meta.label_lower,
        object_id=attachment.pk,
        field="file",
    )
    return copy


# -- search index --------------------------------------------------------------------------


def _people_terms(persons: Iterable[Person]) -> set[str]:
    terms: set[str] = set()
    for person in persons:
        for name in person.names.all():
            terms |= search.text_terms(f"{name.given_name} {name.family_name}")
    return terms


def _index(testimony: Testimony, terms: set[str]) -> None:
    rows = [SearchTerm(testimony=testimony, term=h) for h in search.hashes(terms)]
    SearchTerm.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


@transaction.atomic
def reindex_testimony(testimony: Testimony) -> int:
    """Rebuild one testimony's search terms from its account, people, events and places."""
    SearchTerm.objects.filter(testimony=testimony).delete()
    account = reveal(testimony, "account", reason="rebuilding the search index") or ""
    terms = search.text_terms(account) | _people_terms([testimony.witness])
    for event in testimony.events.select_related("event_type", "place"):
        parts = [
            ParticipantInput(role=p.role, person=p.person, description=p.description)
            for p in event.participants.select_related("person")
        ]
        terms |= _event_terms(event, parts)
    _index(testimony, terms)
    return len(terms)
