"""Erasure and pseudonymisation: nothing of the person left in any table or file, the audit
chain still verifies, and a legal hold stops it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection

from kinlink.audit.models import Action, Entry
from kinlink.audit.services import verify_chain
from kinlink.cases.models import Case, Document
from kinlink.people.models import Person, PersonName
from kinlink.privacy import services
from kinlink.privacy.models import ErasureRequest, Pseudonym, RequestState
from kinlink.testimony import models as tm
from kinlink.testimony import search
from kinlink.testimony import services as testimony_services
from kinlink.testimony.models import Attachment, Participant, SearchTerm, Use
from kinlink.tracing.models import Enquiry, FamilyMessage, PersonKey

from .conftest import FAMILY, GIVEN, SECRETS


def _values(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, memoryview | bytes):
        return [bytes(value).decode("utf-8", "replace")]
    if isinstance(value, dict | list):
        return [json.dumps(value, ensure_ascii=False)]
    return [str(value)]


def where_in_database(secrets: tuple[str, ...]) -> list[str]:
    """Every (table, column) in the whole database whose text holds one of `secrets`,
    read with raw SQL, so no model or manager can hide a row."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            # table names come from the database itself, quoted
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    for text in _values(value):
                        for secret in secrets:
                            if secret in text:
                                found.append(f"{table}.{column}: {secret!r}")
    return found


def where_in_files(root: Path, secrets: tuple[str, ...]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path}: {s!r}" for s in secrets if s.encode() in data]
    return found


def _request(dpo, person, **kwargs):
    return services.record_request(
        user=dpo,
        person=person,
        ground=kwargs.pop("ground", "consent_withdrawn"),
        requested_by="subject",
        requested_on=dt.date(2025, 6, 2),
        **kwargs,
    )


def _carry_out(dpo, request, method, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.carry_out_request(
            user=dpo, request=request, method=method, confirm_reference=request.person_reference
        )


def test_the_scan_of_the_database_finds_the_person_before_erasure(world):
    # The scan below is only worth something if it sees the values while they are there.
    found = where_in_database(SECRETS)
    assert any("people_personname" in f for f in found)
    assert any("tracing_enquiry" in f for f in found)


def test_after_erasure_no_name_contact_or_place_remains_in_any_table_or_file(
    world, dpo, media, django_capture_on_commit_callbacks
):
    scan_path = Path(world.document.scan.path)
    audio_path = Path(world.attachment.file.path)
    assert scan_path.exists() and audio_path.exists()
    request = _request(dpo, world.subject)
    _carry_out(dpo, request, "erase", django_capture_on_commit_callbacks)

    assert where_in_database(SECRETS) == []
    assert where_in_files(media, SECRETS) == []
    assert not scan_path.exists() and not audio_path.exists()


def test_erasure_keeps_a_tombstone_with_the_reference_and_the_legal_ground(
    world, dpo, django_capture_on_commit_callbacks
):
    reference = world.subject.reference
    request = _request(dpo, world.subject, ground="objection")
    done = _carry_out(dpo, request, "erase", django_capture_on_commit_callbacks)
    tombstone = Person.objects.get(pk=world.subject.pk)
    assert tombstone.reference == reference
    assert not PersonName.objects.filter(person=tombstone).exists()
    assert tombstone.contact is None and tombstone.last_known_location is None
    assert tombstone.birth_year is None and tombstone.birth_place == ""
    assert done.state == RequestState.DONE and done.method == "erase"
    assert done.ground == "objection" and done.person_reference == reference
    assert done.decided_by == dpo and done.decided_at is not None
    assert done.summary["people.personname"] == 2
    # the subject's own records are gone; the relative's enquiry about them stays, scrubbed
    assert not Case.objects.filter(person=tombstone).exists()
    assert not Enquiry.objects.filter(enquirer=tombstone).exists()
    assert not tm.Testimony.objects.filter(witness=tombstone).exists()
    about = Enquiry.objects.get(pk=world.enquiry_about.pk)
    assert about.sought_given_name == "" and about.status == "closed"
    assert about.outcome == "alive_no_contact"
    assert not FamilyMessage.objects.filter(enquiry=about).exists()


def test_erasure_removes_the_person_from_search_keys_and_indexes(
    world, dpo, django_capture_on_commit_callbacks
):
    assert PersonKey.objects.filter(person=world.subject).exists()
    names = search.hashes(search.text_terms(f"{GIVEN} {FAMILY}"))
    indexed = set(
        SearchTerm.objects.filter(testimony=world.other_testimony).values_list("term", flat=True)
    )
    assert names & indexed, "the relative's testimony was not indexed under the person's names"
    request = _request(dpo, world.subject)
    _carry_out(dpo, request, "erase", django_capture_on_commit_callbacks)
    assert not PersonKey.objects.filter(person=world.subject).exists()
    participant = Participant.objects.get(event__testimony=world.other_testimony)
    assert participant.person is None and participant.description == "[erased]"
    after = set(
        SearchTerm.objects.filter(testimony=world.other_testimony).values_list("term", flat=True)
    )
    assert not names & after, "the relative's testimony is still indexed under the person's names"
    assert after, "the rest of the relative's testimony is no longer indexed"


def test_the_audit_chain_verifies_after_an_erasure_and_keeps_ids_not_values(
    world, dpo, django_capture_on_commit_callbacks
):
    request = _request(dpo, world.subject)
    _carry_out(dpo, request, "erase", django_capture_on_commit_callbacks)
    report = verify_chain()
    assert report.ok, report.problem
    call_command("audit_verify")  # what `kinlink audit verify` runs; raises on a broken chain
    act = Entry.objects.filter(action=Action.DELETE, object_type="people.person").first()
    assert act.object_id == str(world.subject.pk)
    assert act.detail["privacy"] == "erasure" and act.detail["request"] == request.reference
    assert act.actor_username == dpo.username
    assert Entry.objects.filter(object_type="people.person", object_id=str(world.subject.pk))


def test_pseudonymisation_replaces_names_with_a_stable_pseudonym_and_keeps_the_figures(
    world, dpo, media, django_capture_on_commit_callbacks
):
    request = _request(dpo, world.subject)
    _carry_out(dpo, request, "pseudonymise", django_capture_on_commit_callbacks)
    person = Person.objects.get(pk=world.subject.pk)
    label = Pseudonym.objects.get(person=person).label
    assert [n.given_name for n in person.names.all()] == [label]
    assert person.gender == "F" and person.birth_year == 1967 and person.birth_year_margin == 2
    assert person.contact is None and person.last_known_location is None
    case = Case.objects.get(pk=world.case.pk)
    assert case.outcome == "settled" and case.closed_on is not None
    document = Document.objects.get(pk=world.document.pk)
    assert document.number is None and not document.scan
    assert document.expires_on == dt.date(2030, 1, 1)
    told = tm.Testimony.objects.get(pk=world.testimony.pk)
    assert told.account is None and told.events.count() == 1
    assert not Attachment.objects.filter(testimony=told).exists()
    about = Enquiry.objects.get(pk=world.enquiry_about.pk)
    assert about.sought_given_name == label
    assert where_in_database(SECRETS) == []
    assert where_in_files(media, SECRETS) == []
    assert verify_chain().ok


def test_the_pseudonym_stays_the_same_when_asked_again(world, dpo):
    first = services.pseudonym_for(world.subject)
    assert services.pseudonym_for(world.subject) == first
    assert GIVEN not in first


def test_an_open_case_holds_the_erasure(world, dpo, staff):
    from kinlink.cases import services as cases

    case = Case.objects.get(pk=world.case.pk)
    cases.move_case(
        user=staff["caseworker"],
        case=case,
        to_stage=case.pathway.stages.get(code="reintegration"),
        reason="came back",
    )
    request = _request(dpo, world.subject)
    with pytest.raises(ValidationError) as err:
        services.carry_out_request(
            user=dpo, request=request, method="erase", confirm_reference=request.person_reference
        )
    assert world.case.reference in str(err.value)
    assert PersonName.objects.filter(person=world.subject).count() == 2
    request.refresh_from_db()
    assert request.state == RequestState.OPEN


def test_a_testimony_with_court_consent_holds_the_erasure_of_a_person_it_names(world, dpo, staff):
    testimony_services.record_use_consent(
        user=staff["caseworker"],
        testimony=world.other_testimony,
        use=Use.COURT,
        granted=True,
        given_on=dt.date(2024, 6, 1),
        method="in_person",
    )
    assert any(world.other_testimony.reference in h for h in services.legal_holds(world.subject))
    request = _request(dpo, world.subject)
    with pytest.raises(ValidationError):
        services.carry_out_request(
            user=dpo, request=request, method="pseudonymise", confirm_reference="P-000001"
        )
    assert world.subject.names.exists()


def test_an_enquiry_not_closed_holds_the_erasure(world, dpo, staff):
    from kinlink.tracing import services as tracing

    tracing.reopen_enquiry(user=staff["caseworker"], enquiry=world.enquiry_about, note="again")
    assert services.legal_holds(world.subject) == [
        f"Enquiry {world.enquiry_about.reference} is not closed."
    ]


def test_the_officer_confirms_with_the_persons_reference(world, dpo):
    request = _request(dpo, world.subject)
    with pytest.raises(ValidationError):
        services.carry_out_request(
            user=dpo, request=request, method="erase", confirm_reference="P-999999"
        )
    assert world.subject.names.exists()


def test_a_refused_request_changes_nothing_and_cannot_be_carried_out(world, dpo):
    request = _request(dpo, world.subject)
    services.refuse_request(user=dpo, request=request, reason="identity not confirmed")
    assert request.state == RequestState.REFUSED
    with pytest.raises(ValidationError):
        services.carry_out_request(
            user=dpo, request=request, method="erase", confirm_reference=request.person_reference
        )
    assert world.subject.names.count() == 2


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "admin", "analyst"])
def test_only_a_data_protection_officer_records_or_carries_out_requests(world, staff, dpo, role):
    with pytest.raises(PermissionDenied):
        _request(staff[role], world.subject)
    request = _request(dpo, world.subject)
    with pytest.raises(PermissionDenied):
        services.carry_out_request(
            user=staff[role],
            request=request,
            method="erase",
            confirm_reference=request.person_reference,
        )
    assert ErasureRequest.objects.get().state == RequestState.OPEN
