"""Evidence bundles: a ZIP for one recipient and purpose, redacted, fingerprinted, audited.

Contents (all text UTF-8, JSON not escaped, so what a court reads is what was checked):

    README.txt            what the bundle is and how to check it
    testimonies.json      each testimony: witness (name or pseudonym), dates, source, uses
    accounts/T-….txt      each account, redacted
    events.csv            the events, one row each, redacted
    events.json           the same events as JSON
    attachments/T-…/…     the files, checked against their upload fingerprint first
    audit.json            the audit log's entries about every item (who created, changed,
                          read it, when), each with its hash in the organisation's chain
    manifest.json         every file above with its SHA-256 and size
    SHA256SUMS            the same hashes and the manifest's, for `sha256sum -c`

Only testimonies whose newest consent covers the purpose go in (`PURPOSE_USES`); people
appear by name only with a naming consent in force for the purpose, everyone else by their
pseudonym for this recipient (`redaction.py`). An attachment that shows who someone is
(voice, face, name) is left out when anyone in its testimony is a pseudonym. People the
account names who are not linked (listed by a caseworker) get pseudonyms too, and names
found in the person registry become "[name withheld]".

A bundle holds what its purpose allows and no more: the account's version in force (never
earlier versions; the manifest names the version of every account and event), no list of
people mentioned, and for an anonymised report no interviewer, place recorded or source
address. Only the text of testimonies in the bundle is read.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kinlink.accounts.roles import Role
from kinlink.audit.models import Action, Entry
from kinlink.audit.sensitive import reveal
from kinlink.audit.services import record
from kinlink.names import normalize
from kinlink.people.models import Person, PersonName

from . import keys, selectors
from .models import (
    NAMING_PURPOSES,
    Attachment,
    Event,
    EvidenceExport,
    MentionedPerson,
    Participant,
    ParticipantRole,
    PlaceAlias,
    Purpose,
    Recipient,
    Testimony,
)
from .redaction import WORD, PersonToRedact, Pseudonyms, Redactor
from .services import AttachmentIntegrityError, check_attachment
from .verify import FORMAT, MANIFEST, SUMS, sha256_hex

EVENT_COLUMNS = [
    "event",
    "testimony",
    "type",
    "type_code",
    "place",
    "place_other_names",
    "place_detail",
    "start",
    "start_precision",
    "end",
    "end_precision",
    "earliest",
    "latest",
    "victims",
    "alleged_perpetrators",
    "passage",
    "version",
]
README = """Evidence bundle {reference}
Recipient: {recipient}
Purpose: {purpose}
Created: {created_at} by {created_by}

Each account is the version in force when the bundle was made; manifest.json names the
version of every account and event (corrections are new versions, kept by the issuer).

Every file of this bundle is listed with its SHA-256 and size in manifest.json, and again
in SHA256SUMS together with the SHA-256 of manifest.json itself. To check the bundle:

    kinlink evidence verify {zip_name} --digest <digest>
or, after unzipping:
    sha256sum -c SHA256SUMS

The digest of this bundle is the SHA-256 of manifest.json. The issuing organisation
recorded it in its audit log when it made the bundle; ask it to confirm the digest.

People who did not consent to be named for this purpose appear as "Person XXXXXX"
pseudonyms (the same person has the same pseudonym in every bundle to this recipient),
and their names are replaced by the pseudonym or by "[name withheld]" in every text.
"""


@dataclass
class _Bundle:
    files: dict[str, bytes] = field(default_factory=dict)
    attachment_files: dict[str, IO[bytes]] = field(default_factory=dict)
    withheld_attachments: int = 0

    def add_text(self, path: str, text: str) -> None:
        self.files[path] = text.encode("utf-8")

    def add_json(self, path: str, value: Any) -> None:
        self.add_text(path, json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


# -- recipients ----------------------------------------------------------------------------


def recipient_named(name: str) -> Recipient:
    normalised = normalize(name)
    if not normalised:
        raise ValidationError({"recipient": _("Name the recipient.")})
    recipient = Recipient.objects.filter(normalized=normalised).first()
    if recipient is None:
        recipient = Recipient.objects.create(
            name=name.strip(), normalized=normalised, pseudonym_key=keys.new_key()
        )
    return recipient


# -- who is who ----------------------------------------------------------------------------


def _display_name(person: Person) -> str:
    names = []
    for name in person.names.all():
        if name.hidden:  # a hidden name never leaves kinlink (people.selectors)
            continue
        full = " ".join(part for part in (name.given_name, name.family_name) if part)
        if full and full not in names:
            names.append(full)
    return " / ".join(names) or person.reference


def _people(testimonies: list[Testimony]) -> dict[int, Person]:
    ids = {t.witness_id for t in testimonies}
    ids |= set(
        Participant.objects.filter(event__testimony__in=testimonies, person__isnull=False)
        .values_list("person_id", flat=True)
        .distinct()
    )
    return Person.objects.filter(pk__in=ids).prefetch_related("names").in_bulk()


def build_redactor(
    persons: dict[int, Person],
    purpose: str,
    key: bytes,
    mentions: Iterable[tuple[int, list[str]]] = (),
    others: Iterable[str] = (),
    places: Iterable[str] = (),
) -> Redactor:
    """The redactor of one bundle: its linked people (named when they consented for the
    purpose), the people its accounts mention (`(mention id, names)`: always pseudonyms),
    registry names no one in the bundle bears, and the gazetteer's place names."""
    named = selectors.named_persons(persons, purpose) if purpose in NAMING_PURPOSES else set()
    pseudonym = Pseudonyms(key)
    people = []
    for pid in sorted(persons):
        person = persons[pid]
        names = [n for name in person.names.all() for n in (name.given_name, name.family_name)]
        relatives = [
            parent
            for name in person.names.all()
            for parent in (name.father_name, getattr(name, "mother_name", ""))
            if parent
        ]
        people.append(
            PersonToRedact(
                person_id=pid,
                names=[n for n in names if n],
                reference=person.reference,
                relative_names=relatives,
                pseudonym=None if pid in named else pseudonym(pid),
            )
        )
    for mention_id, names in mentions:
        # Negative ids: a mention's pseudonym never equals a registry person's.
        people.append(
            PersonToRedact(person_id=-mention_id, names=names, pseudonym=pseudonym(-mention_id))
        )
    return Redactor(people, others=others, places=places)


def _mentions(testimonies: list[Testimony], reason: str) -> list[tuple[int, list[str]]]:
    found = []
    for mention in MentionedPerson.objects.filter(testimony__in=testimonies).order_by("id"):
        names = reveal(mention, "names", reason=reason) or ""
        found.append((mention.pk, [n for n in names.splitlines() if n.strip()]))
    return found


_ARABIC_TO_PERSIAN = str.maketrans({"\u064a": "\u06cc", "\u0643": "\u06a9"})
_PERSIAN_TO_ARABIC = str.maketrans({"\u06cc": "\u064a", "\u06a9": "\u0643"})


def registry_names(texts: Iterable[str], exclude: Iterable[int]) -> list[str]:
    """Words of the texts that are a given or family name of someone in the person
    registry other than `exclude` (the bundle's people), in any script. Latin-script words
    count only when capitalised (a lower-case word is not a name there); Arabic-script
    words are looked up with both the Arabic and the Persian yeh and kaf."""
    words: set[str] = set()
    for text in texts:
        for match in WORD.finditer(text or ""):
            word = match.group(0)
            if len(word) < 2 or word.isdigit():
                continue
            if word.isascii():
                if word[0].isupper():
                    words.add(word)
            else:
                words |= {
                    word,
                    word.translate(_ARABIC_TO_PERSIAN),
                    word.translate(_PERSIAN_TO_ARABIC),
                }
    found: set[str] = set()
    ordered, excluded = sorted(words), set(exclude)
    # Large chunks: the name columns have no index of their own, so each chunk is one
    # pass over the names (a hashed IN list on PostgreSQL).
    for start in range(0, len(ordered), 2000):
        chunk = ordered[start : start + 2000]
        rows = PersonName.objects.filter(
            Q(given_name__in=chunk) | Q(family_name__in=chunk)
        ).values_list("person_id", "given_name", "family_name")
        for person_id, given, family in rows.iterator(chunk_size=5000):
            if person_id not in excluded:  # in Python: a bundle may hold thousands of people
                found |= {part for part in (given, family) if part in words}
    return sorted(found)


def place_names() -> list[str]:
    return list(PlaceAlias.objects.values_list("name", flat=True).distinct())


# -- contents ------------------------------------------------------------------------------


def _testimonies(user, purpose: str, testimony_ids=None) -> list[Testimony]:
    events = Event.objects.select_related("event_type", "place").prefetch_related(
        "place__aliases",
        Prefetch("participants", queryset=Participant.objects.select_related("person")),
    )
    return list(
        selectors.testimonies_to_export(user, purpose, testimony_ids)
        .select_related("witness", "interviewer")
        .prefetch_related(Prefetch("events", queryset=events), "attachments")
        .order_by("id")
    )


def _participant_label(participant: Participant, redactor: Redactor, persons) -> str:
    if participant.person_id is not None:
        person = persons[participant.person_id]
        return redactor.label(person.pk, _display_name(person))
    return redactor.redact(participant.description)


def _event_row(
    event: Event, testimony: Testimony, redactor: Redactor, persons, reason: str
) -> dict[str, Any]:
    def labels(role: str) -> list[str]:
        return [
            _participant_label(p, redactor, persons)
            for p in event.participants.all()
            if p.role == role
        ]

    passage = reveal(event, "passage", reason=reason) if event.passage else ""
    aliases = (
        [a.name for a in event.place.aliases.all() if a.name != event.place.name]
        if (event.place)
        else []
    )
    return {
        "event": event.pk,
        "testimony": testimony.reference,
        "type": str(event.event_type.label),
        "type_code": event.event_type.code,
        "place": event.place.name if event.place else "",
        "place_other_names": aliases,
        "place_detail": redactor.redact(event.place_detail),
        "start": event.start.isoformat() if event.start else "",
        "start_precision": event.start_precision if event.start else "",
        "end": event.end.isoformat() if event.end else "",
        "end_precision": event.end_precision if event.end else "",
        "earliest": event.earliest.isoformat() if event.earliest else "",
        "latest": event.latest.isoformat() if event.latest else "",
        "victims": labels(ParticipantRole.VICTIM),
        "alleged_perpetrators": labels(ParticipantRole.PERPETRATOR),
        "passage": redactor.redact(passage or ""),
        "version": event.version,
    }


def _events_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EVENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return out.getvalue()


def _attachment_allowed(attachment: Attachment, pseudonymised: bool) -> bool:
    return not (attachment.identifies_people and pseudonymised)


def _testimony_people(testimony: Testimony) -> set[int]:
    ids = {testimony.witness_id}
    for event in testimony.events.all():
        ids |= {p.person_id for p in event.participants.all() if p.person_id}
    return ids


def _add_testimony(
    bundle: _Bundle,
    testimony: Testimony,
    redactor: Redactor,
    persons: dict[int, Person],
    purpose: str,
    account: str,
) -> dict[str, Any]:
    account_path = f"accounts/{testimony.reference}.txt"
    bundle.add_text(account_path, redactor.redact(account))
    pseudonymised = any(
        redactor.people[pid].pseudonym is not None for pid in _testimony_people(testimony)
    )
    attachments = []
    for number, attachment in enumerate(testimony.attachments.all(), 1):
        if not _attachment_allowed(attachment, pseudonymised):
            bundle.withheld_attachments += 1
            continue
        suffix = PurePath(attachment.file.name).suffix
        path = f"attachments/{testimony.reference}/{number:02d}{suffix}"
        bundle.attachment_files[path] = check_attachment(attachment)
        attachments.append(
            {
                "path": path,
                "kind": attachment.kind,
                "description": redactor.redact(attachment.description),
                "sha256_at_upload": attachment.sha256,
                "uploaded_at": attachment.uploaded_at.isoformat(),
            }
        )
    witness = persons[testimony.witness_id]
    entry: dict[str, Any] = {
        "reference": testimony.reference,
        "witness": redactor.label(witness.pk, _display_name(witness)),
        "recorded_on": testimony.recorded_on.isoformat(),
        "language": testimony.language,
        "source": testimony.source_kind,
        "source_captured_on": testimony.source_captured_on.isoformat()
        if testimony.source_captured_on
        else "",
        "uses_in_force": sorted(selectors.uses_in_force(testimony)),
        "account": account_path,
        "account_version": testimony.account_version,
        "events": [event.pk for event in testimony.events.all()],
        "attachments": attachments,
    }
    if purpose != Purpose.ANONYMISED_REPORT:
        # Where and by whom, and a publication's address, can point to the witness:
        # only for purposes where the witness may be named.
        entry["recorded_place"] = redactor.redact(testimony.recorded_place)
        entry["source_url"] = redactor.redact(testimony.source_url)
        if testimony.interviewer is not None:
            entry["interviewer"] = testimony.interviewer.display_name
    return entry


def _redact_json(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return redactor.redact(value)
    if isinstance(value, list):
        return [_redact_json(v, redactor) for v in value]
    if isinstance(value, dict):
        return {k: _redact_json(v, redactor) for k, v in value.items()}
    return value


def _audit_extract(testimonies: list[Testimony], redactor: Redactor) -> list[dict[str, Any]]:
    """Every audit entry about the bundle's testimonies, consents, events and files."""
    ids: dict[str, set[str]] = {
        "testimony.testimony": {str(t.pk) for t in testimonies},
        "testimony.testimonyconsent": set(),
        "testimony.event": set(),
        "testimony.participant": set(),
        "testimony.attachment": set(),
        "testimony.accountversion": set(),
        "testimony.eventversion": set(),
    }
    for testimony in testimonies:
        ids["testimony.testimonyconsent"] |= {
            str(pk) for pk in testimony.consents.values_list("pk", flat=True)
        }
        for event in testimony.events.all():
            ids["testimony.event"].add(str(event.pk))
            ids["testimony.participant"] |= {str(p.pk) for p in event.participants.all()}
        ids["testimony.attachment"] |= {str(a.pk) for a in testimony.attachments.all()}
        ids["testimony.accountversion"] |= {
            str(pk) for pk in testimony.versions.values_list("pk", flat=True)
        }
        ids["testimony.eventversion"] |= {
            str(pk)
            for event in testimony.events.all()
            for pk in event.versions.values_list("pk", flat=True)
        }
    condition = Q(pk__in=[])
    for object_type, object_ids in ids.items():
        if object_ids:
            condition |= Q(object_type=object_type, object_id__in=object_ids)
    return [
        {
            "seq": entry.seq,
            "at": entry.at.isoformat(),
            "actor": entry.actor_username,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "field": entry.field,
            "detail": _redact_json(entry.detail, redactor),
            "hash": entry.hash,
            "prev_hash": entry.prev_hash,
        }
        for entry in Entry.objects.filter(condition).order_by("seq")
    ]


# -- the archive ---------------------------------------------------------------------------


def _file_entry(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "sha256": sha256_hex(data), "size": len(data)}


def _attachment_entry(path: str, handle: IO[bytes]) -> dict[str, Any]:
    from .services import fingerprint

    handle.seek(0)
    digest, size = fingerprint(handle)
    handle.seek(0)
    return {"path": path, "sha256": digest, "size": size}


def _write_zip(bundle: _Bundle, manifest: dict[str, Any]) -> tuple[IO[bytes], str]:
    entries = [_file_entry(path, data) for path, data in sorted(bundle.files.items())]
    entries += [_attachment_entry(p, h) for p, h in sorted(bundle.attachment_files.items())]
    manifest["files"] = entries
    manifest_bytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()
    digest = sha256_hex(manifest_bytes)
    sums = "".join(f"{e['sha256']}  {e['path']}\n" for e in entries)
    sums += f"{digest}  {MANIFEST}\n"
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for path, data in sorted(bundle.files.items()):
            out.writestr(path, data)
        for path, handle in sorted(bundle.attachment_files.items()):
            with out.open(path, "w") as target:
                while chunk := handle.read(1 << 20):
                    target.write(chunk)
        out.writestr(MANIFEST, manifest_bytes)
        out.writestr(SUMS, sums.encode())
    archive.seek(0)
    return archive, digest


def _next_reference() -> str:
    last = EvidenceExport.objects.aggregate(top=Max("id"))["top"] or 0
    return f"E-{last + 1:06d}"


def _close(handles: Iterable[IO[bytes]]) -> None:
    for handle in handles:
        handle.close()


Progress = Callable[[int, int], None]


def export_evidence(
    *,
    user,
    recipient: str,
    purpose: str,
    note: str = "",
    progress: Progress | None = None,
    testimony_ids: Sequence[int] | None = None,
) -> EvidenceExport:
    """Build, store and audit a bundle of what the user may see and consent allows
    (only `testimony_ids` when given, each of which must qualify).
    `progress(done, total)` is called as testimonies are added (for background jobs)."""
    if not selectors.may_export_evidence(user):
        raise PermissionDenied(_("Only supervisors and data-protection officers export evidence."))
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Unknown purpose.")})
    target = recipient_named(recipient)
    testimonies = _testimonies(user, purpose, testimony_ids)
    if not testimonies:
        raise ValidationError(
            {"purpose": _("No testimony you may see has consent for this purpose.")}
        )
    reference = _next_reference()
    reason = f"evidence export {reference} to {target.name} ({purpose})"
    persons = _people(testimonies)
    accounts = {t.pk: reveal(t, "account", reason=reason) or "" for t in testimonies}
    texts = [*accounts.values(), note]
    texts += [t.recorded_place for t in testimonies]
    for testimony in testimonies:
        for event in testimony.events.all():
            texts += [event.place_detail, *(p.description for p in event.participants.all())]
    redactor = build_redactor(
        persons,
        purpose,
        keys.key_bytes(target.pseudonym_key.token),
        mentions=_mentions(testimonies, reason),
        others=registry_names(texts, exclude=persons),
        places=place_names(),
    )
    bundle = _Bundle()
    try:
        export = _fill_and_store(
            bundle,
            user,
            target,
            purpose,
            note,
            reference,
            reason,
            testimonies,
            persons,
            redactor,
            accounts,
            progress,
        )
    except AttachmentIntegrityError as exc:
        raise ValidationError(
            {
                "attachments": _("An attachment failed its integrity check: %(problem)s")
                % {"problem": str(exc)}
            }
        ) from exc
    finally:
        _close(bundle.attachment_files.values())
    return export


def _fill_and_store(
    bundle: _Bundle,
    user,
    target: Recipient,
    purpose: str,
    note: str,
    reference: str,
    reason: str,
    testimonies: list[Testimony],
    persons: dict[int, Person],
    redactor: Redactor,
    accounts: dict[int, str],
    progress: Progress | None = None,
) -> EvidenceExport:
    created_at = timezone.now()
    listed, rows = [], []
    # One more step than testimonies: writing and storing the archive.
    total = len(testimonies) + 1
    for done, testimony in enumerate(testimonies, 1):
        account = accounts[testimony.pk]
        listed.append(_add_testimony(bundle, testimony, redactor, persons, purpose, account))
        rows += [
            _event_row(e, testimony, redactor, persons, reason) for e in testimony.events.all()
        ]
        if progress is not None:
            progress(done, total)
    bundle.add_json("testimonies.json", listed)
    bundle.add_json("events.json", rows)
    bundle.add_text("events.csv", _events_csv(rows))
    bundle.add_json("audit.json", _audit_extract(testimonies, redactor))
    bundle.add_text(
        "README.txt",
        README.format(
            reference=reference,
            recipient=target.name,
            purpose=purpose,
            created_at=created_at.isoformat(timespec="seconds"),
            created_by=user.username,
            zip_name=f"{reference}.zip",
        ),
    )
    manifest = {
        "format": FORMAT,
        "reference": reference,
        "recipient": target.name,
        "purpose": purpose,
        "note": redactor.redact(note),
        "created_at": created_at.isoformat(timespec="seconds"),
        "created_by": user.username,
        "testimonies": [t.reference for t in testimonies],
        "versions": {
            t.reference: {
                "account": t.account_version,
                "events": {str(e.pk): e.version for e in t.events.all()},
            }
            for t in testimonies
        },
        "counts": {
            "testimonies": len(testimonies),
            "events": len(rows),
            "attachments": len(bundle.attachment_files),
            "attachments_withheld": bundle.withheld_attachments,
        },
    }
    archive, digest = _write_zip(bundle, manifest)
    if progress is not None:
        progress(total, total)
    with archive, transaction.atomic():
        return _store(archive, digest, user, target, purpose, note, reference, manifest)


def _store(
    archive: IO[bytes],
    digest: str,
    user,
    target: Recipient,
    purpose: str,
    note: str,
    reference: str,
    manifest: dict[str, Any],
) -> EvidenceExport:
    from .services import fingerprint

    sha256, size = fingerprint(archive)
    archive.seek(0)
    counts = manifest["counts"]
    export = EvidenceExport(
        reference=reference,
        recipient=target,
        purpose=purpose,
        note=note,
        size=size,
        sha256=sha256,
        manifest_sha256=digest,
        testimony_count=counts["testimonies"],
        event_count=counts["events"],
        attachment_count=counts["attachments"],
        items={"testimonies": manifest["testimonies"]},
        created_by=user,
    )
    export.file.save(f"{reference}.zip", File(archive), save=False)
    export.save()
    record(
        Action.EXPORT,
        object_type=export._meta.label_lower,
        object_id=export.pk,
        detail={
            "reference": reference,
            "by": user.username,
            "what": "testimony.evidence bundle",
            "format": "zip",
            "recipient": target.name,
            "for": target.name,
            "purpose": purpose,
            "manifest_sha256": digest,
            "sha256": sha256,
            "counts": counts,
        },
    )
    return export


def open_export(*, user, export: EvidenceExport) -> IO[bytes]:
    """The stored bundle, for its exporter or a data-protection officer; audited."""
    if not selectors.may_export_evidence(user):
        raise PermissionDenied(_("Only supervisors and data-protection officers export evidence."))
    if export.created_by_id != user.pk and user.role != Role.DPO:
        raise PermissionDenied(_("This export is not yours."))
    record(Action.READ, object_type=export._meta.label_lower, object_id=export.pk, field="file")
    return export.file.open("rb")
