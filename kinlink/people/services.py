"""Every write about persons and every read of their sensitive fields goes through here.

Functions named `create_*`/`record_*` trust their caller (another service, the CLI, the
demo); those taking a `user` check that the user may work on the person first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from kinlink.accounts.models import Team
from kinlink.accounts.roles import works_on_records
from kinlink.audit.sensitive import Sealed, reveal
from kinlink.calendars import InvalidDate, parse_birth_date
from kinlink.names import detect_script

from .models import (
    BirthCalendar,
    Consent,
    ConsentPurpose,
    ConsentScope,
    LegalBasis,
    Person,
    PersonMerge,
    PersonName,
    PersonVersion,
    Relationship,
    RelationshipKind,
    VersionAction,
)
from .selectors import can_view_person
from .signals import person_changed, person_merged, person_unmerged

SENSITIVE_FIELDS = ("contact", "last_known_location")
# Fields a caseworker edits on a person (sensitive ones and the birth date have their own
# handling below).
EDITABLE_FIELDS = ("gender", "birth_place", "nationality", "languages", "status")
BIRTH_FIELDS = (
    "birth_year",
    "birth_year_end",
    "birth_month",
    "birth_date",
    "birth_year_margin",
    "birth_calendar",
    "birth_entered",
)
SNAPSHOT_FIELDS = (
    "reference",
    *EDITABLE_FIELDS,
    *BIRTH_FIELDS,
    "caseworker_id",
    "team_id",
    "merged_into_id",
)
NAME_FIELDS = (
    "kind",
    "given_name",
    "family_name",
    "father_name",
    "mother_name",
    "script",
    "language",
)


def next_reference() -> str:
    last = Person.objects.aggregate(top=Max("id"))["top"] or 0
    return f"P-{last + 1:06d}"


# -- birth dates ---------------------------------------------------------------------------


def birth_fields(text: str) -> dict[str, Any]:
    """The stored birth columns for a date as typed ("1965", "about 1965±3", "1344",
    "1344-05-12 SH"). Gregorian values are stored with the calendar it was entered in.
    Raises ValidationError on the field "birth" with the parser's message."""
    text = (text or "").strip()
    if not text:
        return dict.fromkeys(BIRTH_FIELDS[:4]) | {
            "birth_year_margin": 0,
            "birth_calendar": BirthCalendar.GREGORIAN,
            "birth_entered": "",
        }
    try:
        date = parse_birth_date(text)
    except InvalidDate as exc:
        raise ValidationError({"birth": str(exc)}) from exc
    return {
        "birth_year": date.year,
        "birth_year_end": date.year_end,
        "birth_month": date.month,
        "birth_date": date.as_date(),
        "birth_year_margin": date.plus_minus_years,
        "birth_calendar": date.calendar_entered,
        "birth_entered": text[:40],
    }


def birth_text(person: Person) -> str:
    """What to feed `parse_birth_date` back for a person (what was entered, or the year)."""
    if person.birth_entered:
        return person.birth_entered
    if person.birth_date:
        return person.birth_date.isoformat()
    if person.birth_year:
        margin = f"±{person.birth_year_margin}" if person.birth_year_margin else ""
        return f"{person.birth_year}{margin}"
    return ""


# -- names -----------------------------------------------------------------------------------


def name_fields(name: dict[str, Any]) -> dict[str, Any]:
    """A name as stored: known keys only, stripped, with its script detected when not given."""
    unknown = set(name) - set(NAME_FIELDS) - {"hidden"}
    if unknown:
        raise ValidationError({"names": f"unknown name fields: {', '.join(sorted(unknown))}"})
    clean: dict[str, Any] = {
        key: str(value or "").strip() for key, value in name.items() if key != "hidden"
    }
    if "hidden" in name:
        # shown only to those who see the record; never exported (people.selectors)
        clean["hidden"] = bool(name["hidden"])
    if not (clean.get("given_name") or clean.get("family_name")):
        raise ValidationError({"names": "a name needs a given name or a family name"})
    if not clean.get("script"):
        written = " ".join(clean.get(k, "") for k in ("given_name", "family_name"))
        clean["script"] = detect_script(written).value
    return clean


# -- history ---------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _snapshot(person: Person) -> dict[str, Any]:
    data = {field: _jsonable(getattr(person, field)) for field in SNAPSHOT_FIELDS}
    data["names"] = [
        {"id": name.pk, **{field: getattr(name, field) for field in NAME_FIELDS}}
        for name in person.names.order_by("id")
    ]
    data["relationships"] = [
        {"id": rel.pk, "person": rel.person_id, "kind": rel.kind, "relative": rel.relative_id}
        for rel in Relationship.objects.filter(person=person).order_by("id")
    ]
    data["sealed"] = {
        field: value.token if isinstance(value, Sealed) else None
        for field in SENSITIVE_FIELDS
        for value in [getattr(person, field)]
    }
    return data


def save_version(
    person: Person, action: str, *, by=None, changed: Iterable[str] = ()
) -> PersonVersion:
    """Append a snapshot of the person as it is now."""
    last = person.versions.aggregate(top=Max("number"))["top"] or 0
    return PersonVersion.objects.create(
        person=person,
        number=last + 1,
        action=action,
        by=by,
        changed=sorted(set(changed)),
        snapshot=_snapshot(person),
    )


# -- creating and editing ------------------------------------------------------------------


@transaction.atomic
def create_person(
    *,
    names: list[dict],
    gender: str = "",
    birth_year: int | None = None,
    birth_place: str = "",
    caseworker=None,
    team: Team | None = None,
    contact: str = "",
    last_known_location: str = "",
    birth: str = "",
    by=None,
    **fields,
) -> Person:
    """Create a person with their names. `birth` is a date as typed (see `birth_fields`);
    `birth_year` alone is the older, simpler form."""
    dates = birth_fields(birth) if birth else {}
    if not dates and birth_year is not None:
        dates = {"birth_year": birth_year}
    person = Person.objects.create(
        reference=next_reference(),
        gender=gender,
        birth_place=birth_place,
        caseworker=caseworker,
        team=team or (caseworker.team if caseworker is not None else None),
        contact=contact or None,
        last_known_location=last_known_location or None,
        **{**fields, **dates},
    )
    for name in names:
        PersonName.objects.create(person=person, **name_fields(name))
    save_version(person, VersionAction.CREATE, by=by or caseworker)
    person_changed.send(sender=Person, person=person, created=True)
    return person


def _require_case_role(user) -> None:
    if not (user.is_authenticated and user.is_active and works_on_records(user.role)):
        raise PermissionDenied("only caseworkers and supervisors work on individual records")


def _require_visible(user, person: Person) -> None:
    if not can_view_person(user, person):
        raise PermissionDenied("this person is not in your caseload")


def register_person(*, user, **kwargs) -> Person:
    """A caseworker or supervisor records a person, who joins their caseload."""
    _require_case_role(user)
    kwargs.setdefault("caseworker", user)
    return create_person(by=user, **kwargs)


@transaction.atomic
def update_person(*, user, person: Person, changes: dict[str, Any]) -> Person:
    """Change a person's details. `changes` may hold EDITABLE_FIELDS, "birth" (as typed)
    and the sensitive fields (a new plain value; "" clears it). Keeps a version."""
    _require_case_role(user)
    _require_visible(user, person)
    if person.is_merged:
        raise ValidationError(f"{person.reference} was merged; edit the record it was merged into")
    allowed = {*EDITABLE_FIELDS, *SENSITIVE_FIELDS, "birth"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"these fields cannot be changed here: {', '.join(sorted(unknown))}")
    changed: list[str] = []
    for field, value in changes.items():
        if field == "birth":
            if (value or "") != birth_text(person):
                for key, new in birth_fields(value).items():
                    setattr(person, key, new)
                changed.append("birth")
        elif field in SENSITIVE_FIELDS:
            # A sealed value cannot be compared without decrypting it; every submitted
            # value counts as a change, an absent one leaves the field alone.
            setattr(person, field, value or None)
            changed.append(field)
        elif getattr(person, field) != value:
            setattr(person, field, value)
            changed.append(field)
    if changed:
        person.save()
        save_version(person, VersionAction.EDIT, by=user, changed=changed)
        person_changed.send(sender=Person, person=person, created=False)
    return person


@transaction.atomic
def add_name(*, user, person: Person, **name) -> PersonName:
    _require_case_role(user)
    _require_visible(user, person)
    created = PersonName.objects.create(person=person, **name_fields(name))
    save_version(person, VersionAction.EDIT, by=user, changed=["names"])
    person_changed.send(sender=Person, person=person, created=False)
    return created


@transaction.atomic
def remove_name(*, user, name: PersonName) -> None:
    person = name.person
    _require_case_role(user)
    _require_visible(user, person)
    if person.names.count() <= 1:
        raise ValidationError("a person keeps at least one name")
    name.delete()
    save_version(person, VersionAction.EDIT, by=user, changed=["names"])
    person_changed.send(sender=Person, person=person, created=False)


@transaction.atomic
def add_relationship(
    *, user, person: Person, kind: str, relative: Person, note: str = ""
) -> Relationship:
    """Record that `person` is the `kind` (parent, child, sibling, spouse) of `relative`."""
    _require_case_role(user)
    _require_visible(user, person)
    _require_visible(user, relative)
    if kind not in RelationshipKind.values:
        raise ValidationError({"kind": f"unknown relationship {kind!r}"})
    if person.pk == relative.pk:
        raise ValidationError({"relative": "a person cannot be their own relative"})
    if _related(person, relative).exists():
        raise ValidationError({"relative": "these two persons are already related"})
    rel = Relationship.objects.create(person=person, kind=kind, relative=relative, note=note)
    save_version(person, VersionAction.EDIT, by=user, changed=["relationships"])
    return rel


def _related(a: Person, b: Person):
    return Relationship.objects.filter(person=a, relative=b) | Relationship.objects.filter(
        person=b, relative=a
    )


# -- merging ---------------------------------------------------------------------------------


@transaction.atomic
def merge_persons(*, user, survivor: Person, merged: Person, reason: str) -> PersonMerge:
    """Fold `merged` into `survivor`: names and relationships move over, empty fields of the
    survivor are filled from the other record, and `merged` stays as a record pointing to
    the survivor, and every other record about the person (cases, testimonies, enquiries,
    candidates, consents: any ForeignKey to Person, see `_person_links`) follows to the
    survivor. `PersonMerge.moved` holds what is needed to undo it."""
    _require_case_role(user)
    _require_visible(user, survivor)
    _require_visible(user, merged)
    if survivor.pk == merged.pk:
        raise ValidationError("a person cannot be merged with themselves")
    if survivor.is_merged or merged.is_merged:
        raise ValidationError("one of these records was already merged")
    if not reason.strip():
        raise ValidationError({"reason": "say why these records are the same person"})
    save_version(merged, VersionAction.MERGE, by=user, changed=["before merge"])
    moved = {
        "names": _move_names(merged, survivor),
        "relationships": _move_relationships(merged, survivor),
        "filled": _fill_empty_fields(merged, survivor),
        **_move_records(merged, survivor),
    }
    merged.merged_into = survivor
    merged.save()
    survivor.save()
    merge = PersonMerge.objects.create(
        survivor=survivor, merged=merged, reason=reason.strip(), by=user, moved=moved
    )
    save_version(survivor, VersionAction.MERGE, by=user, changed=["merge", *moved["filled"]])
    save_version(merged, VersionAction.MERGE, by=user, changed=["merged_into"])
    person_merged.send(sender=Person, survivor=survivor, merged=merged, merge=merge)
    person_changed.send(sender=Person, person=survivor, created=False)
    person_changed.send(sender=Person, person=merged, created=False)
    return merge


@transaction.atomic
def undo_merge(*, user, merge: PersonMerge, reason: str) -> PersonMerge:
    """Undo a merge without loss: the names and relationships that moved go back (by id),
    the relationships dropped as duplicates come back, the survivor's fields filled from the
    other record get their old values, and the merged record stands on its own again.
    Records that followed the merge go back by id (`moved["records"]`); apps with a rule of
    their own (tracing) undo their part on `person_unmerged`."""
    merge.refresh_from_db()
    survivor, merged = merge.survivor, merge.merged
    _require_case_role(user)
    _require_visible(user, survivor)
    if merge.undone_at is not None:
        raise ValidationError("this merge was already undone")
    if survivor.is_merged:
        raise ValidationError(f"{survivor.reference} was merged since; undo that merge first")
    if not reason.strip():
        raise ValidationError({"reason": "say why the merge is undone"})
    moved = merge.moved or {}
    _return_records(moved.get("records", {}), survivor, merged)
    for name in PersonName.objects.filter(pk__in=moved.get("names", []), person=survivor):
        name.person = merged
        name.save()
    relationships = moved.get("relationships", {})
    for rel in Relationship.objects.filter(pk__in=relationships.get("from", [])):
        if rel.person_id == survivor.pk:
            rel.person = merged
            rel.save()
    for rel in Relationship.objects.filter(pk__in=relationships.get("to", [])):
        if rel.relative_id == survivor.pk:
            rel.relative = merged
            rel.save()
    for row in relationships.get("dropped", []):
        values = {
            "person_id": row["person"],
            "kind": row["kind"],
            "relative_id": row["relative"],
            "note": row.get("note", ""),
        }
        if row.get("id") and not Relationship.objects.filter(pk=row["id"]).exists():
            rel = Relationship.objects.create(pk=row["id"], **values)
            if row.get("created_at"):
                Relationship.objects.filter(pk=rel.pk).update(
                    created_at=dt.datetime.fromisoformat(row["created_at"])
                )
        elif not Relationship.objects.filter(**values).exists():
            Relationship.objects.create(**values)
    for field, old in moved.get("filled", {}).items():
        if field == "birth_date" and isinstance(old, str):
            old = dt.date.fromisoformat(old)
        setattr(survivor, field, old)
    survivor.save()
    merged.merged_into = None
    merged.save()
    merge.undone_at = timezone.now()
    merge.undone_by = user
    merge.save()
    save_version(survivor, VersionAction.UNMERGE, by=user, changed=["merge undone"])
    save_version(merged, VersionAction.UNMERGE, by=user, changed=["merge undone"])
    person_unmerged.send(sender=Person, survivor=survivor, merged=merged, merge=merge)
    person_changed.send(sender=Person, person=survivor, created=False)
    person_changed.send(sender=Person, person=merged, created=False)
    return merge


# Foreign keys to Person whose rows stay with the record they were written for: its merge
# pointer, versions and merges (history), names and relationships (moved by their own rules
# above), search keys derived from it (matching rebuilds the survivor's on person_changed)
# and its erasure pseudonym (one per record). Every other ForeignKey to Person, in any app
# and in models added later, follows a merge to the survivor.
STAYS_WITH_RECORD = frozenset(
    {
        "people.Person.merged_into",
        "people.PersonName.person",
        "people.Relationship.person",
        "people.Relationship.relative",
        "people.PersonVersion.person",
        "people.PersonMerge.survivor",
        "people.PersonMerge.merged",
        "tracing.PersonKey.person",
        "privacy.Pseudonym.person",
    }
)


def _person_links() -> list[tuple[str, Any, Any]]:
    """(label "app.Model.field", model, field) for every ForeignKey to Person that follows a
    merge, in a stable order."""
    return [
        (f"{model._meta.label}.{field.name}", model, field)
        for model in apps.get_models()
        for field in model._meta.fields
        if field.related_model is Person
        and f"{model._meta.label}.{field.name}" not in STAYS_WITH_RECORD
    ]


def _move_records(source: Person, target: Person) -> dict[str, dict[str, list[int]]]:
    """Point every record about `source` at `target`. A row that cannot move without breaking
    a uniqueness rule (a second candidate for the same enquiry, a second open case) stays
    with `source`, where the merge history shows it. Returns {"records": {label: [ids]},
    "kept": {label: [ids]}}; rows are moved with update(), so nothing else of them changes."""
    records: dict[str, list[int]] = {}
    kept: dict[str, list[int]] = {}
    for label, model, field in _person_links():
        rows = model._base_manager.filter(**{field.attname: source.pk})
        for pk in rows.order_by("pk").values_list("pk", flat=True):
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk=pk).update(**{field.attname: target.pk})
            except IntegrityError:
                kept.setdefault(label, []).append(pk)
            else:
                records.setdefault(label, []).append(pk)
    return {"records": records, "kept": kept}


def _return_records(records: dict[str, list[int]], survivor: Person, merged: Person) -> None:
    """Undo `_move_records`: each row that moved and still points at the survivor goes back;
    records made for the survivor after the merge stay with it."""
    for label, ids in records.items():
        model_label, field_name = label.rsplit(".", 1)
        model = apps.get_model(model_label)
        field = model._meta.get_field(field_name)
        model._base_manager.filter(pk__in=ids, **{field.attname: survivor.pk}).update(
            **{field.attname: merged.pk}
        )


def _move_names(source: Person, target: Person) -> list[int]:
    ids = list(source.names.values_list("id", flat=True))
    for name in source.names.all():
        name.person = target
        name.save()
    return ids


def _move_relationships(source: Person, target: Person) -> dict[str, list]:
    moved: dict[str, list] = {"from": [], "to": [], "dropped": []}
    for rel in Relationship.objects.filter(person=source):
        if rel.relative_id == target.pk or _related(target, rel.relative).exists():
            moved["dropped"].append(_relationship_row(rel))
            rel.delete()
        else:
            rel.person = target
            rel.save()
            moved["from"].append(rel.pk)
    for rel in Relationship.objects.filter(relative=source):
        if rel.person_id == target.pk or _related(rel.person, target).exists():
            moved["dropped"].append(_relationship_row(rel))
            rel.delete()
        else:
            rel.relative = target
            rel.save()
            moved["to"].append(rel.pk)
    return moved


def _relationship_row(rel: Relationship) -> dict[str, Any]:
    return {
        "id": rel.pk,
        "created_at": _jsonable(rel.created_at),
        "person": rel.person_id,
        "kind": rel.kind,
        "relative": rel.relative_id,
        "note": rel.note,
    }


def _fill_empty_fields(source: Person, target: Person) -> dict[str, Any]:
    """Copy what the survivor lacks; returns {field: the survivor's old value}."""
    filled: dict[str, Any] = {}
    for field in ("gender", "birth_place", "nationality", "languages", *SENSITIVE_FIELDS):
        if not getattr(target, field) and getattr(source, field):
            filled[field] = _jsonable(getattr(target, field))
            setattr(target, field, getattr(source, field))
    if target.birth_year is None and source.birth_year is not None:
        for field in BIRTH_FIELDS:
            filled[field] = _jsonable(getattr(target, field))
            setattr(target, field, getattr(source, field))
    if target.status == "unknown" and source.status != "unknown":
        filled["status"] = target.status
        target.status = source.status
    return filled


# -- sensitive fields ------------------------------------------------------------------------


def read_sensitive_field(*, user, person: Person, field: str, reason: str) -> str | None:
    """A staff member reads a person's contact or location (never a disclosure to a family)."""
    if field not in SENSITIVE_FIELDS:
        raise ValueError(f"{field!r} is not a sensitive field of a person")
    if not can_view_person(user, person):
        raise PermissionDenied("this person is not in your caseload")
    return reveal(person, field, reason=reason)


# -- consent ---------------------------------------------------------------------------------


def record_consent(
    *,
    person: Person,
    context: str,
    scope: str,
    obtained_on: dt.date,
    method: str,
    by,
    recipient: Person | None = None,
    purpose: str = ConsentPurpose.FAMILY_TRACING,
    basis: str = LegalBasis.CONSENT,
    note: str = "",
) -> Consent:
    """Record a person's decision for one context. It replaces the one in force (which
    stays in the history). The caller (e.g. tracing.services) checks who may record it."""
    if scope not in ConsentScope.values:
        raise ValidationError({"scope": f"unknown decision {scope!r}"})
    if obtained_on > timezone.localdate():
        raise ValidationError(
            {"obtained_on": "the date a consent was given cannot be in the future"}
        )
    return Consent.objects.create(
        person=person,
        recipient=recipient,
        context=context,
        purpose=purpose,
        basis=basis,
        scope=scope,
        obtained_on=obtained_on,
        method=method,
        note=note,
        recorded_by=by,
    )


def withdraw_consent(*, consent: Consent, by, reason: str = "") -> Consent:
    """The person takes their consent back: from now on nothing is shared in its context."""
    if consent.withdrawn_at is not None:
        raise ValidationError("this consent was already withdrawn")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = by
    consent.withdrawal_reason = reason
    consent.save()
    return consent
